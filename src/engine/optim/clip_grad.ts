/**
 * @module Port of `torch/nn/utils/clip_grad.py` `clip_grad_norm_` (torch 1.13) over a gradient map.
 *
 * `total = (Σ_i ||g_i||_p^p)^(1/p)` (max |g| for `'inf'`); `coef = max_norm / (total + 1e-6)`;
 * when `coef < 1` every gradient is multiplied by it. Returns `total` (before clipping).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetkitError, TypeError_, ValueError } from '../../utils/errors.js';
import { checkArgs } from './args.js';

/** `grad_clip = dict(max_norm=35, norm_type=2)` (keyword arguments of `clip_grad_norm_`). */
export interface GradClipConfig {
  /** Maximum total norm. */
  max_norm: number;
  /** p of the norm; `'inf'` (or `Infinity`) for the max norm. Default 2. */
  norm_type?: number | 'inf';
  /** Throw when the total norm is NaN or infinite. Default false. */
  error_if_nonfinite?: boolean;
}

/**
 * Checks a `grad_clip` dict.
 * @throws TypeError_ `UNEXPECTED_ARG` / `GRAD_CLIP_MAX_NORM`; ValueError `GRAD_CLIP_NORM_TYPE`
 */
export function validateGradClip(cfg: GradClipConfig): void {
  checkArgs(cfg, ['max_norm', 'norm_type', 'error_if_nonfinite'], 'clip_grad_norm_');
  if (typeof cfg.max_norm !== 'number') {
    throw new TypeError_('GRAD_CLIP_MAX_NORM', `clip_grad_norm_() missing a numeric 'max_norm', got ${JSON.stringify(cfg.max_norm)}`, {
      configPath: 'optimizer_config.grad_clip.max_norm',
    });
  }
  normType(cfg);
}

function normType(cfg: GradClipConfig): number {
  const p = cfg.norm_type ?? 2;
  if (p === 'inf' || p === Infinity) return Infinity;
  if (typeof p !== 'number' || !(p > 0)) {
    throw new ValueError('GRAD_CLIP_NORM_TYPE', `norm_type must be a positive number or 'inf', got ${JSON.stringify(p)}`, {
      configPath: 'optimizer_config.grad_clip.norm_type',
    });
  }
  return p;
}

/**
 * Clips gradients in place by their total norm (replacing and disposing clipped tensors).
 * @param grads name → gradient; the caller owns the map and its tensors
 * @returns the total norm before clipping (a JS number)
 * @throws DetkitError `GRAD_NORM_NONFINITE` when `error_if_nonfinite` and the norm is not finite
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, cfg: GradClipConfig): number {
  const p = normType(cfg);
  if (grads.size === 0) return 0;
  const totalT = tf.tidy(() => {
    const gs = [...grads.values()];
    if (p === Infinity) return tf.max(tf.stack(gs.map((g) => tf.max(tf.abs(g)))));
    if (p === 2) return tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
    if (p === 1) return tf.addN(gs.map((g) => tf.sum(tf.abs(g))));
    return tf.pow(tf.addN(gs.map((g) => tf.sum(tf.pow(tf.abs(g), p)))), 1 / p);
  });
  const total = totalT.dataSync()[0];
  totalT.dispose();
  if (cfg.error_if_nonfinite === true && !Number.isFinite(total)) {
    throw new DetkitError('GRAD_NORM_NONFINITE', `The total norm of order ${p} for gradients is non-finite, so it cannot be clipped.`);
  }
  const coef = cfg.max_norm / (total + 1e-6);
  if (coef < 1) {
    for (const [n, g] of grads) {
      grads.set(n, tf.mul(g, coef));
      g.dispose();
    }
  }
  return total;
}
