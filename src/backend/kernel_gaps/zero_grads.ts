/**
 * @module Zero gradients for ops with boolean outputs, which tfjs-core 4.22 leaves without one
 * (only `GreaterEqual` has it).
 *
 * Without them `tf.grad` throws "gradient function not found for Less" as soon as a comparison
 * of a differentiable tensor sits on the tape, e.g. smooth L1's `where(less(|d|, beta), …)` or
 * focal loss' `where(equal(label, c), …)`. Their outputs are piecewise constant, so the gradient
 * with respect to every input is zero.
 */
import { Equal, Greater, Less, LessEqual, LogicalAnd, LogicalNot, LogicalOr, LogicalXor, NotEqual, zerosLike } from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

function zeroGrad(kernelName: string, inputs: string[]): GradConfig {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => zerosLike(saved[i]!)])),
  };
}

/** Gradient configs: zero gradients of the comparison and logical ops. */
export const zeroGradConfigs: readonly GradConfig[] = [
  ...[Equal, NotEqual, Greater, Less, LessEqual, LogicalAnd, LogicalOr, LogicalXor].map((k) => zeroGrad(k, ['a', 'b'])),
  zeroGrad(LogicalNot, ['x']),
];
