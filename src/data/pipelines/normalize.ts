/**
 * @module Port of `Normalize` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2 (mmcv `imnormalize`).
 */
import { ValueError } from '../../utils/errors.js';
import { DeferredImage } from './deferred_image.js';
import { FlippedImage } from './flipped_image.js';
import { ResizedImage } from './resized_image.js';
import type { Image, Results, Transform } from './utils.js';

/** Options of {@link Normalize} (mmdet keyword names). */
export interface NormalizeConfig {
  /** Per-channel mean, in the channel order after `to_rgb`. */
  mean: number[];
  /** Per-channel std. */
  std: number[];
  /** Convert BGR → RGB first (default true). */
  to_rgb?: boolean;
}

/** `img = (img[to_rgb ? RGB : as is] − mean) / std` as float32; writes `img_norm_cfg`. */
export class Normalize implements Transform {
  static readonly type = 'Normalize';
  readonly mean: number[];
  readonly std: number[];
  readonly to_rgb: boolean;

  constructor(cfg: NormalizeConfig) {
    if (!Array.isArray(cfg?.mean) || !Array.isArray(cfg?.std)) {
      throw new ValueError('DATA_BAD_NORMALIZE', 'Normalize needs mean and std lists', { configPath: cfg?.mean === undefined ? 'mean' : 'std' });
    }
    this.mean = cfg.mean.map(Number);
    this.std = cfg.std.map(Number);
    this.to_rgb = cfg.to_rgb ?? true;
  }

  apply(results: Results): Results {
    for (const key of results.img_fields ?? ['img']) {
      const img = results[key] as Image;
      const c = img.channels;
      if (this.mean.length !== c || this.std.length !== c) {
        throw new ValueError('DATA_BAD_NORMALIZE', `Normalize: mean/std have ${this.mean.length}/${this.std.length} values but the image has ${c} channels`);
      }
      // As mmcv's imnormalize_ (mmdet stores mean/std as float32): cv2.subtract of the float32 mean,
      // then cv2.multiply by 1/std in double, rounded to float32 — bit-identical to cv2 (checked on
      // random images against OpenCV 5.0).
      const inv = this.std.map((s) => 1 / Math.fround(s));
      const mean = this.mean.map((m) => Math.fround(m));
      const f = Math.fround;
      // A flipped or resized uint8 image is read (mirrored, row by row) by the deferred image
      // instead of being materialised.
      const flipped = img instanceof FlippedImage ? img : null;
      const lazyU8 = flipped !== null || img instanceof ResizedImage;
      const swap = this.to_rgb && c === 3;
      if (lazyU8 || img.data instanceof Uint8Array) {
        // uint8 input: a 256-entry table per channel gives the same float32 values; the lookups are
        // deferred to Pad/collate (DeferredImage), which write them straight into the batch.
        const lut = new Float32Array(256 * c);
        for (let k = 0; k < c; k++) for (let v = 0; v < 256; v++) lut[k * 256 + v] = f(v - mean[k]!) * inv[k]!;
        const map = Array.from({ length: c }, (_, k) => (swap ? 2 - k : k));
        results[key] =
          flipped !== null
            ? new DeferredImage(flipped.src, lut, map, undefined, { x: flipped.flipX, y: flipped.flipY })
            : new DeferredImage(img as Image & { data: Uint8Array }, lut, map);
        continue;
      }
      const src = img.data;
      const out = new Float32Array(src.length);
      if (c === 3) {
        const [m0, m1, m2] = mean as [number, number, number];
        const [s0, s1, s2] = inv as [number, number, number];
        const a = swap ? 2 : 0;
        const b = swap ? 0 : 2;
        for (let i = 0; i < out.length; i += 3) {
          out[i] = f(src[i + a]! - m0) * s0;
          out[i + 1] = f(src[i + 1]! - m1) * s1;
          out[i + 2] = f(src[i + b]! - m2) * s2;
        }
      } else {
        for (let i = 0; i < out.length; i += c) {
          for (let k = 0; k < c; k++) out[i + k] = f(src[i + k]! - mean[k]!) * inv[k]!;
        }
      }
      results[key] = { data: out, height: img.height, width: img.width, channels: c } satisfies Image;
    }
    results.img_norm_cfg = { mean: [...this.mean], std: [...this.std], to_rgb: this.to_rgb };
    return results;
  }

  toString(): string {
    return `Normalize(mean=${JSON.stringify(this.mean)}, std=${JSON.stringify(this.std)}, to_rgb=${this.to_rgb})`;
  }
}
