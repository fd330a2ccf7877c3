/**
 * @module Port of `Pad` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 */
import { AssertionError_ } from '../../utils/errors.js';
import { impad, impadToMultiple } from './image_ops.js';
import { padMasks } from './mask_ops.js';
import type { Image, InstanceMasksLike, Results, Transform } from './utils.js';

/** Pad values per field (mmdet `pad_val` dict). */
export interface PadVal {
  img?: number | number[];
  masks?: number;
  seg?: number;
}

/** Options of {@link Pad} (mmdet keyword names). */
export interface PadConfig {
  /** Fixed `(h, w)` to pad to. */
  size?: [number, number] | null;
  /** Pad each side up to a multiple of this. */
  size_divisor?: number | null;
  /** Pad to a square of the longer side. */
  pad_to_square?: boolean;
  /** Default `{img: 0, masks: 0, seg: 255}`; a number is the deprecated form `{img: n, masks: n, seg: 255}`. */
  pad_val?: PadVal | number;
}

/** Pads image, masks and maps at the bottom/right; writes `pad_shape, pad_fixed_size, pad_size_divisor`. */
export class Pad implements Transform {
  static readonly type = 'Pad';
  readonly size: [number, number] | null;
  readonly size_divisor: number | null;
  readonly pad_to_square: boolean;
  readonly pad_val: { img: number | number[]; masks: number; seg: number };

  constructor(cfg: PadConfig = {}) {
    this.size = cfg.size ?? null;
    this.size_divisor = cfg.size_divisor ?? null;
    this.pad_to_square = cfg.pad_to_square ?? false;
    const pv = cfg.pad_val ?? {};
    this.pad_val = typeof pv === 'number' ? { img: pv, masks: pv, seg: 255 } : { img: pv.img ?? 0, masks: pv.masks ?? 0, seg: pv.seg ?? 255 };
    if (this.pad_to_square) {
      if (this.size !== null || this.size_divisor !== null) {
        throw new AssertionError_('DATA_BAD_PAD', 'The size and size_divisor must be None when pad2square is True', { configPath: 'pad_to_square' });
      }
    } else if ((this.size === null) === (this.size_divisor === null)) {
      throw new AssertionError_('DATA_BAD_PAD', 'Pad: exactly one of size and size_divisor must be set', { configPath: 'size_divisor' });
    }
  }

  apply(results: Results): Results {
    let padded: Image | undefined;
    let fixed = this.size;
    for (const key of results.img_fields ?? ['img']) {
      const img = results[key] as Image;
      if (this.pad_to_square) {
        const m = Math.max(img.height, img.width);
        fixed = [m, m];
      }
      padded = fixed !== null ? impad(img, fixed[0], fixed[1], this.pad_val.img) : impadToMultiple(img, this.size_divisor!, this.pad_val.img);
      results[key] = padded;
    }
    if (padded !== undefined) results.pad_shape = [padded.height, padded.width, padded.channels];
    results.pad_fixed_size = fixed;
    results.pad_size_divisor = this.size_divisor;
    const [ph, pw] = results.pad_shape!;
    for (const key of results.mask_fields ?? []) {
      const m = results[key] as InstanceMasksLike | undefined;
      if (m !== undefined) results[key] = padMasks(m, ph, pw, this.pad_val.masks);
    }
    for (const key of results.seg_fields ?? []) results[key] = impad(results[key] as Image, ph, pw, this.pad_val.seg);
    return results;
  }

  toString(): string {
    return `Pad(size=${JSON.stringify(this.size)}, size_divisor=${this.size_divisor}, pad_to_square=${this.pad_to_square}, pad_val=${JSON.stringify(this.pad_val)})`;
  }
}
