/**
 * @module `BatchMatMul` for the wasm backend without its slow transposed products.
 *
 * tfjs-backend-wasm 4.22 handles `transposeA`/`transposeB` inside its matmul loop at a large cost;
 * tfjs's `MatMul` gradient asks for exactly those products. Measured on this machine kind:
 * `[12544, 1024]ᵀ · [1024, 1024]` (the weight gradient of Faster R-CNN's first shared fc for 1024
 * RoIs) took 84.6 s with `transposeA` and 2.0 s as an explicit `Transpose` plus a plain product.
 * This kernel transposes the flagged operands explicitly (last two axes) and runs the backend's
 * own product with both flags off; untransposed calls go straight to it.
 */
import { BatchMatMul } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { callReplaced, KernelScope } from './utils.js';

/** Swaps the last two axes. */
function lastTwoPerm(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function batchMatMulWasm(args: { inputs: { a?: TensorInfo; b?: TensorInfo }; backend: KernelBackend; attrs: BatchMatMulAttrs }): TensorInfo {
  const { transposeA, transposeB } = args.attrs;
  if (!transposeA && !transposeB) return callReplaced(BatchMatMul, args) as TensorInfo;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const s = new KernelScope(args.backend, 'wasm');
  try {
    const a2 = transposeA ? s.transpose(a, lastTwoPerm(a.shape.length)) : a;
    const b2 = transposeB ? s.transpose(b, lastTwoPerm(b.shape.length)) : b;
    const out = callReplaced(BatchMatMul, { inputs: { a: a2, b: b2 }, backend: args.backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
    return out;
  } finally {
    s.dispose();
  }
}

/** Kernel config: `BatchMatMul` on wasm (replaces the backend's kernel). */
export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMulWasm as unknown as KernelFunc,
};
