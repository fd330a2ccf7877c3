/**
 * @module `Linear` forward for the R-CNN box heads that reads flattened NHWC RoI maps in torch's
 * `(c, h, w)` order through a row-permuted weight, instead of transposing the (much larger)
 * activations (a 12.8 MB weight instead of a 51 MB map for 1024 RoIs of 7×7×256).
 *
 * Its backward used to avoid tfjs-backend-wasm's slow transposed matrix products by hand; the
 * backend's `BatchMatMul` (`backend/kernel_gaps/batch_mat_mul.ts`) now does that for every matmul.
 */
import { tf } from '../../../backend/index.js';
import type { Linear } from '../../../nn/linear.js';

/**
 * `x · W + b` of a {@link Linear}, differentiable w.r.t. `x`, `W` and `b`.
 * @param x `[N, in_features]`, or an NHWC map `[N, h, w, c]` with `in_features = c*h*w` read in
 *   torch's `(c, h, w)` flattening order: the weight's rows are permuted to `(h, w, c)` instead of
 *   transposing the (much larger) activations
 * @returns `[N, out_features]` (owned by the caller)
 */
export function linearFast(fc: Linear, x: tf.Tensor2D | tf.Tensor4D): tf.Tensor2D {
  const inF = x.rank === 4 ? x.shape[1]! * x.shape[2]! * x.shape[3]! : x.shape[1]!;
  if (inF !== fc.in_features) throw new Error(`Linear expected ${fc.in_features} input features, got [${x.shape.join(', ')}]`);
  return tf.tidy(() => {
    let w = fc.weight as tf.Tensor2D;
    let x2 = x as tf.Tensor2D;
    if (x.rank === 4) {
      const [n, h, ww, c] = x.shape as [number, number, number, number];
      w = w.reshape([c, h, ww, fc.out_features]).transpose([1, 2, 0, 3]).reshape([inF, fc.out_features]) as tf.Tensor2D;
      x2 = x.reshape([n, inF]) as tf.Tensor2D;
    }
    const y = tf.matMul(x2, w) as tf.Tensor2D;
    return fc.bias === null ? y : (tf.add(y, fc.bias) as tf.Tensor2D);
  });
}
