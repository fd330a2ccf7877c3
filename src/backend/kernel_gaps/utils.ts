/**
 * @module Helpers shared by the `kernel_gaps/` kernels: calling other wasm kernels directly.
 *
 * A gap kernel is written as a composition of kernels the wasm backend already has (mostly the
 * XNNPACK `Conv2D`). Calling them through `getKernel(name, 'wasm').kernelFunc` bypasses the engine
 * (no tape, no profiling scope, no tidy), so every intermediate `TensorInfo` must be released with
 * {@link KernelScope.dispose}; the scope does it for everything it created except the result.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { DataId, KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The backend's own kernels that a gap kernel replaced, by kernel name (filled by
 * `registerKernelGaps`), for the cases the replacement hands back to them.
 */
export const replacedKernels = new Map<string, KernelConfig>();
const setUp = new Set<string>();

/**
 * Runs the backend's own kernel `name` that a gap kernel replaced. Its `setupFunc` (e.g. the
 * wasm `cwrap`) never ran, because it was unregistered before the backend initialised, so it is
 * run here once.
 */
export function callReplaced(name: string, args: { inputs: unknown; backend: KernelBackend; attrs: unknown }): TensorInfo | TensorInfo[] {
  const k = replacedKernels.get(name);
  if (k === undefined) throw new Error(`no replaced kernel '${name}' to fall back to`);
  if (!setUp.has(name)) {
    k.setupFunc?.(args.backend);
    setUp.add(name);
  }
  return k.kernelFunc(args as never);
}

/** The parts of the wasm backend the JS kernels use (typed views on its heap). */
export interface HeapBackend extends KernelBackend {
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: Float32Array | Int32Array): TensorInfo;
}

/**
 * The internals of tfjs-backend-wasm 4.22's `BackendWasm` that {@link KernelScope.view} uses: a
 * tensor's heap offset, the JS data map, and the C++ tensor registry (`dispose_data` unregisters an
 * id and deletes the XNNPACK operators cached on it, without freeing memory).
 */
interface ViewBackend extends HeapBackend {
  getMemoryOffset(dataId: DataId): number;
  dataIdMap: { get(dataId: DataId): { id: number } | undefined; delete(dataId: DataId): boolean };
  wasm: { tfjs: { disposeData(id: number): void } };
}

/**
 * Typed views of `tensors` on the wasm heap. Take them after the last allocation (`makeOutput`,
 * kernel calls): growing the heap detaches earlier views.
 */
export function heapViews(backend: HeapBackend, tensors: TensorInfo[]): Array<Float32Array | Int32Array | Uint8Array> {
  return tensors.map((t) => backend.typedArrayFromHeap(t));
}

/**
 * Runs kernels of one backend inside a kernel function and frees the intermediates it made.
 *
 * @example
 * const s = new KernelScope(backend, 'wasm');
 * try { const t = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); return s.keep(s.run(...)); }
 * finally { s.dispose(); }
 */
export class KernelScope {
  private readonly made: TensorInfo[] = [];
  private readonly kept = new Set<TensorInfo>();
  private readonly views = new Set<TensorInfo>();

  /**
   * @param backend the backend instance passed to the calling kernel function
   * @param backendName the name the kernels are registered under (`wasm`)
   */
  constructor(
    readonly backend: KernelBackend,
    readonly backendName: string,
  ) {}

  /**
   * Runs kernel `name` on this backend; the output is owned by the scope until {@link keep}.
   * @throws Error when the kernel is not registered for the backend
   */
  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const k = getKernel(name, this.backendName);
    if (k === undefined) throw new Error(`Kernel '${name}' not registered for backend '${this.backendName}'`);
    const out = k.kernelFunc({ inputs: inputs as Record<string, TensorInfo>, backend: this.backend, attrs });
    const info = (Array.isArray(out) ? out[0] : out) as TensorInfo;
    this.made.push(info);
    return info;
  }

  /** Runs a kernel with several outputs; all of them are owned by the scope. */
  runMulti(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo[] {
    const k = getKernel(name, this.backendName);
    if (k === undefined) throw new Error(`Kernel '${name}' not registered for backend '${this.backendName}'`);
    const out = k.kernelFunc({ inputs, backend: this.backend, attrs });
    const list = (Array.isArray(out) ? out : [out]) as TensorInfo[];
    this.made.push(...list);
    return list;
  }

  /** Reshape without copying (the wasm `Reshape` shares the data id and bumps its refcount). */
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Transpose by `perm`. */
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Slice `[begin, begin + size)`; returns `x` itself when the slice is the whole tensor. */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /**
   * A float32 tensor of shape `shape` over `base`'s buffer from element `offset` on, without a copy
   * (the wasm backend only: it registers the heap range under a new id). Overlapping windows of one
   * buffer can so feed kernels as separate inputs, e.g. the shifted operands of a per-tap GEMM. A
   * view must not outlive `base` and is never returned to the engine; the scope unregisters it
   * (memory stays with `base`) in {@link dispose} or {@link release}.
   * @throws Error when `base` is not float32 or the window leaves its buffer
   */
  view(base: TensorInfo, offset: number, shape: number[]): TensorInfo {
    const size = shape.reduce((a, b) => a * b, 1);
    const baseSize = base.shape.reduce((a, b) => a * b, 1);
    if (base.dtype !== 'float32' || offset < 0 || offset + size > baseSize) {
      throw new Error(`view [${offset}, ${offset + size}) of a ${base.dtype} tensor of ${baseSize} elements`);
    }
    const b = this.backend as ViewBackend;
    const t = b.makeOutput(shape, 'float32', b.getMemoryOffset(base.dataId) + offset * 4);
    this.views.add(t);
    return t;
  }

  /** Frees (or, for a {@link view}, unregisters) `t` now, before the scope ends. */
  release(t: TensorInfo): void {
    if (this.views.delete(t)) {
      this.dropView(t);
      return;
    }
    const i = this.made.indexOf(t);
    if (i >= 0) {
      this.made.splice(i, 1);
      this.backend.disposeData(t.dataId);
    }
  }

  private dropView(t: TensorInfo): void {
    const b = this.backend as ViewBackend;
    const entry = b.dataIdMap.get(t.dataId);
    if (entry === undefined) return;
    b.wasm.tfjs.disposeData(entry.id);
    b.dataIdMap.delete(t.dataId);
  }

  /** Hands a tensor made outside {@link run} (e.g. `makeOutput`) to the scope. */
  own(t: TensorInfo): TensorInfo {
    this.made.push(t);
    return t;
  }

  /** Marks `t` as the result: it survives {@link dispose}. */
  keep(t: TensorInfo): TensorInfo {
    this.kept.add(t);
    return t;
  }

  /** Releases every tensor this scope made except the kept ones, and unregisters its views. */
  dispose(): void {
    for (const t of this.views) this.dropView(t);
    this.views.clear();
    for (const t of this.made) if (!this.kept.has(t)) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}
