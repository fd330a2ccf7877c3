/**
 * @module Running a kernel written as JS loops over typed arrays on the cpu or wasm backend.
 *
 * On wasm the inputs and outputs are views of the wasm heap (no copies); on cpu they are the
 * backend's own arrays. The fused kernels in this folder are written once against plain arrays.
 */
import { util } from '@tensorflow/tfjs-core';
import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import type { HeapBackend } from '../kernel_gaps/utils.js';

/** A typed array of a numeric tensor. */
export type NumericArray = Float32Array | Int32Array | Uint8Array;

/** Shape and dtype of one kernel output. */
export interface OutSpec {
  shape: number[];
  /** Default float32. */
  dtype?: 'float32' | 'int32';
}

/**
 * Runs `compute` on views of `inputs` and of freshly allocated outputs (uninitialised on wasm:
 * `compute` must write every element), on the backend the kernel was called for.
 * @returns the outputs, owned by the caller
 */
export function runJsKernel(backend: KernelBackend, inputs: TensorInfo[], outs: OutSpec[], compute: (ins: NumericArray[], outs: Float32Array[]) => void): TensorInfo[] {
  const heap = backend as HeapBackend;
  if (typeof heap.typedArrayFromHeap === 'function') {
    const infos = outs.map((o) => heap.makeOutput(o.shape, o.dtype ?? 'float32'));
    // Views after the last allocation: growing the heap detaches earlier ones.
    const views = [...inputs, ...infos].map((t) => heap.typedArrayFromHeap(t));
    compute(views.slice(0, inputs.length), views.slice(inputs.length) as Float32Array[]);
    return infos;
  }
  const cpu = backend as KernelBackend & { makeTensorInfo(shape: number[], dtype: DataType, values: NumericArray): TensorInfo };
  const ins = inputs.map((t) => backend.readSync(t.dataId) as NumericArray);
  const arrays = outs.map((o) => (o.dtype === 'int32' ? new Int32Array(util.sizeFromShape(o.shape)) : new Float32Array(util.sizeFromShape(o.shape))));
  compute(ins, arrays as Float32Array[]);
  return arrays.map((v, i) => cpu.makeTensorInfo(outs[i].shape, outs[i].dtype ?? 'float32', v));
}
