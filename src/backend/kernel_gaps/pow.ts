/**
 * @module `Pow` for the wasm backend with the common scalar exponents on fast kernels.
 *
 * tfjs-backend-wasm 4.22's `Pow` calls `powf` per element (about 6× an `Add` of the same size).
 * Focal loss computes `pow(1 − p, γ)` with γ = 2 over every anchor × class, and its gradient
 * `pow(·, γ − 1)`. So for a float32 base and a one-element exponent, 1 copies, 2 uses `Square`,
 * 0.5 uses `Sqrt`, and 3 uses `Square`·x. Other cases keep the backend's kernel.
 */
import { Pow, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { callReplaced, KernelScope, type HeapBackend } from './utils.js';

function powWasm(args: { inputs: { a?: TensorInfo; b?: TensorInfo }; backend: KernelBackend; attrs: object }): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const backend = args.backend as HeapBackend;
  if (a.dtype === 'float32' && b.dtype === 'float32' && util.sizeFromShape(b.shape) === 1 && b.shape.length <= a.shape.length) {
    const e = backend.typedArrayFromHeap(b)[0];
    const s = new KernelScope(backend, 'wasm');
    try {
      // b has one element and no more axes than a, so the result has a's shape.
      const x = a;
      if (e === 1) return s.keep(s.run('Identity', { x }));
      if (e === 2) return s.keep(s.run('Square', { x }));
      if (e === 0.5) return s.keep(s.run('Sqrt', { x }));
      if (e === 3) return s.keep(s.run('Multiply', { a: s.run('Square', { x }), b: x }));
    } finally {
      s.dispose();
    }
  }
  return callReplaced(Pow, args) as TensorInfo;
}

/** Kernel config: `Pow` on wasm (replaces the backend's kernel). */
export const powConfig: KernelConfig = {
  kernelName: Pow,
  backendName: 'wasm',
  kernelFunc: powWasm as unknown as KernelFunc,
};
