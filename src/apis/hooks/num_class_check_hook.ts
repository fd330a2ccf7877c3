/**
 * @module Port of `mmdet/datasets/utils.py` NumClassCheckHook @ v2.28.2, with detkit's clearer error.
 *
 * Before training and validation, every head with a `num_classes` must agree with the dataset's
 * `CLASSES`; the error names both numbers, the classes, and the config key to change.
 */
import { Hook } from '../../engine/hooks/hook.js';
import type { RunnerLike } from '../../engine/types.js';
import type { Module } from '../../nn/module.js';
import { DetkitError } from '../../utils/errors.js';

/** Heads whose `num_classes` is not the dataset's (mmdet skips RPNHead, GARPNHead, FusedSemanticHead). */
const EXEMPT = ['RPNHead', 'GARPNHead', 'FusedSemanticHead'];

/** Config of {@link NumClassCheckHook} (none). */
export type NumClassCheckHookConfig = Record<string, never>;

/** Checks `num_classes` of every head against the dataset's classes. */
export class NumClassCheckHook extends Hook {
  static override readonly type: string = 'NumClassCheckHook';
  /** Dataset classes per phase, set by `trainDetector` (the engine knows no datasets). */
  classesByMode: Partial<Record<'train' | 'val', readonly string[]>> = {};

  constructor(_cfg: NumClassCheckHookConfig = {}) {
    super();
  }

  private check(runner: RunnerLike, mode: 'train' | 'val'): void {
    const classes = this.classesByMode[mode];
    if (classes === undefined) return;
    const model = runner.model as unknown as Module;
    for (const [name, m] of model.namedModules()) {
      const n = (m as unknown as { numClasses?: unknown }).numClasses;
      if (typeof n !== 'number' || EXEMPT.includes((m.constructor as { type?: string }).type ?? '')) continue;
      if (n !== classes.length) {
        throw new DetkitError(
          'NUM_CLASSES_MISMATCH',
          `The \`num_classes\` (${n}) in ${(m.constructor as { type?: string }).type ?? name} of ${runner.model_name} does not match the length of \`CLASSES\` (${classes.length}) in the ${mode} dataset: ${JSON.stringify(classes)}`,
          { configPath: `model.${name}.num_classes`, hint: `set model.${name}.num_classes=${classes.length} (e.g. --cfg-options model.${name}.num_classes=${classes.length})` },
        );
      }
    }
  }

  override before_train_epoch(runner: RunnerLike): void {
    this.check(runner, 'train');
  }

  override before_val_epoch(runner: RunnerLike): void {
    this.check(runner, 'val');
  }
}
