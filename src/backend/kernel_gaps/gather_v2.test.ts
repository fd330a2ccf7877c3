/** The fast `GatherV2` on wasm against the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend } from '../../testing/backend.js';
import { DetkitError } from '../../utils/errors.js';
import { Rng } from '../../utils/rng.js';

describe('GatherV2 on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const shape = [4, 5, 6];
  const rng = new Rng(31);
  const x = Float32Array.from({ length: 120 }, () => rng.normal());
  for (const axis of [0, 1, 2, -1]) {
    it(`matches the cpu backend (axis ${axis}, 2-D indices with repeats)`, async () => {
      const n = shape.at(axis)!;
      const idx = Int32Array.from({ length: 6 }, (_, i) => (i * 7) % n);
      const run = () => tf.gather(tf.tensor3d(x, shape as [number, number, number]), tf.tensor2d(idx, [2, 3], 'int32'), axis);
      const [cpu] = await onBackend('cpu', run);
      const [wasm] = await onBackend('wasm', run);
      expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
    });
  }

  it('gathers int32 and bool tensors', () => {
    const ints = tf.tidy(() => tf.gather(tf.tensor1d([5, 6, 7], 'int32'), tf.tensor1d([2, 0, 2], 'int32')).arraySync());
    expect(ints).toEqual([7, 5, 7]);
    const bools = tf.tidy(() => tf.gather(tf.tensor2d([[1, 0], [0, 1]]).cast('bool'), tf.tensor1d([1, 1, 0], 'int32')).arraySync());
    expect(bools).toEqual([[0, 1], [0, 1], [1, 0]]);
  });

  it('keeps batchDims working (handed to the backend kernel)', async () => {
    const run = () => tf.gather(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'), 1, 1);
    const [cpu] = await onBackend('cpu', run);
    const [wasm] = await onBackend('wasm', run);
    expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
  });

  it('throws GATHER_INDEX_OUT_OF_RANGE for an index outside the axis, without leaking', () => {
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const i = tf.tensor1d([0, 2], 'int32');
    const before = tf.engine().backend.numDataIds();
    let err: unknown;
    try {
      tf.gather(t, i);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as DetkitError).code).toBe('GATHER_INDEX_OUT_OF_RANGE');
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([t, i]);
  });

  it('leaks nothing across 100 calls', async () => {
    const t = tf.tensor3d(x, shape as [number, number, number]);
    const i = tf.tensor1d([3, 1, 3], 'int32');
    await expectLeakFree(() => [tf.gather(t, i, 0), tf.gather(t, i, 2)], 100);
    tf.dispose([t, i]);
  });
});
