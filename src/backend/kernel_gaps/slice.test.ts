/** The wasm `Slice`/`SplitV`/`Unpack` replacements against the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend } from '../../testing/backend.js';

describe('Slice, SplitV, Unpack on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const x = () => tf.reshape(tf.range(0, 2 * 3 * 4 * 5 * 6), [2, 3, 4, 5, 6]);
  const cases: Array<[string, () => tf.Tensor[]]> = [
    ['5-D slice in the middle', () => [tf.slice(x(), [1, 0, 1, 2, 3], [1, 3, 2, 2, 3])]],
    ['trailing axes whole (one run per row)', () => [tf.slice(x(), [0, 1, 0, 0, 0], [2, 2, -1, -1, -1])]],
    ['single elements', () => [tf.slice(tf.reshape(tf.range(0, 40), [10, 4]), [0, 2], [10, 1])]],
    ['contiguous', () => [tf.slice(tf.range(0, 100), [17], [50])]],
    ['split [N,4] boxes into columns', () => tf.split(tf.reshape(tf.range(0, 400), [100, 4]), 4, 1)],
    ['split with sizes on axis 2', () => tf.split(x(), [1, 3], 2)],
    ['unstack [N,4] along axis 1', () => tf.unstack(tf.reshape(tf.range(0, 400), [100, 4]), 1)],
    ['unstack along axis 0', () => tf.unstack(tf.reshape(tf.range(0, 24), [3, 8]))],
  ];
  for (const [name, run] of cases) {
    it(`matches the cpu backend: ${name}`, async () => {
      const withShapes = () => run().flatMap((t) => [t, tf.tensor1d(t.shape)]);
      const cpu = await onBackend('cpu', withShapes);
      const wasm = await onBackend('wasm', withShapes);
      expect(wasm.length).toBe(cpu.length);
      cpu.forEach((c, i) => expect(Array.from(wasm[i]!)).toEqual(Array.from(c)));
    });
  }

  it('slices int32 and bool', () => {
    expect(tf.tidy(() => tf.slice(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), [1, 0], [1, 2]).arraySync())).toEqual([[3, 4]]);
    expect(tf.tidy(() => tf.unstack(tf.tensor2d([[1, 0], [0, 1]]).cast('bool'), 1).map((t) => t.arraySync()))).toEqual([[1, 0], [0, 1]]);
  });

  it('leaks nothing across 100 calls', async () => {
    const t = tf.reshape(tf.range(0, 120), [30, 4]);
    await expectLeakFree(() => [tf.slice(t, [2, 1], [5, 2]), ...tf.split(t, 2, 1), ...tf.unstack(t, 1)], 100);
    t.dispose();
  });
});
