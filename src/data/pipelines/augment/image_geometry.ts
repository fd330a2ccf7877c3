/**
 * @module Image slicing helpers of the augmentation transforms (numpy `img[y1:y2, x1:x2]`, canvas
 * fills and pastes) on HWC typed-array images.
 */
import type { Image } from '../types.js';

/** A new `h × w × c` image of the same dtype as `like`, every pixel set to `fill` (one value or one per channel). */
export function fullImage(like: Image | 'uint8' | 'float32', h: number, w: number, c: number, fill: number | readonly number[]): Image {
  const float = like === 'float32' || (typeof like === 'object' && like.data instanceof Float32Array);
  const n = h * w * c;
  const data = float ? new Float32Array(n) : new Uint8Array(n);
  if (typeof fill === 'number' || fill.every((v) => v === fill[0])) {
    data.fill(typeof fill === 'number' ? fill : fill[0]!);
  } else if (n > 0) {
    // One pixel, then double the filled prefix (a few large copies instead of n small writes).
    for (let k = 0; k < c; k++) data[k] = fill[k]!;
    for (let len = c; len < n; len *= 2) data.copyWithin(len, 0, Math.min(len, n - len));
  }
  return { data, height: h, width: w, channels: c };
}

/** numpy `img[y1:y2, x1:x2]` (bounds clamped like numpy slices); returns a copy. */
export function cropImage(img: Image, x1: number, y1: number, x2: number, y2: number): Image {
  const cx1 = Math.min(Math.max(x1, 0), img.width);
  const cx2 = Math.min(Math.max(x2, cx1), img.width);
  const cy1 = Math.min(Math.max(y1, 0), img.height);
  const cy2 = Math.min(Math.max(y2, cy1), img.height);
  const w = cx2 - cx1;
  const h = cy2 - cy1;
  const c = img.channels;
  const out = img.data instanceof Float32Array ? new Float32Array(h * w * c) : new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) {
    const s = ((cy1 + y) * img.width + cx1) * c;
    out.set(img.data.subarray(s, s + w * c), y * w * c);
  }
  return { data: out, height: h, width: w, channels: c };
}

/**
 * `dst[y, x, :] = src[sy, sx, :]` for the `w × h` rectangle with top-left `(dx, dy)` in `dst` and
 * `(sx, sy)` in `src` (in place on `dst`; values are converted to `dst`'s dtype by typed-array assignment).
 */
export function pasteImage(dst: Image, src: Image, dx: number, dy: number, sx: number, sy: number, w: number, h: number): void {
  const c = dst.channels;
  for (let y = 0; y < h; y++) {
    const s = ((sy + y) * src.width + sx) * c;
    dst.data.set(src.data.subarray(s, s + w * c), ((dy + y) * dst.width + dx) * c);
  }
}
