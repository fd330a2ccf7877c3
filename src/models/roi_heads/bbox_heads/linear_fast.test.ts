import { expect, it } from 'vitest';
import { tf } from '../../../backend/index.js';
import { Linear } from '../../../nn/linear.js';
import { describeEachBackend, expectLeakFree } from '../../../testing/backend.js';
import { Rng } from '../../../utils/rng.js';
import { linearFast } from './linear_fast.js';

describeEachBackend('linearFast on an NHWC RoI map', () => {
  it('equals Linear.forward on the (c, h, w)-flattened map, in value and in gradients w.r.t. x, W and b', () => {
    const rng = new Rng(4);
    const [n, h, w, c] = [3, 2, 3, 4];
    const fc = new Linear({ in_features: c * h * w, out_features: 5 });
    fc.initWeights(new Rng(8));
    const x = tf.tensor4d(Float32Array.from({ length: n * h * w * c }, () => rng.normal()), [n, h, w, c]);
    const dy = tf.tensor2d(Float32Array.from({ length: n * 5 }, () => rng.normal()), [n, 5]);
    // reference: torch's flattening of the NCHW map, through the plain Linear layer
    const ref = (xx: tf.Tensor) => fc.forward(xx.transpose([0, 3, 1, 2]).reshape([n, c * h * w]) as tf.Tensor2D);
    const fast = (xx: tf.Tensor) => linearFast(fc, xx as tf.Tensor4D);
    // the forward's weight permutation in blocks of 2 columns (3 blocks: 2, 2, 1)
    const chunked = (xx: tf.Tensor) => linearFast(fc, xx as tf.Tensor4D, 2 * 4 * c * h * w);
    const run = (f: (xx: tf.Tensor) => tf.Tensor) => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => f(x).mul(dy).sum() as tf.Scalar, [fc.weight, fc.bias!]);
      const gx = tf.grad((xx: tf.Tensor) => f(xx).mul(dy).sum())(x);
      return [f(x), value, grads[fc.weight.name]!, grads[fc.bias!.name]!, gx].map((t) => Array.from(t.dataSync()));
    });
    const a = run(ref);
    for (const b of [run(fast), run(chunked)]) {
      a.forEach((arr, i) => {
        expect(b[i]!.length).toBe(arr.length);
        arr.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, 4));
      });
    }
    tf.dispose([x, dy]);
    fc.dispose();
  });

  it('does not leak tensors (forward and gradients)', async () => {
    const fc = new Linear({ in_features: 2 * 2 * 4, out_features: 3 });
    fc.initWeights(new Rng(1));
    const x = tf.ones([2, 2, 2, 4]) as tf.Tensor4D;
    await expectLeakFree(() => linearFast(fc, x));
    await expectLeakFree(() => linearFast(fc, x, 4 * 16));
    await expectLeakFree(() => {
      const { value, grads } = tf.variableGrads(() => linearFast(fc, x).sum() as tf.Scalar, [fc.weight]);
      return [value, ...Object.values(grads)];
    });
    x.dispose();
    fc.dispose();
  });
});
