/**
 * @module Port of `DefaultFormatBundle` from `mmdet/datasets/pipelines/formatting.py` @ v2.28.2.
 *
 * Porting note: there are no DataContainers or tensors here. The image becomes float32 and stays HWC
 * (detkit is NHWC, see `structures/det_types.ts`); boxes/labels are already typed arrays. The
 * `pad_val.img` value is kept in `results.img_pad_val` for the collate step.
 */
import { DeferredImage } from './deferred_image.js';
import type { Image, Results, Transform } from './utils.js';

/** Options of {@link DefaultFormatBundle} (mmdet keyword names). */
export interface DefaultFormatBundleConfig {
  /** Convert a uint8 image to float32 (default true). */
  img_to_float?: boolean;
  /** Values the collate step pads with (default `{img: 0, masks: 0, seg: 255}`). */
  pad_val?: { img?: number; masks?: number; seg?: number };
}

/** Formats the common fields; fills `pad_shape`, `scale_factor`, `img_norm_cfg` defaults. */
export class DefaultFormatBundle implements Transform {
  static readonly type = 'DefaultFormatBundle';
  readonly img_to_float: boolean;
  readonly pad_val: { img: number; masks: number; seg: number };

  constructor(cfg: DefaultFormatBundleConfig = {}) {
    this.img_to_float = cfg.img_to_float ?? true;
    this.pad_val = { img: cfg.pad_val?.img ?? 0, masks: cfg.pad_val?.masks ?? 0, seg: cfg.pad_val?.seg ?? 255 };
  }

  apply(results: Results): Results {
    const img = results.img;
    if (img !== undefined) {
      const out: Image = this.img_to_float && !(img instanceof DeferredImage) && img.data instanceof Uint8Array ? { ...img, data: Float32Array.from(img.data) } : img;
      results.pad_shape ??= [img.height, img.width, img.channels];
      results.scale_factor ??= 1.0;
      results.img_norm_cfg ??= { mean: new Array<number>(img.channels).fill(0), std: new Array<number>(img.channels).fill(1), to_rgb: false };
      results.img = out;
      results.img_pad_val = this.pad_val.img;
    }
    return results;
  }

  toString(): string {
    return `DefaultFormatBundle(img_to_float=${this.img_to_float})`;
  }
}
