/** The fast `Tile` on wasm against the cpu backend, and `broadcastTo`/`where` that use it. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend } from '../../testing/backend.js';

describe('Tile on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const cases: Array<[number[], number[]]> = [
    [[3], [4]],
    [[2, 3], [3, 2]],
    [[2, 1, 3], [1, 5, 2]],
    [[40, 1], [1, 70]],
    [[2, 3, 4, 5], [2, 1, 3, 2]],
    [[3, 2], [1, 1]],
    [[0, 2], [3, 1]],
  ];
  for (const [shape, reps] of cases) {
    it(`matches the cpu backend: shape [${shape}] reps [${reps}]`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const run = () => tf.tile(tf.tensor(Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3), shape), reps);
      const [cpu] = await onBackend('cpu', run);
      const [wasm] = await onBackend('wasm', run);
      expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
    });
  }

  it('tiles int32 and bool, and broadcastTo / where with broadcasting agree with cpu', async () => {
    expect(tf.tidy(() => tf.tile(tf.tensor1d([1, 2], 'int32'), [2]).arraySync())).toEqual([1, 2, 1, 2]);
    expect(tf.tidy(() => tf.tile(tf.tensor1d([1, 0], 'bool'), [2]).arraySync())).toEqual([1, 0, 1, 0]);
    const run = () => [
      tf.broadcastTo(tf.tensor2d([[1], [2], [3]]), [2, 3, 4]),
      tf.where(tf.tensor2d([[1], [0]]).cast('bool'), tf.ones([2, 3]), tf.zeros([2, 3])),
    ];
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    cpu.forEach((c, i) => expect(Array.from(wasm[i]!)).toEqual(Array.from(c)));
  });

  it('leaks nothing across 100 calls', async () => {
    const x = tf.ones([3, 1, 2]);
    await expectLeakFree(() => tf.tile(x, [2, 4, 3]), 100);
    x.dispose();
  });
});
