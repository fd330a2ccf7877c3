import { describe, expect, it } from 'vitest';
import { tf } from '../index.js';
import { onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';

function rand(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

describe('BatchMatMul on wasm (explicit transposes)', () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('transposeA=%s transposeB=%s matches the cpu backend, batched and not, values and gradients', async (ta, tb) => {
    const run = (): tf.Tensor[] => {
      const a = rand(ta ? [7, 5] : [5, 7], 1);
      const b = rand(tb ? [3, 7] : [7, 3], 2);
      const y = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb);
      const [ga, gb] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D, ta, tb))))([a, b]);
      const yb = tf.matMul(rand(ta ? [2, 7, 5] : [2, 5, 7], 3) as tf.Tensor3D, rand(tb ? [2, 3, 7] : [2, 7, 3], 4) as tf.Tensor3D, ta, tb);
      return [y, ga, gb, yb];
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    cpu.forEach((c, i) => expect(relativeError(wasm[i], c)).toBeLessThan(1e-5));
  });

  it('does not leak tensors across 100 calls', async () => {
    await onBackend('wasm', () => {
      const a = rand([6, 4], 5);
      const b = rand([6, 3], 6);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false).dispose();
      expect(tf.memory().numTensors).toBe(before);
      return [a, b];
    });
  });
});
