/**
 * @module Kernel coverage checks: which kernels a closure runs that a backend lacks.
 *
 * Used by the test that runs one training step of every registered detector and asserts that
 * every kernel it reaches exists on wasm (style.md principle 19).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetkitError } from '../utils/errors.js';

/** Backends whose kernel registries tell real kernels from scope names. */
const KNOWN_BACKENDS = ['cpu', 'wasm'];

/**
 * Runs `fn` under `tf.profile` (on the active backend) and lists the kernels it ran.
 * @param fn the work to profile; tensors it returns are disposed
 * @returns kernel names in first-use order, without duplicates
 */
export async function kernelsUsed(fn: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<string[]> {
  const info = await tf.profile(async () => {
    const out = await fn();
    return out as tf.TensorContainer;
  });
  const names: string[] = [];
  // `customGrad` ops (e.g. `logSoftmax`, `fused.conv2d`) appear as `<op>__op` pseudo-kernels, and
  // a `customGrad` called outside an op under the enclosing scope's name (`unnamed scope`, or
  // `forward` inside `tf.variableGrads`); the real kernels they run underneath are listed too. So a
  // name no backend has a kernel for is a scope, not a kernel.
  const isKernel = (k: string) => !k.endsWith('__op') && KNOWN_BACKENDS.some((b) => tf.getKernel(k, b) !== undefined);
  for (const k of info.kernelNames) if (isKernel(k) && !names.includes(k)) names.push(k);
  if (info.result !== undefined) tf.dispose(info.result);
  return names;
}

/**
 * Kernels `fn` runs that have no implementation registered for `backend`.
 * @param fn the work to profile (typically one train step); run on the active backend
 * @param backend the backend to check against, default `wasm`
 * @returns the missing kernel names, empty when all are present
 */
export async function missingKernels(
  fn: () => tf.TensorContainer | Promise<tf.TensorContainer>,
  backend = 'wasm',
): Promise<string[]> {
  const used = await kernelsUsed(fn);
  return used.filter((k) => tf.getKernel(k, backend) === undefined);
}

/**
 * Throws when `fn` reaches a kernel `backend` lacks.
 * @throws DetkitError `KERNEL_NOT_REGISTERED` naming the missing kernels
 */
export async function assertKernelsOnWasm(
  fn: () => tf.TensorContainer | Promise<tf.TensorContainer>,
  backend = 'wasm',
): Promise<void> {
  const missing = await missingKernels(fn, backend);
  if (missing.length > 0) {
    throw new DetkitError('KERNEL_NOT_REGISTERED', `kernels not registered for backend '${backend}': ${missing.join(', ')}`, {
      hint: 'add them to src/backend/kernel_gaps/ (one kernel per file) and list them in kernel_gaps/index.ts',
    });
  }
}
