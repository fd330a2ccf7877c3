/**
 * @module A normalized (and possibly padded) image whose float32 pixels are computed only when read:
 * the fusion of mmdet's `Normalize` → `Pad` → collate copy for uint8 images.
 *
 * Porting note: mmdet materialises a float32 image at `Normalize`, copies it again at `Pad` and once
 * more when collating the batch. detkit's `Normalize` of a uint8 image returns a {@link DeferredImage}
 * (the uint8 source plus a 256-entry table per channel), `impad` grows its canvas without touching
 * pixels, and `collate` writes the table lookups straight into the batch ({@link DeferredImage.writeInto}).
 * Any other reader of `data` gets the materialised array (computed once, then cached), with exactly
 * the values the eager path gives, so pipelines that read pixels after `Normalize` behave as before.
 * This removes two full-size float32 allocations and copies per image (1333x800: 2 × 12 MB).
 */
import type { Image } from './types.js';

/** See the module doc. */
export class DeferredImage implements Image {
  /** The materialised `[height, width, channels]` float32 pixels (computed on first read). */
  declare readonly data: Float32Array;
  /** Canvas height (≥ the source height; rows below the source are `padVals`). */
  readonly height: number;
  /** Canvas width (≥ the source width; columns right of the source are `padVals`). */
  readonly width: number;
  readonly channels: number;
  /** The uint8 HWC source, at the canvas' top-left (a `ResizedImage` is read row by row). */
  readonly src: Image & { data: Uint8Array };
  /** `[channels * 256]`: output channel `k` of source value `v` is `lut[k * 256 + v]`. */
  readonly lut: Float32Array;
  /** Source channel read by each output channel (a BGR → RGB swap is `[2, 1, 0]`). */
  readonly channelMap: readonly number[];
  /** Per-channel value of the canvas outside the source. */
  readonly padVals: readonly number[];
  /** The source is read mirrored left-right (a fused `RandomFlip`, see `FlippedImage`). */
  readonly flipX: boolean;
  /** The source is read mirrored top-bottom. */
  readonly flipY: boolean;

  /**
   * @param src uint8 source image
   * @param lut `[src.channels * 256]` table (see {@link lut})
   * @param channelMap source channel of each output channel
   * @param canvas `[height, width]` of the result (default: the source's) and its per-channel fill
   * @param flip read the source mirrored (default: not): the pixels of `imflip(src)`
   */
  constructor(
    src: Image & { data: Uint8Array },
    lut: Float32Array,
    channelMap: readonly number[],
    canvas?: { height: number; width: number; padVals: readonly number[] },
    flip?: { x: boolean; y: boolean },
  ) {
    this.src = src;
    this.flipX = flip?.x ?? false;
    this.flipY = flip?.y ?? false;
    this.lut = lut;
    this.channelMap = channelMap;
    this.channels = src.channels;
    this.height = canvas?.height ?? src.height;
    this.width = canvas?.width ?? src.width;
    this.padVals = canvas?.padVals ?? new Array<number>(src.channels).fill(0);
    let cached: Float32Array | null = null;
    // An own, enumerable accessor: `{...img}` and structuredClone read (and so materialise) it.
    Object.defineProperty(this, 'data', {
      enumerable: true,
      get: (): Float32Array => {
        if (cached === null) {
          cached = new Float32Array(this.height * this.width * this.channels);
          this.writeInto(cached, this.width, 0);
        }
        return cached;
      },
    });
  }

  /**
   * The same pixels on a larger `h × w` canvas filled with `padVals` (mmcv `impad`), without pixel
   * work; `null` when the canvas is already padded with other values (the caller pads eagerly).
   */
  padTo(h: number, w: number, padVals: readonly number[]): DeferredImage | null {
    if (h === this.height && w === this.width) return this;
    const padded = this.height !== this.src.height || this.width !== this.src.width;
    if (padded && padVals.some((v, k) => v !== this.padVals[k])) return null;
    return new DeferredImage(this.src, this.lut, this.channelMap, { height: h, width: w, padVals }, { x: this.flipX, y: this.flipY });
  }

  /**
   * Writes the `height × width × channels` canvas into `out` at element `offset`, with rows
   * `rowStride` pixels apart (a wider batch row). Values outside the canvas are left untouched.
   */
  writeInto(out: Float32Array, rowStride: number, offset: number): void {
    const c = this.channels;
    const { width: sw, height: sh } = this.src;
    // A lazily resized source (`ResizedImage`) hands out its rows one at a time into a row buffer;
    // reading its `data` would materialise the whole resized image.
    const reader = (this.src as { rowReader?: () => (y: number, out: Uint8Array, offset: number) => void }).rowReader?.();
    const rowBuf = reader === undefined ? null : new Uint8Array(sw * c);
    const whole = reader === undefined ? this.src.data : null;
    const lut = this.lut;
    const map = this.channelMap;
    const rowOut = rowStride * c;
    const padRight = this.width > sw;
    for (let y = 0; y < this.height; y++) {
      const o = offset + y * rowOut;
      if (y >= sh) {
        for (let x = 0; x < this.width; x++) for (let k = 0; k < c; k++) out[o + x * c + k] = this.padVals[k]!;
        continue;
      }
      const sy = this.flipY ? sh - 1 - y : y;
      let src: Uint8Array;
      let s: number;
      if (reader !== undefined) {
        reader(sy, rowBuf!, 0);
        src = rowBuf!;
        s = 0;
      } else {
        src = whole!;
        s = sy * sw * c;
      }
      if (c === 3) {
        const a = map[0]!;
        const b = map[1]!;
        const d = map[2]!;
        if (this.flipX) {
          for (let i = s + (sw - 1) * 3, j = o; i >= s; i -= 3, j += 3) {
            out[j] = lut[src[i + a]!]!;
            out[j + 1] = lut[256 + src[i + b]!]!;
            out[j + 2] = lut[512 + src[i + d]!]!;
          }
        } else {
          for (let i = s, j = o; i < s + sw * 3; i += 3, j += 3) {
            out[j] = lut[src[i + a]!]!;
            out[j + 1] = lut[256 + src[i + b]!]!;
            out[j + 2] = lut[512 + src[i + d]!]!;
          }
        }
      } else {
        for (let x = 0; x < sw; x++) {
          const sx = this.flipX ? sw - 1 - x : x;
          for (let k = 0; k < c; k++) out[o + x * c + k] = lut[k * 256 + src[s + sx * c + map[k]!]!]!;
        }
      }
      if (padRight) for (let x = sw; x < this.width; x++) for (let k = 0; k < c; k++) out[o + x * c + k] = this.padVals[k]!;
    }
  }
}
