/**
 * @module A minimal WebAssembly binary writer for detkit's SIMD kernels (no toolchain needed):
 * LEB128 and section encoding, {@link FuncBuilder} / {@link encodeModule} for functions of i32
 * parameters over an imported memory (`env.memory`, e.g. the wasm backend's own), with i32 and
 * v128 locals, and {@link instantiate}. Only the instructions those kernels use are spelled out (WebAssembly core spec
 * 2.0, §5 binary format; fixed-width SIMD opcodes after the 0xFD prefix).
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A name: its length, then its bytes (ASCII names). */
export const wasmName = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
/** Section `id` with its byte length. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f;
const V128 = 0x7b;

/** f32x4 lane-wise binary ops (0xFD-prefixed opcodes). */
const F32X4 = { add: 0xe4, sub: 0xe5, mul: 0xe6 } as const;

/**
 * One function under construction: `params` i32 parameters (locals 0…params−1), no results.
 * Value-producing helpers return the index of a fresh local holding the value.
 */
export class FuncBuilder {
  private readonly body: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(
    readonly name: string,
    readonly params: number,
  ) {}

  private newLocal(type: number): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  /** `a + b·k` (i32) into a new local; `b` a local, `k` a constant. */
  addr(a: number, b: number | null, k = 1): number {
    this.body.push(0x20, ...uleb(a));
    if (b !== null && k !== 0) {
      this.body.push(0x20, ...uleb(b));
      if (k !== 1) this.body.push(0x41, ...sleb(k), 0x6c);
      this.body.push(0x6a);
    }
    const l = this.newLocal(I32);
    this.body.push(0x21, ...uleb(l));
    return l;
  }

  /** A v128 local holding `v` in every f32 lane. */
  splat(v: number): number {
    this.body.push(0x43, ...new Uint8Array(Float32Array.of(v).buffer), 0xfd, 0x13);
    const l = this.newLocal(V128);
    this.body.push(0x21, ...uleb(l));
    return l;
  }

  /** `v128.load` at `base + i` into a new local. */
  load(base: number, i: number): number {
    this.body.push(0x20, ...uleb(base), 0x20, ...uleb(i), 0x6a, 0xfd, 0x00, 0, 0);
    const l = this.newLocal(V128);
    this.body.push(0x21, ...uleb(l));
    return l;
  }

  /** `v128.store` of local `v` at `base + i`. */
  store(base: number, i: number, v: number): void {
    this.body.push(0x20, ...uleb(base), 0x20, ...uleb(i), 0x6a, 0x20, ...uleb(v), 0xfd, 0x0b, 0, 0);
  }

  /** f32x4 `a op b` into a new local. */
  private op(kind: keyof typeof F32X4, a: number, b: number): number {
    this.body.push(0x20, ...uleb(a), 0x20, ...uleb(b), 0xfd, ...uleb(F32X4[kind]));
    const l = this.newLocal(V128);
    this.body.push(0x21, ...uleb(l));
    return l;
  }

  add(a: number, b: number): number {
    return this.op('add', a, b);
  }

  sub(a: number, b: number): number {
    return this.op('sub', a, b);
  }

  mul(a: number, b: number): number {
    return this.op('mul', a, b);
  }

  /**
   * `for (i = 0; i < end; i += step) body(i)`, `end` a local; `body` emits with `i` as the byte
   * offset local.
   */
  loop(end: number, step: number, body: (i: number) => void): void {
    const i = this.newLocal(I32);
    this.body.push(0x41, 0, 0x21, ...uleb(i)); // i = 0
    this.body.push(0x02, 0x40, 0x03, 0x40); // block, loop
    this.body.push(0x20, ...uleb(i), 0x20, ...uleb(end), 0x4f, 0x0d, 1); // br_if 1 (i >= end, unsigned)
    body(i);
    this.body.push(0x20, ...uleb(i), 0x41, ...sleb(step), 0x6a, 0x21, ...uleb(i)); // i += step
    this.body.push(0x0c, 0, 0x0b, 0x0b); // br 0, end loop, end block
  }

  /** The function's code-section entry. */
  encode(): number[] {
    const groups: number[][] = [];
    for (let k = 0; k < this.localTypes.length; ) {
      let n = 1;
      while (k + n < this.localTypes.length && this.localTypes[k + n] === this.localTypes[k]) n++;
      groups.push([...uleb(n), this.localTypes[k]!]);
      k += n;
    }
    const code = [...vec(groups), ...this.body, 0x0b];
    return [...uleb(code.length), ...code];
  }
}

/**
 * A module importing `env.memory` (shared, as the threaded wasm build's, or not) and exporting
 * each function under its name.
 */
export function encodeModule(funcs: FuncBuilder[], sharedMemory: boolean): Uint8Array {
  const types = funcs.map((f) => [0x60, ...uleb(f.params), ...new Array<number>(f.params).fill(I32), 0]);
  // Limits: min 0 and, for shared memory, the required maximum (65536 pages = 4 GiB).
  const memType = sharedMemory ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...wasmName('env'), ...wasmName('memory'), 0x02, ...memType]])),
    ...section(3, vec(funcs.map((_, k) => uleb(k)))),
    ...section(7, vec(funcs.map((f, k) => [...wasmName(f.name), 0x00, ...uleb(k)]))),
    ...section(10, vec(funcs.map((f) => f.encode()))),
  ];
  return Uint8Array.from(bytes);
}

/** The parts of the WebAssembly JS API detkit uses (tsconfig's `lib` has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
}

/**
 * Compiles and instantiates a module.
 * @returns its exports
 * @throws the runtime's `CompileError` when it cannot run `bytes` (e.g. no SIMD), `LinkError` when
 *   `imports` do not match
 */
export function instantiate(bytes: Uint8Array, imports: object = {}): Record<string, unknown> {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  return new wasm.Instance(new wasm.Module(bytes), imports).exports;
}
