/**
 * @module 3×3 stride-1 convs and their filter gradients by Winograd's F(2×2, 3×3) on the wasm
 * backend: tile transforms (wasm SIMD, `winograd_simd.ts`; JS, `winograd_transforms.ts`) around
 * 16 XNNPACK GEMMs (the wasm `BatchMatMul` on zero-copy views), 2.25× fewer multiply-adds than
 * XNNPACK's direct conv.
 *
 * Used for the forward conv (`conv2d.ts`), so also for the stride-1 input gradient (one forward
 * conv with the rotated filter, `conv2d_backprop_input.ts`), and for `Conv2DBackpropFilter`.
 * Results differ from the direct conv by float32 rounding only (the transforms add, subtract and
 * halve; relative error about 1e-6 of the output's scale).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv2d_backprop_filter.js';
import type { HeapBackend, KernelScope } from './utils.js';
import { filterTransformSimd, inputTransformSimd, outputTransformSimd } from './winograd_simd.js';
import { filterGradTransform, gradTransform, planeStride, tileGrid, type TileGrid } from './winograd_transforms.js';

/** Winograd products per tile (the 4×4 transformed tile). */
const PRODUCTS = 16;

/** Which Winograd kernel {@link winogradApplies} is asked about. */
export type WinogradUse = 'forward' | 'filter';

/**
 * Whether {@link conv2dWinograd} (`forward`, also the stride-1 input gradient) or
 * {@link conv2dFilterGradWinograd} (`filter`) serve a conv, and pay off on `threads` XNNPACK
 * threads. They serve 3×3 filters with stride 1 and dilation 1 (any padding) and channel counts that
 * are multiples of 4. Below {@link WINOGRAD_MIN_CHANNELS} channels, or {@link WINOGRAD_MIN_TILES}
 * tiles for the forward, the 16 GEMM calls and the transforms cost more than the multiply-adds
 * they save. Measured on this machine kind (one thread, median of 7, load about 4; direct /
 * Winograd ms, forward and dW): `[1,64,64,256]` 169 / 90 and 199 / 114; `[4,12,12,64]` (144
 * tiles) 1.4 / 1.0 and 2.3 / 1.5; `[1,16,16,256]` (64 tiles) 9.5 / 10.8 and 15.6 / 10.7;
 * `[4,24,24,32]` 1.7 / 2.0 and 2.3 / 2.6.
 */
export function winogradApplies(g: ConvGeometry, n: number, ci: number, co: number, use: WinogradUse, threads = 1): boolean {
  if (g.kh !== 3 || g.kw !== 3 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return false;
  // The SIMD transforms step over channels four at a time.
  if (ci % 4 !== 0 || co % 4 !== 0 || Math.min(ci, co) < WINOGRAD_MIN_CHANNELS) return false;
  const tiles = n * ((g.outH + 1) >> 1) * ((g.outW + 1) >> 1);
  return tiles >= WINOGRAD_MIN_TILES[use][threads > 1 ? 1 : 0];
}

/** Fewest input and output channels for {@link winogradApplies}. */
export const WINOGRAD_MIN_CHANNELS = 48;

/**
 * Fewest tiles (2×2 outputs, over the batch) for {@link winogradApplies}: `[one thread, more]`.
 * The forward splits only its GEMMs across threads, not its transforms: on two threads (idle,
 * direct / Winograd ms) `[1,64,64,256]` 82 / 55, `[1,32,32,256]` (256 tiles) 27 / 26,
 * `[1,16,16,512]` (64 tiles) 20 / 34; dW `[1,16,16,512]` 41 / 33, `[1,128,128,64]` 41 / 39.
 */
export const WINOGRAD_MIN_TILES: Readonly<Record<WinogradUse, readonly [number, number]>> = {
  forward: [128, 256],
  filter: [1, 1],
};

/**
 * `t` `[N, H, W, C]` copied into a zero buffer `[N, hp, wp, C]` at offset (top, left), cropped to it:
 * the padded input every tile reads 16 in-range values of, or `dY` extended to whole tiles.
 */
function zeroPadded(s: KernelScope, t: TensorInfo, hp: number, wp: number, top: number, left: number): TensorInfo {
  const backend = s.backend as HeapBackend;
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const out = s.own(backend.makeOutput([n, hp, wp, c], 'float32'));
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  const tv = backend.typedArrayFromHeap(t) as Float32Array;
  ov.fill(0);
  const cols = Math.min(w, wp - left);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < h && r + top < hp; r++) {
      const src = ((b * h + r) * w) * c;
      ov.set(tv.subarray(src, src + cols * c), ((b * hp + r + top) * wp + left) * c);
    }
  }
  return out;
}

/** The tile grid of a conv of `x` and `V_ξ` of its tiles: 16 planes `[T, Ci]`, {@link planeStride} apart. */
function transformedInput(s: KernelScope, x: TensorInfo, g: ConvGeometry): { grid: TileGrid; tiles: number; v: TensorInfo } {
  const backend = s.backend as HeapBackend;
  const c = x.shape[3]!;
  const grid = tileGrid(x.shape[0]!, g.outH, g.outW);
  const tiles = grid.n * grid.th * grid.tw;
  const xp = zeroPadded(s, x, grid.hp, grid.wp, g.padTop, g.padLeft);
  const plane = planeStride(tiles * c);
  const v = s.own(backend.makeOutput([PRODUCTS * plane], 'float32'));
  inputTransformSimd(backend, xp, grid, c, v, plane);
  s.release(xp);
  return { grid, tiles, v };
}

/**
 * The 16 products `a_ξ · b_ξ` of same-shaped planes laid in `a` and `b` {@link planeStride} apart.
 * @returns the 16 `[m, n]` products (owned by the scope)
 */
function planeGemms(s: KernelScope, a: TensorInfo, b: TensorInfo, m: number, k: number, n: number): TensorInfo[] {
  const out: TensorInfo[] = [];
  const [sa, sb] = [planeStride(m * k), planeStride(k * n)];
  for (let xi = 0; xi < PRODUCTS; xi++) {
    const av = s.view(a, xi * sa, [1, m, k]);
    const bv = s.view(b, xi * sb, [1, k, n]);
    out.push(s.run('BatchMatMul', { a: av, b: bv }, { transposeA: false, transposeB: false }));
    s.release(av);
    s.release(bv);
  }
  return out;
}

/**
 * A 3×3 stride-1 conv by F(2×2, 3×3).
 * @param x `[N, H, W, Ci]`; @param filter `[3, 3, Ci, Co]`
 * @returns `[N, OH, OW, Co]` (owned by the scope; call `scope.keep`)
 */
export function conv2dWinograd(s: KernelScope, x: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const backend = s.backend as HeapBackend;
  const [ci, co] = [filter.shape[2]!, filter.shape[3]!];
  const { grid, tiles, v } = transformedInput(s, x, g);
  const u = s.own(backend.makeOutput([PRODUCTS * planeStride(ci * co)], 'float32'));
  filterTransformSimd(backend, filter, ci * co, u, planeStride(ci * co));
  const m = planeGemms(s, v, u, tiles, ci, co);
  s.release(v);
  s.release(u);
  const y = s.own(backend.makeOutput([grid.n, g.outH, g.outW, co], 'float32'));
  const spill = s.own(backend.makeOutput([co], 'float32'));
  outputTransformSimd(backend, m, grid, co, g.outH, g.outW, y, spill);
  for (const t of m) s.release(t);
  s.release(spill);
  return y;
}

/**
 * dW of a 3×3 stride-1 conv by F(2×2, 3×3): `dW = Gᵀ [Σ_t V_t ⊙ (A dY_t Aᵀ)] G`, the sums as
 * GEMMs `S_ξᵀ = Ŷ_ξᵀ V_ξ`.
 * @param x forward input `[N, H, W, Ci]`; @param dy output gradient `[N, OH, OW, Co]`
 * @returns `[3, 3, Ci, Co]` (owned by the scope; call `scope.keep`)
 */
export function conv2dFilterGradWinograd(s: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const backend = s.backend as HeapBackend;
  const [ci, co] = [x.shape[3]!, dy.shape[3]!];
  const { grid, tiles, v } = transformedInput(s, x, g);
  // dY zero-extended to whole tiles (a copy only for an odd output size).
  const even = g.outH === 2 * grid.th && g.outW === 2 * grid.tw;
  const dyp = even ? dy : zeroPadded(s, dy, 2 * grid.th, 2 * grid.tw, 0, 0);
  const yh = s.own(backend.makeOutput([PRODUCTS * planeStride(tiles * co)], 'float32'));
  // Views after the last allocation.
  gradTransform(backend.typedArrayFromHeap(dyp) as Float32Array, grid, co, backend.typedArrayFromHeap(yh) as Float32Array, planeStride(tiles * co));
  if (!even) s.release(dyp);
  const sums = planeGemms(s, yh, v, co, tiles, ci);
  s.release(v);
  s.release(yh);
  const dw = s.own(backend.makeOutput([3, 3, ci, co], 'float32'));
  filterGradTransform(sums.map((t) => backend.typedArrayFromHeap(t) as Float32Array), ci, co, backend.typedArrayFromHeap(dw) as Float32Array);
  for (const t of sums) s.release(t);
  return dw;
}
