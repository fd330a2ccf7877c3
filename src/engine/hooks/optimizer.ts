/**
 * @module Port of `mmcv/runner/hooks/optimizer.py` @ v1.7.2: `OptimizerHook` and
 * `GradientCumulativeOptimizerHook` (priority ABOVE_NORMAL, `after_train_iter`).
 *
 * Porting note: PyTorch's `loss.backward()` happens here in mmcv; in detkit `train_step` already
 * computed the gradients (`runner.outputs.grads`, see engine/types.ts). These hooks clip them,
 * hand them to `runner.optimizer.step(grads)` and dispose them (setting `outputs.grads` to
 * undefined so nobody frees them twice). `Fp16OptimizerHook` has no counterpart (no fp16 on wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetkitError } from '../../utils/errors.js';
import { assertArg, checkArgs } from '../optim/args.js';
import { clipGradNorm, type GradClipConfig, validateGradClip } from '../optim/clip_grad.js';
import type { ParamKindsProvider } from '../optim/default_constructor.js';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';
import { requireOptimizer } from './lr_updater.js';

/** `optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))`. */
export interface OptimizerHookConfig {
  /** `clip_grad_norm_` arguments, or `null` (default) for no clipping. */
  grad_clip?: GradClipConfig | null;
  /** Log (ERROR) every trainable parameter that received no gradient. Default false. */
  detect_anomalous_params?: boolean;
}

/** Takes the step's gradients out of `runner.outputs` (the hook owns them from here on). */
function takeGrads(runner: RunnerLike, hook: string): Map<string, tf.Tensor> {
  const grads = runner.outputs?.grads;
  if (grads === undefined || grads === null) {
    throw new DetkitError('OPTIMIZER_NO_GRADS', `${hook}: runner.outputs.grads is missing; train_step must return the gradients of its loss`, {
      hint: 'compute them with tf.variableGrads inside train_step and return them as `grads` (see engine/types.ts StepOutputs)',
    });
  }
  (runner.outputs as { grads?: unknown }).grads = undefined;
  return grads;
}

function disposeGrads(grads: Map<string, tf.Tensor>): void {
  for (const g of grads.values()) g.dispose();
}

/** Applies the step's gradients with optional norm clipping (mmcv `OptimizerHook`). */
export class OptimizerHook extends Hook {
  static override readonly type: string = 'OptimizerHook';
  readonly grad_clip: GradClipConfig | null;
  readonly detect_anomalous_params: boolean;

  constructor(cfg: OptimizerHookConfig = {}) {
    super();
    checkArgs(cfg, ['grad_clip', 'detect_anomalous_params'], (new.target as typeof OptimizerHook).type);
    this.grad_clip = cfg.grad_clip ?? null;
    if (this.grad_clip !== null) validateGradClip(this.grad_clip);
    this.detect_anomalous_params = cfg.detect_anomalous_params ?? false;
  }

  /**
   * Clips `grads` in place (norm over all of them, torch `clip_grad_norm_`) and logs `grad_norm`
   * into the log buffer weighted by `num_samples`. No-op without `grad_clip` or gradients.
   */
  protected clipAndLog(runner: RunnerLike, grads: Map<string, tf.Tensor>): void {
    if (this.grad_clip === null || grads.size === 0) return;
    const norm = clipGradNorm(grads, this.grad_clip);
    runner.log_buffer.update({ grad_norm: norm }, runner.outputs?.num_samples ?? 1);
  }

  /** Logs every trainable parameter without a gradient (mmcv `detect_anomalous_parameters`). */
  protected detectAnomalousParameters(runner: RunnerLike, grads: Map<string, tf.Tensor>): void {
    for (const [n, p] of runner.model.namedParameters()) {
      if (!grads.has(n)) runner.logger.error(`${n} with shape torch.Size([${p.shape.join(', ')}]) is not in the computational graph \n`);
    }
  }

  override after_train_iter(runner: RunnerLike): void {
    const optim = requireOptimizer(runner, this.typeName);
    const grads = takeGrads(runner, this.typeName);
    try {
      if (this.detect_anomalous_params) this.detectAnomalousParameters(runner, grads);
      this.clipAndLog(runner, grads);
      optim.step(grads);
    } finally {
      disposeGrads(grads);
    }
  }
}

/** `optimizer_config = dict(type='GradientCumulativeOptimizerHook', cumulative_iters=4)`. */
export interface GradientCumulativeOptimizerHookConfig extends OptimizerHookConfig {
  /** Iterations whose gradients are summed before one optimizer step (positive int). Default 1. */
  cumulative_iters?: number;
}

/**
 * Accumulates gradients over `cumulative_iters` iterations, then steps (mmcv
 * `GradientCumulativeOptimizerHook`). Each iteration's gradients are divided by the loss factor:
 * `cumulative_iters`, or the remainder count in the last `max_iters % cumulative_iters` iterations.
 */
export class GradientCumulativeOptimizerHook extends OptimizerHook {
  static override readonly type: string = 'GradientCumulativeOptimizerHook';
  readonly cumulative_iters: number;
  divisible_iters = 0;
  remainder_iters = 0;
  initialized = false;
  /** Running sum of scaled gradients since the last step (owned by the hook). */
  private accumulated: Map<string, tf.Tensor> | null = null;

  constructor(cfg: GradientCumulativeOptimizerHookConfig = {}) {
    const { cumulative_iters, ...rest } = cfg;
    super(rest);
    const c = cumulative_iters ?? 1;
    assertArg(Number.isInteger(c) && c > 0, 'CUMULATIVE_ITERS', `cumulative_iters only accepts positive int, but got ${JSON.stringify(cumulative_iters)} instead.`);
    this.cumulative_iters = c;
  }

  private init(runner: RunnerLike): void {
    if (runner.iter % this.cumulative_iters !== 0) {
      runner.logger.warn(
        'Resume iter number is not divisible by cumulative_iters in GradientCumulativeOptimizerHook, which means the gradient of some iters is lost and the result may be influenced slightly.',
      );
    }
    if (this.cumulative_iters > 1 && hasBatchNorm(runner.model)) {
      runner.logger.warn('GradientCumulativeOptimizerHook may slightly decrease performance if the model has BatchNorm layers.');
    }
    this.divisible_iters = Math.floor(runner.max_iters / this.cumulative_iters) * this.cumulative_iters;
    this.remainder_iters = runner.max_iters - this.divisible_iters;
    this.initialized = true;
  }

  /** The divisor of this iteration's loss (mmcv `_get_loss_factor`). */
  lossFactor(runner: RunnerLike): number {
    if (runner.iter < runner.max_iters - this.remainder_iters) return this.cumulative_iters;
    const f = this.remainder_iters;
    runner.logger.warn(
      `Loss will be divided by ${f} in the last ${this.remainder_iters} iterations because they are not enough for ${this.cumulative_iters} cumulative_iters.`,
    );
    assertArg(f > 0, 'CUMULATIVE_FACTOR', 'loss factor must be positive');
    return f;
  }

  override after_train_iter(runner: RunnerLike): void {
    if (!this.initialized) this.init(runner);
    const optim = requireOptimizer(runner, this.typeName);
    const grads = takeGrads(runner, this.typeName);
    const factor = this.lossFactor(runner);
    const acc = this.accumulated ?? new Map<string, tf.Tensor>();
    try {
      if (this.detect_anomalous_params) this.detectAnomalousParameters(runner, grads);
      for (const [n, g] of grads) {
        const prev = acc.get(n);
        acc.set(n, tf.tidy(() => (prev === undefined ? tf.div(g, factor) : tf.add(prev, tf.div(g, factor)))));
        prev?.dispose();
      }
    } finally {
      disposeGrads(grads);
    }
    this.accumulated = acc;
    if (this.every_n_iters(runner, this.cumulative_iters) || this.is_last_iter(runner)) {
      this.accumulated = null;
      try {
        this.clipAndLog(runner, acc);
        optim.step(acc);
      } finally {
        disposeGrads(acc);
      }
    }
  }

  /** Frees a partial accumulation left when training stops early. */
  override after_run(_runner: RunnerLike): void {
    if (this.accumulated !== null) disposeGrads(this.accumulated);
    this.accumulated = null;
  }
}

/** Whether the model reports a norm-layer parameter (via `paramKinds`, else by name). */
function hasBatchNorm(model: RunnerLike['model']): boolean {
  const kinds = (model as Partial<ParamKindsProvider>).paramKinds?.();
  if (kinds !== undefined) return [...kinds.values()].some((k) => k.isNorm);
  return [...model.namedParameters().keys()].some((n) => /(^|\.)(bn\d*|norm\d*|batchnorm)\./i.test(n));
}
