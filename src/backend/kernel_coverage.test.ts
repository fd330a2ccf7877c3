/** The kernel coverage checks: they find what a closure runs and what wasm lacks. */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertKernelsOnWasm, initBackend, kernelsUsed, missingKernels, tf, WASM_KERNEL_GAPS } from './index.js';
import { DetkitError } from '../utils/errors.js';

describe('kernel coverage', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('lists the kernels a closure runs', async () => {
    const used = await kernelsUsed(() => tf.relu(tf.add(tf.ones([2]), tf.ones([2]))));
    expect(used).toEqual(expect.arrayContaining(['Add', 'Relu']));
  });

  it('registers every gap kernel for wasm', () => {
    for (const k of WASM_KERNEL_GAPS) expect(tf.getKernel(k.kernelName, 'wasm'), k.kernelName).toBeDefined();
  });

  it('finds nothing missing in a conv train step', async () => {
    const x = tf.ones([1, 6, 6, 2]) as tf.Tensor4D;
    const w = tf.variable(tf.ones([3, 3, 2, 2]));
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, w as tf.Variable<tf.Rank.R4>, 2, 'same')) as tf.Scalar, [w]);
      return [value, ...Object.values(grads)];
    };
    expect(await missingKernels(step)).toEqual([]);
    await expect(assertKernelsOnWasm(step)).resolves.toBeUndefined();
    tf.dispose([x, w]);
  });

  it('reports a kernel the backend lacks with KERNEL_NOT_REGISTERED', async () => {
    // `Einsum` has no wasm kernel in tfjs-backend-wasm 4.22; run it on cpu and check against wasm.
    await initBackend('cpu');
    const fn = () => tf.einsum('ij,jk->ik', tf.ones([2, 2]), tf.ones([2, 2]));
    expect(await missingKernels(fn)).toEqual(['Einsum']);
    const err = await assertKernelsOnWasm(fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as DetkitError).code).toBe('KERNEL_NOT_REGISTERED');
    expect((err as DetkitError).message).toContain('Einsum');
    await initBackend('wasm');
  });
});
