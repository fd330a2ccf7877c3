/**
 * @module A bilinearly resized uint8 image whose rows are computed only when read: the fusion of
 * mmdet's `Resize` (mmcv `imresize`, cv2 `INTER_LINEAR`) with the `Normalize` → `Pad` → collate
 * pass of `DeferredImage`.
 *
 * Porting note: mmcv's `imresize` writes the whole resized image (1333x800: a 3.2 MB array) that
 * the next steps read again. detkit's `Resize` of a uint8 image returns a {@link ResizedImage} (the
 * source and the size); the `DeferredImage` that `Normalize` makes of it computes each resized row
 * into a small buffer while collate writes the batch, so the full-size uint8 image never exists and
 * the batch is the only large array written. Any other reader of `data` gets the materialised
 * array (computed once, then cached) with exactly `imresize`'s pixels: both run the same row code
 * (`linearRowsU8`).
 */
import { imresize, linearRowsU8 } from './image_ops.js';
import type { Image } from './types.js';

/** See the module doc. */
export class ResizedImage implements Image {
  /** The resized `[height, width, channels]` pixels (computed on first read). */
  declare readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The uint8 source (never modified). */
  readonly src: Image & { data: Uint8Array };

  /**
   * @param src uint8 source image
   * @param width target width (px)
   * @param height target height (px)
   */
  constructor(src: Image & { data: Uint8Array }, width: number, height: number) {
    this.src = src;
    this.width = width;
    this.height = height;
    this.channels = src.channels;
    // An own, enumerable accessor: `{...img}` and structuredClone read (and so materialise) it.
    Object.defineProperty(this, 'data', {
      enumerable: true,
      get: (): Uint8Array => {
        this.#cached ??= imresize(src, width, height, 'bilinear').data as Uint8Array;
        return this.#cached;
      },
    });
  }

  /** The materialised pixels once `data` was read. */
  #cached: Uint8Array | null = null;

  /**
   * A reader of the resized rows: `read(y, out, offset)` writes row `y` (`width × channels` bytes)
   * at `out[offset]`. Rows read in order, upwards or downwards, cost one vertical pass each.
   */
  rowReader(): (y: number, out: Uint8Array, offset: number) => void {
    const done = this.#cached;
    if (done !== null) {
      // Already materialised (a transform read `data`): copy its rows instead of recomputing them.
      const rowLen = this.width * this.channels;
      return (y, out, offset) => out.set(done.subarray(y * rowLen, (y + 1) * rowLen), offset);
    }
    return linearRowsU8(this.src, this.width, this.height);
  }

  /**
   * mmcv `imresize(img, w, h)` with bilinear interpolation: deferred for plain uint8 images (except
   * the exact 2× downscale, which cv2 averages, and the same size, which copies), computed at once
   * otherwise.
   */
  static resize(img: Image, width: number, height: number): Image {
    const same = width === img.width && height === img.height;
    const half = img.width === 2 * width && img.height === 2 * height;
    if (!same && !half && width > 0 && height > 0 && Object.getPrototypeOf(img) === Object.prototype && img.data instanceof Uint8Array) {
      return new ResizedImage(img as Image & { data: Uint8Array }, width, height);
    }
    return imresize(img, width, height, 'bilinear');
  }
}
