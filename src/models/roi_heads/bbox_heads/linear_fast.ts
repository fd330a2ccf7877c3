/**
 * @module `Linear` forward for the R-CNN box heads with a backward that never asks the backend for
 * a transposed matrix product.
 *
 * Porting note: tfjs's `MatMul` gradient calls `matMul(a, b, transposeA, transposeB)`, and the wasm
 * backend's transposed products are very slow: on this machine kind, `[12544, 1024]ᵀ·[1024, 1024]`
 * (the weight gradient of Faster R-CNN's first shared fc for 1024 RoIs) took 84.6 s with
 * `transposeA` against 2.0 s as an explicit `transpose` + plain `matMul`, and the input gradient
 * 23.1 s against 3.0 s. Same math, same parameters (`Linear.weight` `[in, out]`, `Linear.bias`).
 */
import { tf } from '../../../backend/index.js';
import type { Linear } from '../../../nn/linear.js';

/**
 * `x · W + b` of a {@link Linear}, differentiable w.r.t. `x`, `W` and `b`.
 * @param x `[N, in_features]`
 * @returns `[N, out_features]` (owned by the caller)
 */
export function linearFast(fc: Linear, x: tf.Tensor2D): tf.Tensor2D {
  if (x.shape[1] !== fc.in_features) throw new Error(`Linear expected input [N, ${fc.in_features}], got [${x.shape.join(', ')}]`);
  const w = fc.weight as tf.Tensor2D;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, b] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
      },
    };
  }) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
  return tf.tidy(() => {
    const y = op(x, w);
    return fc.bias === null ? y : (tf.add(y, fc.bias) as tf.Tensor2D);
  });
}
