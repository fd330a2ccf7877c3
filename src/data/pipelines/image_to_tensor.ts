/**
 * @module Port of `ImageToTensor` from `mmdet/datasets/pipelines/formatting.py` @ v2.28.2.
 *
 * Porting note: detkit images stay HWC (NHWC models), so this only converts to float32.
 */
import { DeferredImage } from './deferred_image.js';
import type { Image, Results, Transform } from './utils.js';

/** Options of {@link ImageToTensor}. */
export interface ImageToTensorConfig {
  /** Image keys to convert. */
  keys: string[];
}

/** Converts the listed images to float32 HWC. */
export class ImageToTensor implements Transform {
  static readonly type = 'ImageToTensor';
  readonly keys: string[];

  constructor(cfg: ImageToTensorConfig) {
    this.keys = cfg?.keys ?? ['img'];
  }

  apply(results: Results): Results {
    for (const k of this.keys) {
      const img = results[k] as Image | undefined;
      if (img !== undefined && !(img instanceof DeferredImage) && img.data instanceof Uint8Array) results[k] = { ...img, data: Float32Array.from(img.data) };
    }
    return results;
  }

  toString(): string {
    return `ImageToTensor(keys=${JSON.stringify(this.keys)})`;
  }
}
