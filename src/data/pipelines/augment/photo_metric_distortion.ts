/**
 * @module Port of `PhotoMetricDistortion` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 */
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_ } from '../../../utils/errors.js';
import type { Image, Results, Transform, TransformContext } from '../types.js';
import { bgr2hsvFloat, hsv2bgrFloat } from './colorspace.js';
import { buildFromConfig, checkRange, requireImage, requireSingleImg } from './checks.js';

/** Options of {@link PhotoMetricDistortion} (mmdet keyword names). */
export interface PhotoMetricDistortionConfig {
  /** Brightness offset drawn from `U(−delta, delta)` (grey levels, default 32). */
  brightness_delta?: number;
  /** Contrast factor range (default `[0.5, 1.5]`). */
  contrast_range?: [number, number];
  /** Saturation factor range (default `[0.5, 1.5]`). */
  saturation_range?: [number, number];
  /** Hue offset drawn from `U(−delta, delta)` (degrees, default 18). */
  hue_delta?: number;
}

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['brightness_delta', 'contrast_range', 'saturation_range', 'hue_delta'];

/**
 * Photometric distortion of `img`, each step with probability 0.5, in mmdet's order: brightness;
 * contrast (mode 1: here); BGR→HSV; saturation; hue (wrapped to `[0, 360]`); HSV→BGR; contrast
 * (mode 0: here); channel permutation. The image becomes float32 and is not clipped.
 * Reads/writes `img`.
 */
export class PhotoMetricDistortion implements Transform {
  static readonly type = 'PhotoMetricDistortion';
  readonly brightness_delta: number;
  readonly contrast_lower: number;
  readonly contrast_upper: number;
  readonly saturation_lower: number;
  readonly saturation_upper: number;
  readonly hue_delta: number;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): PhotoMetricDistortion {
    return buildFromConfig('PhotoMetricDistortion', args, ctx, KEYS, (a) => new PhotoMetricDistortion(a as unknown as PhotoMetricDistortionConfig));
  }

  constructor(cfg: PhotoMetricDistortionConfig = {}) {
    this.brightness_delta = cfg.brightness_delta ?? 32;
    [this.contrast_lower, this.contrast_upper] = checkRange(cfg.contrast_range ?? [0.5, 1.5], 'contrast_range', 'PhotoMetricDistortion');
    [this.saturation_lower, this.saturation_upper] = checkRange(cfg.saturation_range ?? [0.5, 1.5], 'saturation_range', 'PhotoMetricDistortion');
    this.hue_delta = cfg.hue_delta ?? 18;
  }

  apply(results: Results, ctx: TransformContext): Results {
    requireSingleImg(results, 'PhotoMetricDistortion');
    const src = requireImage(results, 'PhotoMetricDistortion');
    if (src.channels !== 3) throw new AssertionError_('DATA_BAD_IMAGE', `PhotoMetricDistortion needs a 3-channel BGR image, got ${src.channels} channels`);
    const rng = ctx.rng;
    let img: Float32Array = Float32Array.from(src.data);
    if (rng.randint(2)) {
      const delta = rng.uniform(-this.brightness_delta, this.brightness_delta);
      for (let i = 0; i < img.length; i++) img[i] = img[i]! + delta;
    }
    // mode 1: contrast first, mode 0: contrast last.
    const mode = rng.randint(2);
    if (mode === 1 && rng.randint(2)) this.contrast(img, rng.uniform(this.contrast_lower, this.contrast_upper));
    img = bgr2hsvFloat(img);
    if (rng.randint(2)) {
      const f = rng.uniform(this.saturation_lower, this.saturation_upper);
      for (let i = 1; i < img.length; i += 3) img[i] = img[i]! * f;
    }
    if (rng.randint(2)) {
      const d = rng.uniform(-this.hue_delta, this.hue_delta);
      for (let i = 0; i < img.length; i += 3) {
        let h = img[i]! + d;
        if (h > 360) h -= 360;
        if (h < 0) h += 360;
        img[i] = h;
      }
    }
    img = hsv2bgrFloat(img);
    if (mode === 0 && rng.randint(2)) this.contrast(img, rng.uniform(this.contrast_lower, this.contrast_upper));
    if (rng.randint(2)) {
      const perm = rng.permutation(3);
      const out = new Float32Array(img.length);
      for (let i = 0; i < img.length; i += 3) for (let k = 0; k < 3; k++) out[i + k] = img[i + perm[k]!]!;
      img = out;
    }
    const result: Image = { data: img, height: src.height, width: src.width, channels: 3 };
    results.img = result;
    return results;
  }

  private contrast(img: Float32Array, alpha: number): void {
    for (let i = 0; i < img.length; i++) img[i] = img[i]! * alpha;
  }

  toString(): string {
    return `PhotoMetricDistortion(\nbrightness_delta=${this.brightness_delta},\ncontrast_range=(${this.contrast_lower}, ${this.contrast_upper}),\nsaturation_range=(${this.saturation_lower}, ${this.saturation_upper}),\nhue_delta=${this.hue_delta})`;
  }
}
