/**
 * @module The wasm SIMD tile transforms of Winograd F(2×2, 3×3) (`winograd_transforms.ts` has the
 * formulas), compiled at first use into a small module that works directly on the wasm backend's
 * memory, four channels per instruction. The JS forms of the same loops ran 3–5× slower: a JS
 * loop stores one float at a time, and the input transform writes 4× its input.
 *
 * Every kernel walks the channel axis, so channel counts must be multiples of 4.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { encodeModule, FuncBuilder, instantiate } from '../../utils/wasm_emit.js';
import type { HeapBackend } from './utils.js';
import type { TileGrid } from './winograd_transforms.js';

/** `input_tile(p, row, col, out, plane, end)`: `V = Bᵀ d B` of one tile, channels `[0, end)` bytes. */
function inputTile(): FuncBuilder {
  const f = new FuncBuilder('input_tile', 6);
  const [p, row, col, out, plane, end] = [0, 1, 2, 3, 4, 5];
  const rows = [p, f.addr(p, row, 1), f.addr(p, row, 2), f.addr(p, row, 3)];
  const at = rows.map((r) => [r, f.addr(r, col, 1), f.addr(r, col, 2), f.addr(r, col, 3)]);
  const o = Array.from({ length: 16 }, (_, k) => (k === 0 ? out : f.addr(out, plane, k)));
  f.loop(end, 16, (i) => {
    const d = at.map((r) => r.map((a) => f.load(a, i)));
    const [d0, d1, d2, d3] = d as [number[], number[], number[], number[]];
    // Rows Bᵀ d, then columns (Bᵀ d) B.
    const bt = [
      d0.map((_, j) => f.sub(d0[j]!, d2[j]!)),
      d0.map((_, j) => f.add(d1[j]!, d2[j]!)),
      d0.map((_, j) => f.sub(d2[j]!, d1[j]!)),
      d0.map((_, j) => f.sub(d1[j]!, d3[j]!)),
    ];
    bt.forEach(([e0, e1, e2, e3], a) => {
      [f.sub(e0!, e2!), f.add(e1!, e2!), f.sub(e2!, e1!), f.sub(e1!, e3!)].forEach((v, b) => f.store(o[4 * a + b]!, i, v));
    });
  });
  return f;
}

/**
 * `output_tile(m0 … m15, off, y00, y01, y10, y11, end)`: `Y = Aᵀ M A` of one tile from the 16
 * GEMM products at `m_ξ + off`.
 */
function outputTile(): FuncBuilder {
  const f = new FuncBuilder('output_tile', 22);
  const off = 16;
  const y = [17, 18, 19, 20];
  const end = 21;
  const m = Array.from({ length: 16 }, (_, k) => f.addr(k, off, 1));
  f.loop(end, 16, (i) => {
    const v = m.map((a) => f.load(a, i));
    const s = [0, 1, 2, 3].map((b) => f.add(f.add(v[b]!, v[4 + b]!), v[8 + b]!));
    const d = [0, 1, 2, 3].map((b) => f.sub(f.sub(v[4 + b]!, v[8 + b]!), v[12 + b]!));
    for (const [k, [e0, e1, e2, e3]] of [s, d].entries()) {
      f.store(y[2 * k]!, i, f.add(f.add(e0!, e1!), e2!));
      f.store(y[2 * k + 1]!, i, f.sub(f.sub(e1!, e2!), e3!));
    }
  });
  return f;
}

/** `filter(w, tap, u, plane, end)`: `U = G g Gᵀ` of the filter taps `w + k·tap`, pairs `[0, end)` bytes. */
function filterTile(): FuncBuilder {
  const f = new FuncBuilder('filter', 5);
  const [w, tap, u, plane, end] = [0, 1, 2, 3, 4];
  const taps = Array.from({ length: 9 }, (_, k) => (k === 0 ? w : f.addr(w, tap, k)));
  const o = Array.from({ length: 16 }, (_, k) => (k === 0 ? u : f.addr(u, plane, k)));
  const half = f.splat(0.5);
  // [p, q, r] → [p, ½(p + q + r), ½(p − q + r), r]
  const g = (p: number, q: number, r: number) => [p, f.mul(half, f.add(f.add(p, q), r)), f.mul(half, f.add(f.sub(p, q), r)), r];
  f.loop(end, 16, (i) => {
    const t = taps.map((a) => f.load(a, i));
    const cols = [0, 1, 2].map((j) => g(t[j]!, t[3 + j]!, t[6 + j]!)); // G g, column j (over kh)
    for (let a = 0; a < 4; a++) g(cols[0]![a]!, cols[1]![a]!, cols[2]![a]!).forEach((v, b) => f.store(o[4 * a + b]!, i, v));
  });
  return f;
}

interface SimdExports {
  input_tile(p: number, row: number, col: number, out: number, plane: number, end: number): void;
  output_tile(...args: number[]): void;
  filter(w: number, tap: number, u: number, plane: number, end: number): void;
}

/** A `WebAssembly.Memory` (tsconfig's `lib` has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The parts of the wasm backend used here: its memory and tensors' byte offsets in it. */
interface MemoryBackend extends HeapBackend {
  wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  getMemoryOffset(dataId: object): number;
}

const instances = new WeakMap<WasmMemory, SimdExports>();

/** The kernels instantiated on `backend`'s memory (compiled once per memory). */
function kernels(backend: MemoryBackend): SimdExports {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (memory === undefined) throw new Error('the wasm backend exposes no memory');
  let k = instances.get(memory);
  if (k === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    k = instantiate(encodeModule([inputTile(), outputTile(), filterTile()], shared), { env: { memory } }) as unknown as SimdExports;
    instances.set(memory, k);
  }
  return k;
}

/** Byte offset of `t`'s data in the wasm memory. */
function address(backend: HeapBackend, t: TensorInfo): number {
  return (backend as MemoryBackend).getMemoryOffset(t.dataId);
}

/**
 * `V = Bᵀ d B` of every 4×4 tile (stepping by 2) of the padded input.
 * @param xp `[N, hp, wp, C]`, zeros outside the image
 * @param v 16 planes `[T, C]` (`T = N·th·tw`), `plane` floats apart
 */
export function inputTransformSimd(backend: HeapBackend, xp: TensorInfo, grid: TileGrid, c: number, v: TensorInfo, plane: number): void {
  const k = kernels(backend as MemoryBackend);
  const x0 = address(backend, xp);
  const v0 = address(backend, v);
  const col = 4 * c;
  const row = grid.wp * col;
  let t = 0;
  for (let b = 0; b < grid.n; b++) {
    for (let ty = 0; ty < grid.th; ty++) {
      const r = x0 + (b * grid.hp + 2 * ty) * row;
      for (let tx = 0; tx < grid.tw; tx++, t++) k.input_tile(r + 2 * tx * col, row, col, v0 + t * col, 4 * plane, col);
    }
  }
}

/**
 * `Y = Aᵀ M A` of every tile into `[N, outH, outW, Co]`; the pixels of edge tiles beyond an odd
 * `outH`/`outW` go to `spill` (at least `Co` floats).
 * @param m the 16 GEMM products `M_ξ`, `[T, Co]` each
 */
export function outputTransformSimd(
  backend: HeapBackend, m: TensorInfo[], grid: TileGrid, co: number, outH: number, outW: number, y: TensorInfo, spill: TensorInfo,
): void {
  const k = kernels(backend as MemoryBackend);
  const ms = m.map((t) => address(backend, t));
  const y0 = address(backend, y);
  const sp = address(backend, spill);
  const px = 4 * co;
  let t = 0;
  for (let b = 0; b < grid.n; b++) {
    for (let ty = 0; ty < grid.th; ty++) {
      const r0 = y0 + (b * outH + 2 * ty) * outW * px;
      const bottom = 2 * ty + 1 < outH;
      for (let tx = 0; tx < grid.tw; tx++, t++) {
        const right = 2 * tx + 1 < outW;
        const a00 = r0 + 2 * tx * px;
        const a10 = a00 + outW * px;
        k.output_tile(...ms, t * px, a00, right ? a00 + px : sp, bottom ? a10 : sp, bottom && right ? a10 + px : sp, px);
      }
    }
  }
}

/**
 * `U = G g Gᵀ` of a 3×3 filter `[3, 3, Ci, Co]` into 16 planes `[Ci, Co]`, `plane` floats apart.
 */
export function filterTransformSimd(backend: HeapBackend, w: TensorInfo, pairs: number, u: TensorInfo, plane: number): void {
  kernels(backend as MemoryBackend).filter(address(backend, w), 4 * pairs, address(backend, u), 4 * plane, 4 * pairs);
}
