/**
 * @module Contracts between the engine and what it trains (declared by the consumer, style.md §2.1).
 *
 * The engine never imports models or data: a detector, a classifier or a toy regressor satisfies
 * {@link TrainableModel} structurally; any async iterable of batches satisfies {@link DataLoaderLike}.
 *
 * Gradients (Porting note): PyTorch's `loss.backward()` in `OptimizerHook` has no tfjs equivalent
 * outside the closure that computed the loss. So `train_step` computes the gradients itself
 * (`tf.variableGrads`) and returns them in `grads`; `OptimizerHook.after_train_iter` clips them,
 * hands them to the optimizer, and disposes them. `loss` and `log_vars` are plain numbers.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** What `model.train_step` / `model.val_step` return (mmcv 1.x outputs dict). */
export interface StepOutputs {
  /** Total loss of the batch (sum of every `log_vars` key containing `loss`). */
  loss: number;
  /** Ordered name → value, e.g. `{loss_cls, loss_bbox, loss}`; averaged by `LogBuffer`. */
  log_vars: Record<string, number>;
  /** Batch size, weights the `LogBuffer` average. */
  num_samples: number;
  /**
   * Parameter name → gradient of `loss` (only trainable parameters, same names as
   * `namedParameters()`). Owned by the engine once returned: `OptimizerHook` disposes them.
   */
  grads?: Map<string, tf.Tensor> | undefined;
  /** Anything else a model wants hooks to see (e.g. the batch's image files). */
  [key: string]: unknown;
}

/** A trainable parameter or buffer as the engine sees it. */
export interface NamedVariable {
  /** mmdet state-dict name, e.g. `backbone.layer1.0.conv1.weight`. */
  name: string;
  variable: tf.Variable;
}

/**
 * What the runner trains. `nn.Module` provides everything but the two step methods.
 */
export interface TrainableModel {
  /**
   * One optimisation step's forward and gradient computation on a batch. May return a Promise
   * (detkit: `MMDataParallel` computes replicas' chunks on worker threads); the runner awaits it.
   */
  train_step(data: unknown, optimizer: unknown): StepOutputs | Promise<StepOutputs>;
  /** One validation forward on a batch (no gradients). */
  val_step(data: unknown, optimizer?: unknown): StepOutputs | unknown;
  /** Switches to training mode (BatchNorm uses batch statistics). */
  train(mode?: boolean): unknown;
  /** Switches to evaluation mode. */
  eval(): unknown;
  /** Trainable parameters by state-dict name (`requires_grad` ones only). */
  namedParameters(): Map<string, tf.Variable>;
  /** Every parameter and buffer by state-dict name (what a checkpoint stores); the live variables: callers must not dispose them. */
  stateDict(): Map<string, tf.Tensor>;
  /** Loads tensors by name; returns the names missing from `state` and those it has in excess. */
  loadStateDict(state: Map<string, tf.Tensor>, options?: { strict?: boolean }): { missing: string[]; unexpected: string[] };
  /** Frees every variable the model owns. */
  dispose(): void;
}

/** A data loader as the runner consumes it: re-iterable, with a length (batches per epoch). */
export interface DataLoaderLike<B = unknown> extends AsyncIterable<B> {
  /** Batches per epoch (`len(data_loader)`). */
  readonly length: number;
  /** Epoch counter used by `DistSamplerSeedHook` / seeded shuffles (`sampler.set_epoch`). */
  setEpoch?(epoch: number): void;
  /** Frees workers; called by the runner's owner when training ends. */
  close?(): Promise<void>;
}

/** `LogBuffer` as hooks see it (mmcv `log_buffer.py`). */
export interface LogBufferLike {
  /** Averaged values of the last `average()` call. */
  readonly output: Record<string, number | string>;
  readonly ready: boolean;
  update(vars: Record<string, number>, count?: number): void;
  average(n?: number): void;
  clear(): void;
  clear_output(): void;
}

/** A minimal logger (mmcv passes a `logging.Logger`). */
export interface LoggerLike {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The runner as hooks see it: mmcv's counters (0-based), the model, the optimizer and buffers.
 * EpochBasedRunner and IterBasedRunner both satisfy it.
 */
export interface RunnerLike {
  readonly model: TrainableModel;
  readonly optimizer: import('./optim/types.js').Optimizer | null;
  /** `'train'`, `'val'` or null before the first phase. */
  readonly mode: 'train' | 'val' | null;
  readonly epoch: number;
  readonly iter: number;
  readonly inner_iter: number;
  readonly max_epochs: number;
  readonly max_iters: number;
  /** The loader of the current phase (its `length` is `len(runner.data_loader)`). */
  readonly data_loader: DataLoaderLike | null;
  readonly log_buffer: LogBufferLike;
  readonly logger: LoggerLike;
  /** Absolute work directory. */
  readonly work_dir: string;
  /** `%Y%m%d_%H%M%S` at construction; names the `.log` and `.log.json` files. */
  readonly timestamp: string;
  /** Free-form run metadata saved into checkpoints (`exp_name`, `seed`, `config`, ...). */
  meta: Record<string, unknown>;
  /** Outputs of the latest `train_step`/`val_step`. */
  outputs: StepOutputs | null;
  readonly rank: number;
  readonly world_size: number;
  /** Hooks in execution order. */
  readonly hooks: readonly import('./hooks/hook.js').Hook[];
  /** Class name of the model (`_model_name`). */
  readonly model_name: string;
  /** `'EpochBasedRunner'` or `'IterBasedRunner'`. */
  readonly runnerType: string;
  /** Learning rate of each param group. */
  current_lr(): number[];
  /** Momentum of each param group (`momentum`, else `betas[0]`, else 0). */
  current_momentum(): number[];
  /** Set by hooks (early stopping, non-finite loss) to end training after the current iteration. */
  should_stop: boolean;
}
