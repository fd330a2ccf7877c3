/** The wasm `StridedSlice` replacement against the cpu backend and hand computations. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend } from '../../testing/backend.js';

type Args = [number[], number[], number[], number?, number?, number?, number?, number?];

describe('StridedSlice on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const cases: Array<[string, Args]> = [
    ['unit strides', [[0, 1, 0], [3, 9, 4], [1, 1, 1]]],
    ['strides 2 (the [:, 0::4] of delta2bbox style)', [[0, 1, 0], [3, 10, 4], [1, 2, 3]]],
    ['negative stride with begin mask', [[0, 8, 1], [0, 1, 3], [1, -3, 1], 1]],
    ['end mask and ellipsis', [[1, 0], [0, 2], [1, 1], 0, 1, 0, 0, 0]],
    ['new axis', [[0, 0, 2], [3, 0, 9], [1, 1, 2], 0, 0, 0, 2, 0]],
    ['shrink with unit strides', [[1, 2, 1], [2, 8, 3], [1, 1, 1], 0, 0, 0, 0, 1]],
  ];
  for (const [name, args] of cases) {
    it(`matches the cpu backend: ${name}`, async () => {
      const run = () => {
        const x = tf.reshape(tf.range(0, 120), [3, 10, 4]);
        const y = tf.stridedSlice(x, ...args);
        return [y, tf.tensor1d(y.shape.length === 0 ? [0] : y.shape)];
      };
      const [cpu, cpuShape] = await onBackend('cpu', run);
      const [wasm, wasmShape] = await onBackend('wasm', run);
      expect(Array.from(wasmShape!)).toEqual(Array.from(cpuShape!));
      expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
    });
  }

  it('shrinks an axis while striding another (tfjs 4.22 gets this wrong on cpu and wasm)', () => {
    // x[1, :, ::2] of x = arange(120).reshape(3, 10, 4): rows 40 + 4·h, columns 0 and 2.
    const y = tf.tidy(() => tf.stridedSlice(tf.reshape(tf.range(0, 120, 1, 'int32'), [3, 10, 4]), [1, 0, 0], [2, 10, 4], [1, 1, 2], 0, 0, 0, 0, 1).arraySync());
    expect(y).toEqual(Array.from({ length: 10 }, (_, h) => [40 + 4 * h, 42 + 4 * h]));
  });

  it('leaks nothing across 100 calls', async () => {
    const x = tf.ones([6, 8, 4]);
    await expectLeakFree(() => tf.stridedSlice(x, [0, 7, 0], [6, 0, 4], [2, -2, 3]), 100);
    x.dispose();
  });
});
