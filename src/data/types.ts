/**
 * @module What the loader, the samplers and the dataset wrappers need from a dataset
 * (mmdet's `torch.utils.data.Dataset` + `CLASSES` + `flag`).
 */
import type { Results, TransformContext } from './pipelines/types.js';

/** A detection dataset as the loader and wrappers see it. */
export interface DetDataset {
  /** Number of samples (`len(dataset)`). */
  readonly length: number;
  /** Class names; label `i` is `CLASSES[i]`. */
  readonly CLASSES: readonly string[];
  /** Aspect-ratio group per sample (1: width/height > 1), used by GroupSampler. */
  readonly flag: Uint8Array;
  /** mmdet `__getitem__`: the pipeline output for sample `idx`. */
  getItem(idx: number, ctx: TransformContext): Promise<Results>;
  /** Whether the dataset is in test mode (no annotations). */
  readonly test_mode?: boolean;
  /** Category ids (CocoDataset) or labels (others) present in sample `idx`. */
  get_cat_ids?(idx: number): number[];
  /**
   * Mutable state that loader workers must mirror (e.g. MultiImageMixDataset's `skip_type_keys`,
   * changed by YOLOXModeSwitchHook); sent to the workers at the start of every epoch.
   */
  workerState?(): unknown;
  /** Applies a {@link workerState} inside a worker. */
  applyWorkerState?(state: unknown): void;
  /** The dataset's evaluation (`dataset.evaluate(results, **eval_kwargs)`). */
  evaluate?(results: unknown[], options?: Record<string, unknown>): Record<string, number | string>;
}
