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
 * and tfjs' tape does not also save the flattened input and the permuted weight of the matmul.
 * The forward permutes the weight a block of columns at a time (8 MB instead of 49 MB of
 * temporaries), and the backward's products take operands laid out by a single transpose each:
 * the wasm heap's high-water mark (which sets the process's peak RSS) was set by these
 * temporaries in the Faster R-CNN bench step.
 */
import { tf } from '../../../backend/index.js';
import type { Linear } from '../../../nn/linear.js';

/** Bytes of permuted weight made at a time in the forward (8 MB: 7 column blocks for 12544×1024). */
const DEFAULT_CHUNK_BYTES = 8 << 20;

/**
 * `x · W + b` of a {@link Linear}, differentiable w.r.t. `x`, `W` and `b`.
 * @param x `[N, in_features]`, or an NHWC map `[N, h, w, c]` with `in_features = c*h*w` read in
 *   torch's `(c, h, w)` flattening order: the weight's rows are permuted to `(h, w, c)` instead of
 *   transposing the (much larger) activations
 * @param chunkBytes the forward permutes at most this many bytes of the weight at a time
 *   (whole column blocks): the permuted copy is a temporary, 49 MB for the whole 12544×1024 weight
 * @returns `[N, out_features]` (owned by the caller)
 */
export function linearFast(fc: Linear, x: tf.Tensor2D | tf.Tensor4D, chunkBytes = DEFAULT_CHUNK_BYTES): tf.Tensor2D {
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
  /** Columns of the weight permuted per forward product (at most `chunkBytes` of permuted weight). */
  const chunk = Math.max(1, Math.min(out, Math.floor(chunkBytes / (4 * inF))));
  // The weight is a variable (alive through the backward); the input is saved (callers' scopes may
  // dispose it before the backward runs).
  const op = tf.customGrad((...inputs: Array<tf.Tensor | unknown>) => {
    const [xIn, wIn, save] = inputs as [tf.Tensor4D, tf.Tensor2D, tf.GradSaveFunc];
    save([xIn]);
    return {
      value: tf.tidy(() => {
        const x2 = xIn.reshape([n, inF]) as tf.Tensor2D;
        // `[c·h·w, k]` rows in torch's order → `[h·w·c, k]` rows in NHWC order, `chunk` columns at a time
        const parts: tf.Tensor2D[] = [];
        for (let j = 0; j < out; j += chunk) {
          const k = Math.min(chunk, out - j);
          parts.push(tf.tidy(() => {
            const wj = k === out ? wIn : wIn.slice([0, j], [inF, k]);
            return tf.matMul(x2, wj.reshape([c, h, ww, k]).transpose([1, 2, 0, 3]).reshape([inF, k]) as tf.Tensor2D);
          }));
        }
        return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D);
      }),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] => {
        // One product at a time, each freeing its temporaries before the next (this is the step's
        // memory peak: every tensor here is 49 MB at 1024 RoIs of 7x7x256). Each operand is put in
        // the product's layout by one transpose, so no product asks for a transposed operand (which
        // the backend would transpose again, another 49 MB).
        // dx = dy · Wᵀ with Wᵀ's columns in NHWC order: `[out, h, w, c]`
        const dx = tf.tidy(() => tf.matMul(dy, wIn.reshape([c, h, ww, out]).transpose([3, 1, 2, 0]).reshape([out, inF]) as tf.Tensor2D).reshape([n, h, ww, c]));
        // dW = xᵀ · dy with xᵀ's rows in torch's (c, h, w) order: straight into the weight's layout
        const dw = tf.tidy(() => tf.matMul(saved[0]!.transpose([3, 1, 2, 0]).reshape([inF, n]) as tf.Tensor2D, dy));
        return [dx, dw];
      },
    };
  });
  return tf.tidy(() => {
    const y = op(x, fc.weight) as tf.Tensor2D;
    return fc.bias === null ? y : (tf.add(y, fc.bias) as tf.Tensor2D);
  });
}
