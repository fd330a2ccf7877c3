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
  /** One optimisation step's forward and gradient computation on a batch. */
  train_step(data: unknown, optimizer: unknown): StepOutputs;
  /** One validation forward on a batch (no gradients). */
  val_step(data: unknown, optimizer?: unknown): StepOutputs | unknown;
  /** Switches to training mode (BatchNorm uses batch statistics). */
  train(mode?: boolean): unknown;
  /** Switches to evaluation mode. */
  eval(): unknown;
  /** Trainable parameters by state-dict name (`requires_grad` ones only). */
  namedParameters(): Map<string, tf.Variable>;
  /** Every parameter and buffer by state-dict name (what a checkpoint stores). */
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
