/**
 * @module Port of `mmdet/core/anchor/anchor_generator.py` (AnchorGenerator) @ v2.28.2.
 *
 * Anchors are plain `Float32Array`s (`[n, 4]` row-major `x1, y1, x2, y2`, pixels of the padded
 * input): they are constants of the feature-map sizes, consumed by CPU-side target assignment.
 */

/** Config of {@link AnchorGenerator} (mmdet keys). */
export interface AnchorGeneratorConfig {
  /** Stride of each level, a number or `[w, h]`. */
  strides: Array<number | [number, number]>;
  /** Height/width ratios of the anchors (h/w). */
  ratios: number[];
  /** Anchor scales relative to the base size; exclusive with octave_base_scale. */
  scales?: number[] | null;
  /** Base size of each level (default: the smaller stride of the level). */
  base_sizes?: number[] | null;
  /** Order (ratio, scale) ratio-major when true. */
  scale_major?: boolean;
  octave_base_scale?: number | null;
  scales_per_octave?: number | null;
  /** Centre of the base anchor of each level, `[x, y]` (default: center_offset × base size). */
  centers?: Array<[number, number]> | null;
  /** Offset of the centre as a fraction of the base size (0: cell corner). */
  center_offset?: number;
}

/**
 * Multi-level anchor generator (RetinaNet, RPN, ATSS).
 *
 * @example
 * const g = new AnchorGenerator({ strides: [8], ratios: [0.5, 1, 2], octave_base_scale: 4, scales_per_octave: 3 });
 * g.gridPriors([[2, 2]])[0]; // Float32Array of 2*2*9 anchors
 */
export class AnchorGenerator {
  static readonly type = 'AnchorGenerator';
  /** `[w, h]` stride per level. */
  readonly strides: Array<[number, number]>;
  readonly baseSizes: number[];
  readonly ratios: number[];
  readonly scales: number[];
  readonly scaleMajor: boolean;
  readonly centers: Array<[number, number]> | null;
  readonly centerOffset: number;
  /** Base anchors per level, `[A, 4]` centred at the level's centre. */
  readonly baseAnchors: Float32Array[];

  constructor(cfg: AnchorGeneratorConfig) {
    const centerOffset = cfg.center_offset ?? 0;
    if (centerOffset !== 0 && cfg.centers != null) {
      throw new Error(`center cannot be set when center_offset!=0, ${JSON.stringify(cfg.centers)} is given.`);
    }
    if (centerOffset < 0 || centerOffset > 1) throw new Error(`center_offset should be in range [0, 1], ${centerOffset} is given.`);
    if (cfg.centers != null && cfg.centers.length !== cfg.strides.length) {
      throw new Error(`The number of strides should be the same as centers, got ${JSON.stringify(cfg.strides)} and ${JSON.stringify(cfg.centers)}`);
    }
    this.strides = cfg.strides.map((s) => (Array.isArray(s) ? [s[0], s[1]] : [s, s]));
    this.baseSizes = cfg.base_sizes ?? this.strides.map((s) => Math.min(s[0], s[1]));
    if (this.baseSizes.length !== this.strides.length) {
      throw new Error(`The number of strides should be the same as base sizes, got ${JSON.stringify(cfg.strides)} and ${JSON.stringify(this.baseSizes)}`);
    }
    const hasOctave = cfg.octave_base_scale != null && cfg.scales_per_octave != null;
    if ((cfg.scales != null) === hasOctave) {
      throw new Error('scales and octave_base_scale with scales_per_octave cannot be set at the same time');
    }
    if (cfg.scales != null) {
      this.scales = [...cfg.scales];
    } else {
      const n = cfg.scales_per_octave as number;
      const base = cfg.octave_base_scale as number;
      this.scales = Array.from({ length: n }, (_, i) => 2 ** (i / n) * base);
    }
    this.ratios = [...cfg.ratios];
    this.scaleMajor = cfg.scale_major ?? true;
    this.centers = cfg.centers ?? null;
    this.centerOffset = centerOffset;
    this.baseAnchors = this.baseSizes.map((size, i) => this.singleLevelBaseAnchors(size, this.centers?.[i] ?? null));
  }

  /** Number of levels. */
  get numLevels(): number {
    return this.strides.length;
  }

  /** Anchors per location of each level (`len(ratios) * len(scales)`). */
  get numBaseAnchors(): number[] {
    return this.baseAnchors.map((a) => a.length / 4);
  }

  private singleLevelBaseAnchors(baseSize: number, center: [number, number] | null): Float32Array {
    const w = baseSize;
    const h = baseSize;
    const xc = center === null ? this.centerOffset * w : center[0];
    const yc = center === null ? this.centerOffset * h : center[1];
    const nr = this.ratios.length;
    const ns = this.scales.length;
    const out = new Float32Array(nr * ns * 4);
    let k = 0;
    const put = (ratio: number, scale: number): void => {
      const hRatio = Math.fround(Math.sqrt(ratio));
      const wRatio = Math.fround(1 / hRatio);
      const ws = Math.fround(Math.fround(w * wRatio) * scale);
      const hs = Math.fround(Math.fround(h * hRatio) * scale);
      out[k++] = xc - 0.5 * ws;
      out[k++] = yc - 0.5 * hs;
      out[k++] = xc + 0.5 * ws;
      out[k++] = yc + 0.5 * hs;
    };
    if (this.scaleMajor) for (const r of this.ratios) for (const s of this.scales) put(r, s);
    else for (const s of this.scales) for (const r of this.ratios) put(r, s);
    return out;
  }

  /**
   * Anchors of one level over a feature map, ordered (y, x, anchor) as mmdet.
   * @param featmapSize `[h, w]` of the feature map
   * @returns `[h*w*A, 4]` row-major
   */
  singleLevelGridPriors(featmapSize: [number, number], level: number): Float32Array {
    const [fh, fw] = featmapSize;
    const [sw, sh] = this.strides[level];
    const base = this.baseAnchors[level];
    const a = base.length / 4;
    const out = new Float32Array(fh * fw * a * 4);
    let k = 0;
    for (let y = 0; y < fh; y++) {
      const sy = y * sh;
      for (let x = 0; x < fw; x++) {
        const sx = x * sw;
        for (let j = 0; j < a; j++) {
          out[k++] = base[4 * j] + sx;
          out[k++] = base[4 * j + 1] + sy;
          out[k++] = base[4 * j + 2] + sx;
          out[k++] = base[4 * j + 3] + sy;
        }
      }
    }
    return out;
  }

  /** Anchors of every level (`mlvl_anchors`). */
  gridPriors(featmapSizes: Array<[number, number]>): Float32Array[] {
    if (featmapSizes.length !== this.numLevels) {
      throw new Error(`expected ${this.numLevels} feature map sizes, got ${featmapSizes.length}`);
    }
    return featmapSizes.map((s, i) => this.singleLevelGridPriors(s, i));
  }

  /**
   * Which anchors lie in cells covered by the image's own padded area (cells created only by batch
   * padding are invalid), per level.
   * @param padShape `[h, w]` of the image after its own Pad (before batch padding)
   * @returns per level `Uint8Array` of length `h*w*A` (1 = valid)
   */
  validFlags(featmapSizes: Array<[number, number]>, padShape: [number, number]): Uint8Array[] {
    return featmapSizes.map(([fh, fw], i) => {
      const [sw, sh] = this.strides[i];
      const vh = Math.min(Math.ceil(padShape[0] / sh), fh);
      const vw = Math.min(Math.ceil(padShape[1] / sw), fw);
      const a = this.baseAnchors[i].length / 4;
      const out = new Uint8Array(fh * fw * a);
      for (let y = 0; y < vh; y++) for (let x = 0; x < vw; x++) out.fill(1, (y * fw + x) * a, (y * fw + x + 1) * a);
      return out;
    });
  }
}
