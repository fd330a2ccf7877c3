/**
 * @module BGR ⇄ HSV conversions as OpenCV's `cvtColor` computes them (`COLOR_BGR2HSV`,
 * `COLOR_HSV2BGR`), which mmcv's `bgr2hsv` / `hsv2bgr` call:
 * - float32 images: H in degrees `[0, 360)`, S in `[0, 1]`, V unscaled (OpenCV `RGB2HSV_f` /
 *   `HSV2RGB_f`, including its `FLT_EPSILON` guards);
 * - uint8 images: H in `[0, 180)`, S and V in `[0, 255]`, with OpenCV's 12-bit fixed-point
 *   division tables; HSV → BGR goes through the float path and rounds, as OpenCV does.
 * Values are interleaved HSV triples in the same HWC layout as the image.
 */
const FLT_EPSILON = 1.1920928955078125e-7;
/** Float BGR → HSV (`cv2.cvtColor(img, COLOR_BGR2HSV)` on float32), `[n*3]` → `[n*3]`. */
export function bgr2hsvFloat(bgr: Float32Array): Float32Array {
  const out = new Float32Array(bgr.length);
  for (let i = 0; i < bgr.length; i += 3) {
    const b = bgr[i]!;
    const g = bgr[i + 1]!;
    const r = bgr[i + 2]!;
    const v = b > g ? (b > r ? b : r) : g > r ? g : r;
    const vmin = b < g ? (b < r ? b : r) : g < r ? g : r;
    let diff = v - vmin;
    const s = diff / (Math.abs(v) + FLT_EPSILON);
    diff = 60 / (diff + FLT_EPSILON);
    let h: number;
    if (v === r) h = (g - b) * diff;
    else if (v === g) h = (b - r) * diff + 120;
    else h = (r - g) * diff + 240;
    if (h < 0) h += 360;
    out[i] = h;
    out[i + 1] = s;
    out[i + 2] = v;
  }
  return out;
}

/**
 * One HSV triple (H in units of `1 / hscale` per sextant) → `[b, g, r]`, as OpenCV's vectorised
 * `HSV2RGB_simd` (the path x86 and ARM builds take for all but a row's last few pixels): the
 * sextant is `trunc(h)` reduced modulo 6 with truncation, the fraction `h − trunc(h)`; so hues
 * above the range wrap, and negative hues keep a negative fraction (matches cv2 4.6 on those inputs).
 */
function hsvToBgr(hIn: number, s: number, v: number, hscale: number, out: Float32Array | Float64Array, o: number): void {
  const h = hIn * hscale;
  const pre = Math.trunc(h);
  const f = h - pre;
  const sector = pre - Math.trunc(pre / 6) * 6;
  const t0 = v;
  const t1 = v * (1 - s);
  const t2 = v * (1 - s * f);
  const t3 = v * (1 - s * (1 - f));
  out[o] = sector < 2 ? t1 : sector === 2 ? t3 : sector === 3 || sector === 4 ? t0 : t2;
  out[o + 1] = sector === 0 ? t3 : sector === 1 || sector === 2 ? t0 : sector === 3 ? t2 : sector > 3 ? t1 : 0;
  out[o + 2] = sector < 1 ? t0 : sector === 1 ? t2 : sector === 2 || sector === 3 ? t1 : sector === 4 ? t3 : t0;
}

/** Float HSV (H in degrees) → BGR (`cv2.cvtColor(img, COLOR_HSV2BGR)` on float32). */
export function hsv2bgrFloat(hsv: Float32Array): Float32Array {
  const out = new Float32Array(hsv.length);
  for (let i = 0; i < hsv.length; i += 3) hsvToBgr(hsv[i]!, hsv[i + 1]!, hsv[i + 2]!, 6 / 360, out, i);
  return out;
}

const HSV_SHIFT = 12;
const SDIV = new Int32Array(256);
const HDIV180 = new Int32Array(256);
for (let i = 1; i < 256; i++) {
  SDIV[i] = Math.round((255 << HSV_SHIFT) / i);
  HDIV180[i] = Math.round((180 << HSV_SHIFT) / (6 * i));
}

/** uint8 BGR → HSV with H in `[0, 180)` (`cv2.cvtColor` on uint8, OpenCV `RGB2HSV_b`). */
export function bgr2hsvU8(bgr: Uint8Array): Uint8Array {
  const out = new Uint8Array(bgr.length);
  const half = 1 << (HSV_SHIFT - 1);
  for (let i = 0; i < bgr.length; i += 3) {
    const b = bgr[i]!;
    const g = bgr[i + 1]!;
    const r = bgr[i + 2]!;
    const v = b > g ? (b > r ? b : r) : g > r ? g : r;
    const diff = v - (b < g ? (b < r ? b : r) : g < r ? g : r);
    const s = (diff * SDIV[v]! + half) >> HSV_SHIFT;
    let h = v === r ? g - b : v === g ? b - r + 2 * diff : r - g + 4 * diff;
    h = (h * HDIV180[diff]! + half) >> HSV_SHIFT;
    if (h < 0) h += 180;
    out[i] = h;
    out[i + 1] = s;
    out[i + 2] = v;
  }
  return out;
}

/** uint8 HSV (H in `[0, 180)`) → BGR (`cv2.cvtColor` on uint8: float conversion, then rounding). */
export function hsv2bgrU8(hsv: Uint8Array): Uint8Array {
  const out = new Uint8Array(hsv.length);
  const px = new Float64Array(3);
  for (let i = 0; i < hsv.length; i += 3) {
    hsvToBgr(hsv[i]!, hsv[i + 1]! / 255, hsv[i + 2]! / 255, 6 / 180, px, 0);
    // BGR values are in [0, 1] here, so rounding needs no clamp.
    out[i] = Math.round(px[0]! * 255);
    out[i + 1] = Math.round(px[1]! * 255);
    out[i + 2] = Math.round(px[2]! * 255);
  }
  return out;
}
