/**
 * @module `Identity` for the wasm backend that shares its input's buffer (as the cpu backend's
 * does) instead of copying it. tfjs' gradient tape saves every tensor a gradient needs through
 * `Identity` (`keep`/`clone` of saved inputs and outputs), so wasm's copying kernel held every
 * saved activation twice: Faster R-CNN at 512 px, 2 images, kept ~140 MB more on the heap.
 * Tensors are immutable, so sharing is safe; the buffer is freed when its last holder is.
 * String tensors keep wasm's own (copying) kernel.
 */
import { Identity } from '@tensorflow/tfjs-core';
import type { IdentityInputs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replacedKernels } from './utils.js';

function identity(args: { inputs: IdentityInputs; backend: KernelBackend; attrs?: unknown }): TensorInfo | TensorInfo[] {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return replacedKernels.get(Identity)!.kernelFunc(args as never);
  (args.backend as KernelBackend & { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** The buffer-sharing `Identity` kernel for wasm. */
export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
