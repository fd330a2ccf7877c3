/**
 * The wasm `MaxPoolGrad` kernel against the cpu backend's and against hand-computed cases: ties go
 * to the first maximum in row-major window order, all-negative windows keep their gradient,
 * overlapping windows accumulate.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';

/** `dL/dx` of `sum(maxPool(x) · r)`, i.e. `MaxPoolGrad` with `dy = r`. */
function poolGrad(x: tf.Tensor4D, f: [number, number], s: [number, number], pad: 'same' | 'valid' | number, r?: tf.Tensor): tf.Tensor {
  return tf.grad((a: tf.Tensor) => {
    const y = tf.maxPool(a as tf.Tensor4D, f, s, pad);
    return tf.sum(r === undefined ? y : tf.mul(y, r));
  })(x);
}

describe('MaxPoolGrad on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const cases: Array<{ name: string; shape: [number, number, number, number]; f: [number, number]; s: [number, number]; pad: 'same' | 'valid' | number; shift?: number }> = [
    { name: '3x3 s2 pad 1 (ResNet stem), batch 4', shape: [4, 12, 10, 16], f: [3, 3], s: [2, 2], pad: 1 },
    { name: '3x3 s2 pad 1, all windows negative', shape: [2, 9, 9, 3], f: [3, 3], s: [2, 2], pad: 1, shift: -10 },
    { name: '2x2 s2 valid, odd size', shape: [1, 7, 9, 5], f: [2, 2], s: [2, 2], pad: 'valid' },
    { name: '3x2 s1 same (overlapping windows accumulate)', shape: [2, 6, 5, 4], f: [3, 2], s: [1, 1], pad: 'same' },
    { name: '1x1 s2 (every window one pixel)', shape: [1, 6, 6, 3], f: [1, 1], s: [2, 2], pad: 'valid' },
  ];
  for (const c of cases) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(c.shape.reduce((a, b) => a * 13 + b, 1));
      const xv = Float32Array.from({ length: c.shape.reduce((a, b) => a * b, 1) }, () => rng.normal() + (c.shift ?? 0));
      const outShape = tf.tidy(() => tf.maxPool(tf.zeros(c.shape) as tf.Tensor4D, c.f, c.s, c.pad).shape);
      const rv = Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => rng.normal());
      const run = () => poolGrad(tf.tensor4d(xv, c.shape), c.f, c.s, c.pad, tf.tensor(rv, outShape));
      const [cpu] = await onBackend('cpu', run);
      const [wasm] = await onBackend('wasm', run);
      // Overlapping windows add in a different order than on cpu: float rounding only.
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
    });
  }

  it('sends a tied window to its first maximum and keeps all-negative windows', () => {
    // 2x2 s2 on a 2x4 map, one channel: window 1 ties (5, 5, 1, 5) → first; window 2 is all negative.
    const x = tf.tensor4d([5, 5, -3, -1, 1, 5, -2, -4], [1, 2, 4, 1]);
    const g = tf.tidy(() => poolGrad(x, [2, 2], [2, 2], 'valid').dataSync());
    expect(Array.from(g)).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
    x.dispose();
  });

  it('leaks neither tensors nor wasm buffers', async () => {
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    await expectLeakFree(() => poolGrad(x, [3, 3], [2, 2], 1), 50);
    x.dispose();
  });
});
