/**
 * @module Port of `mmdet/core/anchor/point_generator.py` (MlvlPointGenerator) @ v2.28.2.
 */

/** Config of {@link MlvlPointGenerator}. */
export interface MlvlPointGeneratorConfig {
  /** Stride of each level, a number or `[w, h]`. */
  strides: Array<number | [number, number]>;
  /** Offset of points within a cell as a fraction of the stride (0.5: cell centres). */
  offset?: number;
}

/** Points at feature-map cells of every level (FCOS and other anchor-free heads). */
export class MlvlPointGenerator {
  static readonly type = 'MlvlPointGenerator';
  readonly strides: Array<[number, number]>;
  readonly offset: number;

  constructor(cfg: MlvlPointGeneratorConfig) {
    this.strides = cfg.strides.map((s) => (Array.isArray(s) ? [s[0], s[1]] : [s, s]));
    this.offset = cfg.offset ?? 0.5;
  }

  get numLevels(): number {
    return this.strides.length;
  }

  /** One point per location. */
  get numBasePriors(): number[] {
    return this.strides.map(() => 1);
  }

  /**
   * Points of one level ordered (y, x): `[h*w, 2]` (`x, y`), or `[h*w, 4]` (`x, y, stride_w, stride_h`)
   * with `withStride`.
   */
  singleLevelGridPriors(featmapSize: [number, number], level: number, withStride = false): Float32Array {
    const [fh, fw] = featmapSize;
    const [sw, sh] = this.strides[level];
    const d = withStride ? 4 : 2;
    const out = new Float32Array(fh * fw * d);
    let k = 0;
    for (let y = 0; y < fh; y++) {
      for (let x = 0; x < fw; x++) {
        out[k++] = (x + this.offset) * sw;
        out[k++] = (y + this.offset) * sh;
        if (withStride) {
          out[k++] = sw;
          out[k++] = sh;
        }
      }
    }
    return out;
  }

  /** Points of every level. */
  gridPriors(featmapSizes: Array<[number, number]>, withStride = false): Float32Array[] {
    return featmapSizes.map((s, i) => this.singleLevelGridPriors(s, i, withStride));
  }

  /** Valid flags per level (points whose cell lies in the image's own padded area). */
  validFlags(featmapSizes: Array<[number, number]>, padShape: [number, number]): Uint8Array[] {
    return featmapSizes.map(([fh, fw], i) => {
      const [sw, sh] = this.strides[i];
      const vh = Math.min(Math.ceil(padShape[0] / sh), fh);
      const vw = Math.min(Math.ceil(padShape[1] / sw), fw);
      const out = new Uint8Array(fh * fw);
      for (let y = 0; y < vh; y++) out.fill(1, y * fw, y * fw + vw);
      return out;
    });
  }
}
