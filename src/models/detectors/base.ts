/**
 * @module Port of `mmdet/models/detectors/base.py` (BaseDetector) @ v2.28.2.
 *
 * A detector is an nn `Module` with mmdet's `train_step` / `val_step` contract (see
 * `engine/types.ts`): `train_step` runs `forwardTrain` inside `tf.variableGrads`, sums every loss term
 * whose name contains `loss` (mmdet `_parse_losses`), and returns plain-number `log_vars` plus the
 * gradients by state-dict name. `simpleTest` returns per-image, per-class detections.
 */
import { tf } from '../../backend/index.js';
import { Module } from '../../nn/module.js';
import type { DetBatch, DetResult } from '../../structures/det_types.js';
import { DetkitError } from '../../utils/errors.js';

/** Loss terms of one forward pass: a scalar or a list of scalars (summed) per name. */
export type LossDict = Record<string, tf.Scalar | tf.Scalar[]>;

/** What `train_step` returns (structurally the engine's `StepOutputs`). */
export interface DetStepOutputs {
  loss: number;
  log_vars: Record<string, number>;
  num_samples: number;
  grads?: Map<string, tf.Tensor>;
  /** Image files of the batch, for messages about bad batches (non-finite loss). */
  img_files: string[];
  [key: string]: unknown;
}

/**
 * mmdet `_parse_losses`: mean of each term (lists summed), `loss` = sum of terms whose key contains
 * `'loss'`, appended last.
 * @returns the total loss tensor and the scalar terms (both owned by the caller)
 */
export function parseLosses(losses: LossDict): { loss: tf.Scalar; logVars: Map<string, tf.Scalar> } {
  const logVars = new Map<string, tf.Scalar>();
  for (const [name, value] of Object.entries(losses)) {
    if (Array.isArray(value)) {
      logVars.set(name, value.length === 0 ? tf.scalar(0) : (tf.addN(value.map((v) => v.mean())) as tf.Scalar));
    } else if (value instanceof tf.Tensor) {
      logVars.set(name, value.mean() as tf.Scalar);
    } else {
      throw new TypeError(`${name} is not a tensor or list of tensors`);
    }
  }
  const terms = [...logVars].filter(([k]) => k.includes('loss')).map(([, v]) => v);
  const loss = (terms.length === 0 ? tf.scalar(0) : tf.addN(terms)) as tf.Scalar;
  logVars.set('loss', loss);
  return { loss, logVars };
}

/** Base of every detector: training/validation steps around `forwardTrain`, and `simpleTest`. */
export abstract class BaseDetector extends Module {
  static override readonly torchName: string = 'BaseDetector';
  /** Class names of the dataset (set by the builder from the dataset, mmdet `model.CLASSES`). */
  CLASSES: string[] | null = null;

  /**
   * Losses of a batch (mmdet `forward_train`). Runs inside a gradient tape: tensor math only.
   */
  abstract forwardTrain(batch: DetBatch): LossDict;

  /** Detections for each image of the batch, rescaled to the original images when `rescale`. */
  abstract simpleTest(batch: DetBatch, rescale?: boolean): DetResult[];

  /**
   * Detections for each image from several test-time augmentations of it (mmdet `aug_test`):
   * `augs[j]` is augmentation `j` of every image of the batch (`DetBatch.augs`). Detectors that
   * merge augmentations override this.
   * @throws DetkitError `MODEL_TTA_UNSUPPORTED` when the detector has no `aug_test`
   */
  augTest(_augs: DetBatch[], _rescale = true): DetResult[] {
    throw new DetkitError('MODEL_TTA_UNSUPPORTED', `${this.modelName} does not support test-time augmentation (aug_test)`, {
      hint: "use one img_scale and flip=False in the test pipeline's MultiScaleFlipAug",
    });
  }

  /**
   * Runs `fn` with the model in eval mode (dropout off, BN on running statistics), restoring
   * training mode afterwards if it was on: what every test path does (mmdet's callers run
   * `model.eval()` first; detkit's test methods also work on a model left in training mode).
   */
  protected inEvalMode<T>(fn: () => T): T {
    const wasTraining = this.training;
    if (wasTraining) this.eval();
    try {
      return fn();
    } finally {
      if (wasTraining) this.train();
    }
  }

  /** mmdet `with_neck` etc. are properties of subclasses; the class name shown in logs. */
  get modelName(): string {
    return (this.constructor as typeof BaseDetector).torchName;
  }

  /**
   * One optimisation step's forward and backward pass (mmcv `train_step`).
   * @param data a collated {@link DetBatch}
   * @returns loss, log_vars (plain numbers), num_samples and gradients by parameter name
   */
  train_step(data: unknown, _optimizer?: unknown): DetStepOutputs {
    const batch = data as DetBatch;
    const params = this.namedParameters();
    const nameOf = new Map<string, string>();
    for (const [name, v] of params) nameOf.set(v.name, name);
    let kept: Map<string, tf.Scalar> = new Map();
    const { value, grads } = tf.variableGrads(() => {
      const { loss, logVars } = parseLosses(this.forwardTrain(batch));
      kept = new Map([...logVars].map(([k, v]) => [k, tf.keep(v)]));
      return loss;
    }, [...params.values()]);
    const logVars: Record<string, number> = {};
    for (const [k, v] of kept) {
      logVars[k] = v.dataSync()[0];
      v.dispose();
    }
    value.dispose();
    const byName = new Map<string, tf.Tensor>();
    for (const [vName, g] of Object.entries(grads)) byName.set(nameOf.get(vName) ?? vName, g);
    return {
      loss: logVars.loss,
      log_vars: logVars,
      num_samples: batch.samples.length,
      grads: byName,
      img_files: batch.samples.map((s) => s.meta.filename),
    };
  }

  /** Losses without gradients (mmcv `val_step`): same outputs dict, no `grads`. */
  val_step(data: unknown, _optimizer?: unknown): DetStepOutputs {
    const batch = data as DetBatch;
    const logVars: Record<string, number> = {};
    tf.tidy(() => {
      const { logVars: vars } = parseLosses(this.forwardTrain(batch));
      for (const [k, v] of vars) logVars[k] = v.dataSync()[0];
    });
    return { loss: logVars.loss, log_vars: logVars, num_samples: batch.samples.length, img_files: batch.samples.map((s) => s.meta.filename) };
  }
}
