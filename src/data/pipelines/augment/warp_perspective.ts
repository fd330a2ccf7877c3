/**
 * @module `cv2.warpPerspective(img, M, dsize, borderValue=...)` on HWC typed-array images
 * (OpenCV's default `INTER_LINEAR`, `BORDER_CONSTANT`), plus point warping.
 *
 * As OpenCV: `M` maps source to destination and is inverted (in double); each destination pixel's
 * source position is rounded to 1/32 pixel (`INTER_BITS = 5`); uint8 images blend the 4 neighbours
 * with 15-bit fixed-point weights that sum to exactly 32768; neighbours outside the source take the
 * border value. `nearest` rounds the source position to the closest pixel (used for bitmap masks).
 */
import type { Image } from '../types.js';

/** A 3×3 matrix, row-major. */
export type Mat3 = readonly number[];

/** `a @ b` for 3×3 row-major matrices. */
export function matmul3(a: Mat3, b: Mat3): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += a[i * 3 + k]! * b[k * 3 + j]!;
  return out;
}

/** Inverse of a 3×3 matrix (zeros when singular, as `cv::invert` with `DECOMP_LU`). */
export function invert3(m: Mat3): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (det === 0) return new Array<number>(9).fill(0);
  const r = 1 / det;
  return [A * r, -(b * i - c * h) * r, (b * f - c * e) * r, B * r, (a * i - c * g) * r, -(a * f - c * d) * r, C * r, -(a * h - b * g) * r, (a * e - b * d) * r];
}

const INTER_BITS = 5;
const TAB = 1 << INTER_BITS;
const COEF_SCALE = 1 << 15;
/** OpenCV's 2-D bilinear weight table: `[fy][fx] → (w00, w01, w10, w11)` in 1/32768. */
const WTAB = (() => {
  const t = new Int32Array(TAB * TAB * 4);
  for (let fy = 0; fy < TAB; fy++) {
    for (let fx = 0; fx < TAB; fx++) {
      const a = fx / TAB;
      const b = fy / TAB;
      const w = [(1 - a) * (1 - b), a * (1 - b), (1 - a) * b, a * b].map((v) => Math.round(v * COEF_SCALE));
      const diff = w.reduce((s, v) => s + v, 0) - COEF_SCALE;
      if (diff !== 0) {
        // As OpenCV: take the excess off the smallest weight, or give the shortfall to the largest.
        const k = diff > 0 ? w.indexOf(Math.min(...w)) : w.indexOf(Math.max(...w));
        w[k] = w[k]! - diff;
      }
      t.set(w, (fy * TAB + fx) * 4);
    }
  }
  return t;
})();

/**
 * Warps `img` by `m` (source → destination) into a `dw × dh` image.
 * @param border one value per channel for pixels that come from outside the source
 */
export function warpPerspective(img: Image, m: Mat3, dw: number, dh: number, border: readonly number[], interpolation: 'bilinear' | 'nearest' = 'bilinear'): Image {
  const inv = invert3(m);
  const { width: sw, height: sh, channels: c, data } = img;
  const isU8 = data instanceof Uint8Array;
  const out = isU8 ? new Uint8Array(dw * dh * c) : new Float32Array(dw * dh * c);
  const tap = (x: number, y: number, k: number): number => (x >= 0 && y >= 0 && x < sw && y < sh ? data[(y * sw + x) * c + k]! : border[k]!);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const X0 = inv[0]! * x + inv[1]! * y + inv[2]!;
      const Y0 = inv[3]! * x + inv[4]! * y + inv[5]!;
      const W = inv[6]! * x + inv[7]! * y + inv[8]!;
      const o = (y * dw + x) * c;
      if (interpolation === 'nearest') {
        const iw = W !== 0 ? 1 / W : 0;
        const sx = Math.round(X0 * iw);
        const sy = Math.round(Y0 * iw);
        for (let k = 0; k < c; k++) out[o + k] = tap(sx, sy, k);
        continue;
      }
      const iw = W !== 0 ? TAB / W : 0;
      const X = Math.round(X0 * iw);
      const Y = Math.round(Y0 * iw);
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = X & (TAB - 1);
      const fy = Y & (TAB - 1);
      if (isU8) {
        const wt = (fy * TAB + fx) * 4;
        for (let k = 0; k < c; k++) {
          const v = tap(sx, sy, k) * WTAB[wt]! + tap(sx + 1, sy, k) * WTAB[wt + 1]! + tap(sx, sy + 1, k) * WTAB[wt + 2]! + tap(sx + 1, sy + 1, k) * WTAB[wt + 3]!;
          out[o + k] = Math.min(Math.max((v + (1 << 14)) >> 15, 0), 255);
        }
      } else {
        const a = fx / TAB;
        const b = fy / TAB;
        for (let k = 0; k < c; k++) {
          out[o + k] = (tap(sx, sy, k) * (1 - a) + tap(sx + 1, sy, k) * a) * (1 - b) + (tap(sx, sy + 1, k) * (1 - a) + tap(sx + 1, sy + 1, k) * a) * b;
        }
      }
    }
  }
  return { data: out, height: dh, width: dw, channels: c };
}

/** Applies `m` to points `(x, y)` with the perspective divide; returns `[x', y']`. */
export function warpPoint(m: Mat3, x: number, y: number): [number, number] {
  const w = m[6]! * x + m[7]! * y + m[8]!;
  return [(m[0]! * x + m[1]! * y + m[2]!) / w, (m[3]! * x + m[4]! * y + m[5]!) / w];
}
