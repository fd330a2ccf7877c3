/**
 * `UnsortedSegmentSum` on wasm, and through it the gradient of `gather`, against the cpu backend
 * and a hand computation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('sums rows by segment id, accumulating duplicates (hand computation)', () => {
    const out = tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([2, 0, 2, 2], 'int32'), 4).arraySync());
    expect(out).toEqual([[3, 4], [0, 0], [13, 16], [0, 0]]);
  });

  it('drops ids outside [0, numSegments), as TensorFlow does', () => {
    const out = tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor1d([1, 10, 100, 1000]), tf.tensor1d([1, -1, 3, 1], 'int32'), 3).arraySync());
    expect(out).toEqual([0, 1001, 0]);
  });

  it('handles int32 data', () => {
    const out = tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([0, 0, 1], 'int32'), 2));
    expect(out.dtype).toBe('int32');
    expect(out.arraySync()).toEqual([3, 3]);
    out.dispose();
  });

  it('matches the cpu backend on random data', async () => {
    const rng = new Rng(21);
    const x = Float32Array.from({ length: 50 * 3 * 4 }, () => rng.normal());
    const ids = Int32Array.from({ length: 50 }, () => rng.randint(7));
    const run = () => tf.unsortedSegmentSum(tf.tensor3d(x, [50, 3, 4]), tf.tensor1d(ids, 'int32'), 7);
    const [cpu] = await onBackend('cpu', run);
    const [wasm] = await onBackend('wasm', run);
    expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-5);
  });

  for (const axis of [0, 1, 2]) {
    it(`gives the gather gradient of the cpu backend (axis ${axis}, repeated indices)`, async () => {
      const rng = new Rng(22 + axis);
      const shape: [number, number, number] = [5, 6, 4];
      const x = Float32Array.from({ length: 120 }, () => rng.normal());
      const idx = Int32Array.from({ length: 9 }, () => rng.randint(shape[axis]!));
      const run = () =>
        tf.grad((a: tf.Tensor) => {
          const g = tf.gather(a, tf.tensor1d(idx, 'int32'), axis);
          return tf.sum(tf.mul(g, tf.range(0, g.size).reshape(g.shape)));
        })(tf.tensor3d(x, shape));
      const [cpu] = await onBackend('cpu', run);
      const [wasm] = await onBackend('wasm', run);
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-4);
    });
  }

  it('leaks neither tensors nor wasm buffers across 100 calls (including the dropped-id path)', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ok = tf.tensor1d([1, 0, 1], 'int32');
    const bad = tf.tensor1d([1, 5, -2], 'int32');
    await expectLeakFree(() => [tf.unsortedSegmentSum(x, ok, 2), tf.unsortedSegmentSum(x, bad, 2)], 100);
    tf.dispose([x, ok, bad]);
  });
});
