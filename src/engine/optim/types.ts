/**
 * @module The optimizer contract shared by the runner, the optimizer hooks and the LR/momentum hooks.
 *
 * Mirrors torch.optim's `param_groups`: hooks change `lr` / `momentum` / `betas` on each group,
 * `step` applies gradients. Keys stay snake_case as in PyTorch (`weight_decay`, `initial_lr`).
 */
import type * as tf from '@tensorflow/tfjs-core';

/** One parameter group (torch `param_groups[i]`). */
export interface ParamGroup {
  /** State-dict names of the parameters in this group. */
  params: string[];
  lr: number;
  weight_decay: number;
  /** SGD / RMSprop momentum. */
  momentum?: number;
  /** Adam / AdamW betas; momentum hooks change `betas[0]`. */
  betas?: [number, number];
  /** Set by LR updater hooks at `before_run` (mmcv `group.setdefault('initial_lr', group['lr'])`). */
  initial_lr?: number;
  /** Set by momentum updater hooks at `before_run`. */
  initial_momentum?: number;
  [key: string]: unknown;
}

/** A built optimizer (SGD, Adam, AdamW, RMSprop). */
export interface Optimizer {
  /** Registry name, e.g. `SGD`. */
  readonly type: string;
  readonly paramGroups: ParamGroup[];
  /**
   * Hyper-parameter defaults of the optimizer (torch `optimizer.defaults`, e.g. `{lr, momentum,
   * dampening, weight_decay, nesterov}`); `OneCycleMomentumUpdaterHook` checks it for `momentum`/`betas`.
   */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /**
   * Applies one update with `grads` (name → gradient; names absent are skipped as PyTorch skips
   * `grad is None`). Does not dispose `grads`.
   */
  step(grads: Map<string, tf.Tensor>): void;
  /** Optimizer state (per-parameter buffers as tensors, plus JSON-able hyper-parameters); fresh tensors owned by the caller (the checkpoint writer disposes them). */
  stateDict(): { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] };
  /** Restores {@link stateDict}; throws a clear error on a name or shape mismatch. */
  loadStateDict(state: { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] }): void;
  /** Frees the optimizer's state tensors. */
  dispose(): void;
}
