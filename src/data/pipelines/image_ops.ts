/**
 * @module Image geometry on HWC typed arrays: the parts of `mmcv/image/geometric.py` the core
 * pipelines use (`imresize`, `imrescale`, `rescale_size`, `imflip`, `impad`, `impad_to_multiple`).
 *
 * Resizing is a JS kernel reproducing OpenCV's `cv2.resize` (mmcv's default `backend='cv2'`):
 * - `bilinear` = `INTER_LINEAR`: half-pixel centres (`sx = (dx + 0.5) * src/dst - 0.5`), edge
 *   clamping, and for uint8 the 11-bit fixed-point coefficients of OpenCV's SIMD path. Against
 *   `cv2.resize` (parity.test.ts): identical on downscales, ±1 on under 1 % of values on upscales
 *   (OpenCV's optimised upscale paths round differently), float32 within 3e-5. An exact 2×
 *   downscale in both axes becomes `INTER_AREA` (2×2 mean), as cv2 does.
 * - `nearest` = `INTER_NEAREST`: `sx = floor(dx * src/dst)`.
 * Float32 images use the same geometry with float weights.
 */
import { ValueError } from '../../utils/errors.js';
import { DeferredImage } from './deferred_image.js';
import type { Image } from './types.js';

/** Interpolations supported by {@link imresize} (mmcv names). */
export type Interpolation = 'bilinear' | 'nearest';

/** mmcv `_scale_size`: `(int(w*s+0.5), int(h*s+0.5))`. */
export function scaleSize(w: number, h: number, scale: number): [number, number] {
  return [Math.trunc(w * scale + 0.5), Math.trunc(h * scale + 0.5)];
}

/**
 * mmcv `rescale_size`: the size `(w, h)` that fits `scale` keeping the aspect ratio.
 * @param w,h the old size in pixels
 * @param scale a factor, or `(long, short)` edge limits (either order: max is the long edge)
 * @returns `[newW, newH, factor]`
 */
export function rescaleSize(w: number, h: number, scale: number | readonly [number, number]): [number, number, number] {
  let factor: number;
  if (typeof scale === 'number') {
    if (scale <= 0) throw new ValueError('DATA_BAD_SCALE', `Invalid scale ${scale}, must be positive.`);
    factor = scale;
  } else {
    const maxLong = Math.max(scale[0], scale[1]);
    const maxShort = Math.min(scale[0], scale[1]);
    factor = Math.min(maxLong / Math.max(h, w), maxShort / Math.min(h, w));
  }
  const [nw, nh] = scaleSize(w, h, factor);
  return [nw, nh, factor];
}

function allocLike(img: Image, n: number): Uint8Array | Float32Array {
  return img.data instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n);
}

/** Per-axis linear sampling table of cv2 INTER_LINEAR: source index and the weight of index+1. */
function linearTable(src: number, dst: number, float32: boolean): { idx: Int32Array; frac: Float64Array } {
  // As cv2: scale = 1 / (dst / src) in double; for uint8 the source position is a float32
  // (measured against cv2: exact on downscales; the float path agrees best in double).
  const scale = 1 / (dst / src);
  const r = float32 ? Math.fround : (v: number) => v;
  const idx = new Int32Array(dst);
  const frac = new Float64Array(dst);
  for (let d = 0; d < dst; d++) {
    const f = r((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    let a = r(f - s);
    if (s < 0) {
      s = 0;
      a = 0;
    }
    if (s >= src - 1) {
      s = src - 1;
      a = 0;
    }
    idx[d] = s;
    frac[d] = a;
  }
  return { idx, frac };
}

/** Rounds half to even (C `lrint` in the default mode, as cv2's `cvRound`). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function resizeArea2x(img: Image, w: number, h: number): Image {
  const { data, width: sw, channels: c } = img;
  const out = allocLike(img, w * h * c);
  const isU8 = out instanceof Uint8Array;
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * sw * c;
    const r1 = r0 + sw * c;
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * c;
      const s = 2 * x * c;
      for (let k = 0; k < c; k++) {
        const sum = data[r0 + s + k]! + data[r0 + s + c + k]! + data[r1 + s + k]! + data[r1 + s + c + k]!;
        out[o + k] = isU8 ? (sum + 2) >> 2 : sum * 0.25;
      }
    }
  }
  return { data: out, height: h, width: w, channels: c };
}

/**
 * The rows of cv2's `INTER_LINEAR` resize of a uint8 image to `w × h` (its fixed-point path), one at
 * a time: `rows(y, out, offset)` writes output row `y` (`w × channels` bytes) at `out[offset]`.
 * Rows asked in order (up or down) reuse the horizontal pass of the previous row's source rows.
 * Not for the exact 2× downscale (cv2 averages there: `resizeArea2x`).
 */
export function linearRowsU8(img: Image & { data: Uint8Array }, w: number, h: number): (y: number, out: Uint8Array, offset: number) => void {
  const { data, width: sw, height: sh, channels: c } = img;
  const xt = linearTable(sw, w, true);
  const yt = linearTable(sh, h, true);
  const rowLen = w * c;
  // OpenCV fixed point: coefficients × 2048 (rounded), horizontal pass in int, vertical pass as
  // the SSE2 path: ((D0>>4)*b0 >> 16) + ((D1>>4)*b1 >> 16) + 2 >> 2.
  // Each weight rounded on its own (cv2 `saturate_cast<short>`, round half to even).
  const ax0 = new Int32Array(w);
  const ax = new Int32Array(w);
  for (let i = 0; i < w; i++) {
    ax0[i] = roundEven(Math.fround(1 - xt.frac[i]!) * 2048);
    ax[i] = roundEven(xt.frac[i]! * 2048);
  }
  let rowA = new Int32Array(rowLen);
  let rowB = new Int32Array(rowLen);
  const horiz = (sy: number, dst: Int32Array): void => {
    const base = sy * sw * c;
    for (let x = 0; x < w; x++) {
      const s0 = base + xt.idx[x]! * c;
      const s1 = xt.idx[x]! + 1 < sw ? s0 + c : s0;
      const a1 = ax[x]!;
      const a0 = ax0[x]!;
      for (let k = 0; k < c; k++) dst[x * c + k] = data[s0 + k]! * a0 + data[s1 + k]! * a1;
    }
  };
  let lastA = -1;
  let lastB = -1;
  return (y, out, o) => {
    const y0 = yt.idx[y]!;
    const y1 = Math.min(y0 + 1, sh - 1);
    if (lastA !== y0) {
      if (lastB === y0) {
        // The previous lower row is this upper row (walking down): swap instead of recomputing.
        const t = rowA;
        rowA = rowB;
        rowB = t;
        lastB = -1;
      } else if (lastA === y1 && lastB !== y1) {
        // Walking up: the previous upper row is this lower row.
        const t = rowB;
        rowB = rowA;
        rowA = t;
        lastB = y1;
        horiz(y0, rowA);
      } else {
        horiz(y0, rowA);
      }
      lastA = y0;
    }
    if (lastB !== y1) {
      horiz(y1, rowB);
      lastB = y1;
    }
    const b1 = roundEven(yt.frac[y]! * 2048);
    const b0 = roundEven(Math.fround(1 - yt.frac[y]!) * 2048);
    verticalU8(rowA, rowB, b0, b1, out, o, rowLen);
  };
}

/** The vertical pass of {@link linearRowsU8} for one output row (a plain function: V8 keeps its arrays in registers). */
function verticalU8(rowA: Int32Array, rowB: Int32Array, b0: number, b1: number, out: Uint8Array, o: number, rowLen: number): void {
  for (let i = 0; i < rowLen; i++) {
    const v = (((rowA[i]! >> 4) * b0) >> 16) + (((rowB[i]! >> 4) * b1) >> 16) + 2;
    const r = v >> 2;
    out[o + i] = r < 0 ? 0 : r > 255 ? 255 : r;
  }
}

function resizeBilinear(img: Image, w: number, h: number): Image {
  const { data, width: sw, height: sh, channels: c } = img;
  if (sw === 2 * w && sh === 2 * h) return resizeArea2x(img, w, h);
  const out = allocLike(img, w * h * c);
  const rowLen = w * c;
  if (data instanceof Uint8Array) {
    const rows = linearRowsU8(img as Image & { data: Uint8Array }, w, h);
    for (let y = 0; y < h; y++) rows(y, out as Uint8Array, y * rowLen);
  } else {
    const xt = linearTable(sw, w, false);
    const yt = linearTable(sh, h, false);
    for (let y = 0; y < h; y++) {
      const y0 = yt.idx[y]!;
      const y1 = Math.min(y0 + 1, sh - 1);
      const b = yt.frac[y]!;
      const r0 = y0 * sw * c;
      const r1 = y1 * sw * c;
      const o = y * rowLen;
      for (let x = 0; x < w; x++) {
        const x0 = xt.idx[x]! * c;
        const x1 = xt.idx[x]! + 1 < sw ? x0 + c : x0;
        const a = xt.frac[x]!;
        for (let k = 0; k < c; k++) {
          const top = data[r0 + x0 + k]! * (1 - a) + data[r0 + x1 + k]! * a;
          const bot = data[r1 + x0 + k]! * (1 - a) + data[r1 + x1 + k]! * a;
          out[o + x * c + k] = top * (1 - b) + bot * b;
        }
      }
    }
  }
  return { data: out, height: h, width: w, channels: c };
}

function resizeNearest(img: Image, w: number, h: number): Image {
  const { data, width: sw, height: sh, channels: c } = img;
  const out = allocLike(img, w * h * c);
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) xs[x] = Math.min(Math.floor(x * (sw / w)), sw - 1) * c;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.floor(y * (sh / h)), sh - 1);
    const r = sy * sw * c;
    const o = y * w * c;
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[o + x * c + k] = data[r + xs[x]! + k]!;
  }
  return { data: out, height: h, width: w, channels: c };
}

/**
 * mmcv `imresize`: resizes to exactly `(w, h)`.
 * @returns a new image (the input is not modified)
 */
export function imresize(img: Image, w: number, h: number, interpolation: Interpolation = 'bilinear'): Image {
  if (w <= 0 || h <= 0) throw new ValueError('DATA_BAD_SCALE', `imresize: target size must be positive, got (${w}, ${h})`);
  if (w === img.width && h === img.height) return { ...img, data: img.data.slice() };
  return interpolation === 'nearest' ? resizeNearest(img, w, h) : resizeBilinear(img, w, h);
}

/**
 * mmcv `imrescale`: resizes keeping the aspect ratio ({@link rescaleSize}).
 * @returns the resized image and the factor used
 */
export function imrescale(img: Image, scale: number | readonly [number, number], interpolation: Interpolation = 'bilinear'): [Image, number] {
  const [w, h, factor] = rescaleSize(img.width, img.height, scale);
  return [imresize(img, w, h, interpolation), factor];
}

/** mmcv `imflip`: `horizontal` mirrors columns, `vertical` rows, `diagonal` both. Returns a new image. */
export function imflip(img: Image, direction: 'horizontal' | 'vertical' | 'diagonal'): Image {
  const { data, width: w, height: h, channels: c } = img;
  const out = allocLike(img, data.length);
  const fx = direction !== 'vertical';
  const fy = direction !== 'horizontal';
  for (let y = 0; y < h; y++) {
    const sy = fy ? h - 1 - y : y;
    const o = y * w * c;
    const r = sy * w * c;
    if (!fx) {
      out.set(data.subarray(r, r + w * c), o);
      continue;
    }
    if (c === 3) {
      for (let x = 0, s = r + (w - 1) * 3, d = o; x < w; x++, s -= 3, d += 3) {
        out[d] = data[s]!;
        out[d + 1] = data[s + 1]!;
        out[d + 2] = data[s + 2]!;
      }
    } else if (c === 1) {
      for (let x = 0; x < w; x++) out[o + x] = data[r + w - 1 - x]!;
    } else {
      for (let x = 0; x < w; x++) {
        const s = r + (w - 1 - x) * c;
        for (let k = 0; k < c; k++) out[o + x * c + k] = data[s + k]!;
      }
    }
  }
  return { data: out, height: h, width: w, channels: c };
}

/**
 * mmcv `impad` (padding at the bottom and right): pads to `(h, w)` with `padVal`.
 * @throws ValueError `DATA_PAD_TOO_SMALL` when the target is smaller than the image
 */
export function impad(img: Image, h: number, w: number, padVal: number | readonly number[] = 0): Image {
  if (h < img.height || w < img.width) {
    throw new ValueError('DATA_PAD_TOO_SMALL', `impad: target shape (${h}, ${w}) is smaller than the image (${img.height}, ${img.width})`);
  }
  const c = img.channels;
  // Nothing to pad: images are never modified in place, so the input can be shared.
  if (h === img.height && w === img.width) return img;
  const vals = typeof padVal === 'number' ? new Array<number>(c).fill(padVal) : padVal;
  if (vals.length !== c) throw new ValueError('DATA_BAD_PAD_VAL', `impad: pad_val has ${vals.length} values but the image has ${c} channels`);
  // A normalized uint8 image grows its canvas without pixel work (see DeferredImage).
  const deferred = img instanceof DeferredImage ? img.padTo(h, w, vals) : null;
  if (deferred !== null) return deferred;
  const out = allocLike(img, h * w * c);
  if (vals.some((v) => v !== 0)) for (let i = 0; i < out.length; i++) out[i] = vals[i % c]!;
  const rowLen = img.width * c;
  for (let y = 0; y < img.height; y++) out.set(img.data.subarray(y * rowLen, (y + 1) * rowLen), y * w * c);
  return { data: out, height: h, width: w, channels: c };
}

/** mmcv `impad_to_multiple`: pads bottom/right so both sides are multiples of `divisor`. */
export function impadToMultiple(img: Image, divisor: number, padVal: number | readonly number[] = 0): Image {
  const h = Math.ceil(img.height / divisor) * divisor;
  const w = Math.ceil(img.width / divisor) * divisor;
  return impad(img, h, w, padVal);
}
