/**
 * @module `Linear` forward for the R-CNN box heads that reads flattened NHWC RoI maps in torch's
 * `(c, h, w)` order through a row-permuted weight, instead of transposing the (much larger)
 * activations (a 12.8 MB weight instead of a 51 MB map for 1024 RoIs of 7×7×256).
 *
 * Its backward used to avoid tfjs-backend-wasm's slow transposed matrix products by hand; the
 * backend's `BatchMatMul` (`backend/kernel_gaps/batch_mat_mul.ts`) now does that for every matmul.
 *
 * The NHWC case is one `customGrad` op that keeps only its input for the backward: the permuted
 * weight (12544×1024, 49 MB) is made again in the backward instead of being kept from the forward,
 * and tfjs' tape does not also save the flattened input and the permuted weight of the matmul (the
 * wasm backend's `Identity` copies, so every tensor the tape saves costs its size again).
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
  if (x.rank === 2) {
    return tf.tidy(() => {
      const y = tf.matMul(x as tf.Tensor2D, fc.weight as tf.Tensor2D) as tf.Tensor2D;
      return fc.bias === null ? y : (tf.add(y, fc.bias) as tf.Tensor2D);
    });
  }
  const [n, h, ww, c] = x.shape as [number, number, number, number];
  const out = fc.out_features;
  /** `[c·h·w, out]` rows in torch's order → `[h·w·c, out]` rows in NHWC order. */
  const permute = (w: tf.Tensor): tf.Tensor2D => w.reshape([c, h, ww, out]).transpose([1, 2, 0, 3]).reshape([inF, out]) as tf.Tensor2D;
  // The weight is a variable (alive through the backward); the input is saved (callers' scopes may
  // dispose it before the backward runs).
  const op = tf.customGrad((...inputs: Array<tf.Tensor | unknown>) => {
    const [xIn, wIn, save] = inputs as [tf.Tensor4D, tf.Tensor2D, tf.GradSaveFunc];
    save([xIn]);
    return {
      value: tf.tidy(() => tf.matMul(xIn.reshape([n, inF]) as tf.Tensor2D, permute(wIn)) as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] => {
        // One product at a time, each freeing its temporaries before the next (this is the step's
        // memory peak: every tensor here is 49 MB at 1024 RoIs of 7x7x256).
        const dx = tf.tidy(() => tf.matMul(dy, permute(wIn), false, true).reshape([n, h, ww, c]));
        // dW in NHWC row order, then back to torch's (c, h, w) rows
        const dw = tf.tidy(() => tf.matMul(saved[0]!.reshape([n, inF]) as tf.Tensor2D, dy, true, false)
          .reshape([h, ww, c, out]).transpose([2, 0, 1, 3]).reshape([inF, out]));
        return [dx, dw];
      },
    };
  });
  return tf.tidy(() => {
    const y = op(x, fc.weight) as tf.Tensor2D;
    return fc.bias === null ? y : (tf.add(y, fc.bias) as tf.Tensor2D);
  });
}
