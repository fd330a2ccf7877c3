/** `Pow` on wasm: the scalar-exponent fast paths and the fallback agree with the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';

describe('Pow on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const e of [1, 2, 0.5, 3, 1.7, -1]) {
    it(`matches the cpu backend for exponent ${e}, value and gradient`, async () => {
      const base = Float32Array.from({ length: 24 }, (_, i) => 0.1 + i * 0.13);
      const run = () => {
        const a = tf.tensor2d(base, [4, 6]);
        return [tf.pow(a, tf.scalar(e)), tf.grad((x: tf.Tensor) => tf.sum(tf.pow(x, e)))(a)];
      };
      const cpu = await onBackend('cpu', run);
      const wasm = await onBackend('wasm', run);
      cpu.forEach((c, i) => expect(relativeError(wasm[i]!, c)).toBeLessThan(1e-5));
    });
  }

  it('keeps broadcasting and int32 on the backend kernel', async () => {
    const run = () => [tf.pow(tf.tensor1d([2, 3]), tf.tensor2d([[2], [3]])), tf.pow(tf.tensor1d([2, 3], 'int32'), tf.scalar(2, 'int32'))];
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    cpu.forEach((c, i) => expect(Array.from(wasm[i]!)).toEqual(Array.from(c)));
  });

  it('leaks nothing across 100 calls', async () => {
    const a = tf.tensor1d([0.5, 1.5, 2]);
    await expectLeakFree(() => [tf.pow(a, 1), tf.pow(a, 2), tf.pow(a, 0.5), tf.pow(a, 3)], 100);
    a.dispose();
  });
});
