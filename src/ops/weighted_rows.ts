/**
 * @module detkit's WebAssembly SIMD kernel for weighted row sums (no mmcv counterpart).
 *
 * `dst[d_i .. d_i + C) += w_i * src[s_i .. s_i + C)` for a list of entries `(d_i, s_i, w_i)`:
 * the inner loop of {@link roiAlign}'s forward (rows = feature pixels, gathered into output bins)
 * and backward (output bins scattered back onto pixels). Plain JS does about one scalar
 * multiply-add per nanosecond here; the same loop in wasm with `f32x4` runs several times faster.
 * The module is assembled below from its opcodes (no toolchain needed); {@link weightedRowSums}
 * falls back to JS when WebAssembly SIMD is unavailable or `C` is not a multiple of 4.
 *
 * One module instance serves all calls; its memory grows to the largest call (entry table +
 * source + result) and is kept for reuse. Offsets are trusted (the caller builds them in range).
 */
import { instantiate, section, uleb, wasmName } from '../utils/wasm_emit.js';

/**
 * `run(table, n, src, dst, cBytes)`: for each of `n` 12-byte table entries
 * `[dstByteOffset i32, srcByteOffset i32, weight f32]`, adds `weight * src row` to the dst row,
 * 16 bytes (4 floats) at a time. All pointers are byte addresses in the module's memory.
 */
function moduleBytes(): Uint8Array {
  const [TABLE, N, SRC, DST, CBYTES, DP, SP, CH, WV] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const tee = (i: number): number[] => [0x22, i];
  const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_EQZ = 0x45, I32_LT_U = 0x49;
  const i32Const = (v: number): number[] => [0x41, v]; // small non-negative values only (< 64)
  const i32Load = (offset: number): number[] => [0x28, 2, offset];
  const f32Load = (offset: number): number[] => [0x2a, 2, offset];
  const V128_LOAD = [0xfd, 0x00, 0, 0], V128_STORE = [0xfd, 0x0b, 0, 0];
  const F32X4_SPLAT = [0xfd, 0x13], F32X4_ADD = [0xfd, 0xe4, 0x01], F32X4_MUL = [0xfd, 0xe6, 0x01];
  const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = 0x0b, BR_IF = 0x0d;
  const code = [
    ...BLOCK,
    ...get(N), I32_EQZ, BR_IF, 0, // nothing to do
    ...LOOP, // over entries
    ...get(DST), ...get(TABLE), ...i32Load(0), I32_ADD, ...set(DP),
    ...get(SRC), ...get(TABLE), ...i32Load(4), I32_ADD, ...set(SP),
    ...get(TABLE), ...f32Load(8), ...F32X4_SPLAT, ...set(WV),
    ...get(TABLE), ...i32Const(12), I32_ADD, ...set(TABLE),
    ...i32Const(0), ...set(CH),
    ...LOOP, // over 16-byte chunks of the row
    ...get(DP), ...get(CH), I32_ADD, // store address
    ...get(DP), ...get(CH), I32_ADD, ...V128_LOAD,
    ...get(WV), ...get(SP), ...get(CH), I32_ADD, ...V128_LOAD, ...F32X4_MUL,
    ...F32X4_ADD, ...V128_STORE,
    ...get(CH), ...i32Const(16), I32_ADD, ...tee(CH), ...get(CBYTES), I32_LT_U, BR_IF, 0,
    END,
    ...get(N), ...i32Const(1), I32_SUB, ...tee(N), BR_IF, 0,
    END,
    END,
    END, // function body
  ];
  // locals after the 5 params: 3 x i32 (DP, SP, CH), then 1 x v128 (WV = index 8)
  const body = [2, 3, 0x7f, 1, 0x7b, ...code];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // type: (i32 x5) -> ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // memory: min 1 page, no max
    ...section(7, [2, ...wasmName('run'), 0x00, 0, ...wasmName('mem'), 0x02, 0]), // exports
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** The module's exported memory (tsconfig's `lib` has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface Kernel {
  run: (table: number, n: number, src: number, dst: number, cBytes: number) => void;
  mem: WasmMemory;
}

let kernel: Kernel | null | undefined;

/** The compiled module, or null when this runtime has no WebAssembly SIMD. */
function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    // A runtime without SIMD rejects the bytes with a CompileError.
    const exports = instantiate(moduleBytes());
    kernel = { run: exports.run as Kernel['run'], mem: exports.mem as WasmMemory };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** A list of weighted row additions; offsets are in floats (row starts), `n` entries used. */
export interface RowEntries {
  dst: Int32Array;
  src: Int32Array;
  w: Float32Array;
  n: number;
}

/**
 * `out = zeros(dstLength)`, then `out[dst_i + j] += w_i * src[src_i + j]` for `j < c`, every entry.
 * @param entries `(dst_i, src_i, w_i)`, row offsets in floats
 * @param src source rows (flat)
 * @param dstLength length of the result
 * @param c row length (channels)
 * @param options `useWasm: false` forces the JS path (tests compare the two); `view: true` may
 *   return a view of the kernel's memory, valid only until the next call (saves a copy when the
 *   caller copies anyway)
 * @returns a Float32Array of `dstLength`
 */
export function weightedRowSums(
  entries: RowEntries, src: Float32Array, dstLength: number, c: number,
  options: { useWasm?: boolean; view?: boolean } = {},
): Float32Array {
  const k = (options.useWasm ?? true) && c % 4 === 0 && c > 0 ? getKernel() : null;
  if (k === null) {
    const out = new Float32Array(dstLength);
    for (let e = 0; e < entries.n; e++) {
      const d = entries.dst[e]!, s = entries.src[e]!, w = entries.w[e]!;
      for (let j = 0; j < c; j++) out[d + j] += w * src[s + j]!;
    }
    return out;
  }
  const tableBytes = entries.n * 12;
  const srcAt = Math.ceil(tableBytes / 16) * 16;
  const dstAt = srcAt + Math.ceil((src.length * 4) / 16) * 16;
  const total = dstAt + dstLength * 4;
  const have = k.mem.buffer.byteLength;
  if (total > have) k.mem.grow(Math.ceil((total - have) / 65536));
  const buf = k.mem.buffer;
  const ti = new Int32Array(buf, 0, entries.n * 3);
  const tf32 = new Float32Array(buf, 0, entries.n * 3);
  for (let e = 0; e < entries.n; e++) {
    ti[e * 3] = entries.dst[e]! * 4;
    ti[e * 3 + 1] = entries.src[e]! * 4;
    tf32[e * 3 + 2] = entries.w[e]!;
  }
  new Float32Array(buf, srcAt, src.length).set(src);
  const dst = new Float32Array(buf, dstAt, dstLength);
  dst.fill(0);
  k.run(0, entries.n, srcAt, dstAt, c * 4);
  return options.view === true ? dst : dst.slice();
}
