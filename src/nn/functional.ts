/**
 * @module Elementwise ops of the layers (as `torch.nn.functional`) whose gradients keep fewer tensors
 * alive between forward and backward than the tfjs ops they replace. Same values, same gradients.
 *
 * tfjs' tape keeps what each kernel's gradient config asks for until backward reaches it:
 * - `Relu` keeps its input `x`; {@link relu} keeps its output `y` instead. The mask is the same
 *   (`y > 0` exactly where `x > 0`), and the output is kept anyway by whatever consumes it next
 *   (a conv keeps its input; tfjs shares the buffer), so the pre-activation map is freed.
 * - `Add` keeps both inputs (its gradient reads their shapes), so `conv(x) + bias` kept the conv's
 *   whole output for a `[C]` bias. {@link addBias} keeps nothing, and {@link addSameShape} (a
 *   residual sum) keeps nothing either.
 * On the ResNet-18 RetinaNet at 512×512 (one image), the two held 144 MB of the 312 MB of
 * activations the tape kept at the end of the forward (RetinaHead's conv → bias → ReLU stacks,
 * FPN biases).
 * Porting note: where `x` is NaN, tfjs' `Relu` gradient is NaN (`step(NaN)`); here it is whatever
 * `step(relu(NaN))` gives on the backend (NaN on cpu, 0 or NaN on wasm).
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';

type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

// Each op runs in a `tf.op` scope (`<name>__op`), so `tf.profile` readers that skip op scopes do not
// count its kernels twice.
const reluGrad = tf.customGrad((...args: unknown[]): GradResult => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const y = tf.relu(x);
  save([y]);
  return { value: y, gradFunc: (dy, [ys]) => tf.mul(dy, tf.step(ys!)) };
});
const reluOp = tf.op({ reluSavingOutput_: (x: tf.Tensor) => reluGrad(x) });

/**
 * `max(x, 0)`, differentiable; its backward keeps the output, not the input.
 * @param x any shape, float32
 * @returns same shape (owned by the caller)
 */
export function relu<T extends tf.Tensor>(x: T): T {
  return reluOp(x) as T;
}

const addBiasGrad = tf.customGrad((...args: unknown[]): GradResult => {
  const [y, b] = args as [tf.Tensor, tf.Tensor1D];
  const axes = Array.from({ length: y.rank - 1 }, (_, i) => i);
  return { value: tf.add(y, b), gradFunc: (dy) => [tf.reshape(dy, dy.shape), tf.sum(dy, axes)] };
});
const addBiasOp = tf.op({ addBias_: (y: tf.Tensor, b: tf.Tensor) => addBiasGrad(y, b) });

/**
 * `y + bias` broadcast over the last axis (a conv's or linear layer's bias), differentiable in both;
 * its backward keeps no tensor (tfjs' `Add` keeps `y`).
 * @param y `[..., C]` float32
 * @param bias `[C]`
 * @returns `[..., C]` (owned by the caller)
 */
export function addBias<T extends tf.Tensor>(y: T, bias: tf.Tensor): T {
  return addBiasOp(y, bias) as T;
}

const addSameShapeGrad = tf.customGrad((...args: unknown[]): GradResult => {
  const [a, b] = args as [tf.Tensor, tf.Tensor];
  return { value: tf.add(a, b), gradFunc: (dy) => [tf.reshape(dy, dy.shape), tf.reshape(dy, dy.shape)] };
});
const addSameShapeOp = tf.op({ addSameShape_: (a: tf.Tensor, b: tf.Tensor) => addSameShapeGrad(a, b) });

/**
 * `a + b` for two tensors of one shape (a residual sum), differentiable in both; its backward keeps
 * no tensor (tfjs' `Add` keeps both inputs).
 * @throws ValueError `NN_BAD_INPUT` when the shapes differ (use `tf.add` to broadcast)
 * @returns same shape (owned by the caller)
 */
export function addSameShape<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new ValueError('NN_BAD_INPUT', `addSameShape expects equal shapes, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  return addSameShapeOp(a, b) as T;
}
