/**
 * @module `relu(norm(x))` as one fused kernel when the norm supports it (detkit's BatchNorm2d and
 * GroupNorm take a `relu` flag, see `backend/fused/`), else as the two steps.
 */
import { tf } from '../backend/index.js';
import { BatchNorm2d } from './batch_norm.js';
import { relu } from './functional.js';
import { GroupNorm } from './group_norm.js';
import type { Module } from './module.js';

/** A norm layer as built by `buildNormLayer`. */
export type NormLayer = Module & { forward(x: tf.Tensor4D): tf.Tensor4D };

/** Whether `norm` runs norm → ReLU as one fused kernel. */
export function fusesRelu(norm: Module): norm is BatchNorm2d | GroupNorm {
  return norm instanceof BatchNorm2d || norm instanceof GroupNorm;
}

/**
 * `relu(norm(x))`; same values and gradients either way.
 * @param x `[N, H, W, C]`
 * @returns `[N, H, W, C]` (owned by the caller)
 */
export function normRelu(norm: NormLayer, x: tf.Tensor4D): tf.Tensor4D {
  return fusesRelu(norm) ? norm.forward(x, true) : tf.tidy(() => relu(norm.forward(x)));
}
