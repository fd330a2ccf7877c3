/**
 * @module A flipped uint8 image whose pixels are mirrored only when read: the fusion of mmdet's
 * `RandomFlip` (mmcv `imflip`) with the `Normalize` → `Pad` → collate pass of {@link DeferredImage}.
 *
 * Porting note: mmcv's `imflip` copies the image (1333x800: a 3.2 MB array, written and read once
 * more). detkit's `RandomFlip` of a uint8 image returns a {@link FlippedImage} (the source and the
 * flip axes); `Normalize` turns it into a `DeferredImage` that reads the source mirrored while
 * collate writes the batch, so a flipped image costs no pixel work of its own. Any other reader of
 * `data` gets the materialised array (`imflip` of the source, computed once, then cached): later
 * transforms see exactly the pixels the eager flip gives.
 */
import { imflip } from './image_ops.js';
import { ResizedImage } from './resized_image.js';
import type { FlipDirection, Image } from './types.js';

/** See the module doc. */
export class FlippedImage implements Image {
  /** The flipped `[height, width, channels]` pixels (computed on first read). */
  declare readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The unflipped uint8 source (a plain image or a `ResizedImage`). */
  readonly src: Image & { data: Uint8Array };
  /** Mirrored left-right. */
  readonly flipX: boolean;
  /** Mirrored top-bottom. */
  readonly flipY: boolean;

  /**
   * @param src uint8 source image (never modified)
   * @param flipX mirror the columns
   * @param flipY mirror the rows
   */
  constructor(src: Image & { data: Uint8Array }, flipX: boolean, flipY: boolean) {
    this.src = src;
    this.flipX = flipX;
    this.flipY = flipY;
    this.height = src.height;
    this.width = src.width;
    this.channels = src.channels;
    let cached: Uint8Array | null = null;
    // An own, enumerable accessor: `{...img}` and structuredClone read (and so materialise) it.
    Object.defineProperty(this, 'data', {
      enumerable: true,
      get: (): Uint8Array => {
        if (cached === null) {
          const dir: FlipDirection = flipX && flipY ? 'diagonal' : flipX ? 'horizontal' : 'vertical';
          cached = imflip(src, dir).data as Uint8Array;
        }
        return cached;
      },
    });
  }

  /**
   * mmcv `imflip(img, direction)`: deferred for uint8 images (a flip of a {@link FlippedImage}
   * composes the axes; flipping back gives the source), computed at once for other images.
   */
  static flip(img: Image, direction: FlipDirection): Image {
    const fx = direction !== 'vertical';
    const fy = direction !== 'horizontal';
    if (img instanceof FlippedImage) {
      const x = img.flipX !== fx;
      const y = img.flipY !== fy;
      return x || y ? new FlippedImage(img.src, x, y) : img.src;
    }
    // A plain uint8 object or a lazily resized one (not a lazy image whose `data` getter would
    // materialise float pixels).
    if (img instanceof ResizedImage || (Object.getPrototypeOf(img) === Object.prototype && img.data instanceof Uint8Array)) {
      return new FlippedImage(img as Image & { data: Uint8Array }, fx, fy);
    }
    return imflip(img, direction);
  }
}
