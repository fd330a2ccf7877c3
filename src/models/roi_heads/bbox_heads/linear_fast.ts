/**
 * @module `Linear` forward for the R-CNN box heads with a backward that never asks the backend for
 * a transposed matrix product.
 *
 * Porting note: tfjs's `MatMul` gradient calls `matMul(a, b, transposeA, transposeB)`, and the wasm
 * backend's transposed products are very slow: on this machine kind, `[12544, 1024]ᵀ·[1024, 1024]`
 * (the weight gradient of Faster R-CNN's first shared fc for 1024 RoIs) took 84.6 s with
 * `transposeA` against 2.0 s as an explicit `transpose` + plain `matMul`, and the input gradient
 * 23.1 s against 2.7 s computed as `(W · dyᵀ)ᵀ`. Same math, same parameters (`Linear.weight` `[in, out]`, `Linear.bias`).
 * Flattened RoI maps are read through a row-permuted weight rather than a transposed copy of the
 * activations (a 12.8 MB weight instead of a 51 MB map for 1024 RoIs of 7×7×256).
 */
import { tf } from '../../../backend/index.js';
import type { Linear } from '../../../nn/linear.js';

/** `a · b` whose backward uses explicit transposes (see the module note). */
const matMulFast = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b] = args as [tf.Tensor2D, tf.Tensor2D];
  const save = args[args.length - 1] as tf.GradSaveFunc;
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      // dX = (W · dyᵀ)ᵀ and dW = xᵀ · dy: the right-hand operand of both products is the small dy
      return [tf.transpose(tf.matMul(sb, tf.transpose(dy as tf.Tensor2D))), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

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
    const y = matMulFast(x2, w);
    return fc.bias === null ? y : (tf.add(y, fc.bias) as tf.Tensor2D);
  });
}
