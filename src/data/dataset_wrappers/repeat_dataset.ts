/**
 * @module Port of `RepeatDataset` from `mmdet/datasets/dataset_wrappers.py` @ v2.28.2.
 */
import { ValueError } from '../../utils/errors.js';
import type { Results, TransformContext } from '../pipelines/types.js';
import type { DetDataset } from '../types.js';

/** Options of {@link RepeatDataset}. */
export interface RepeatDatasetConfig {
  /** The dataset to repeat (built). */
  dataset: DetDataset;
  /** Repeat count. */
  times: number;
}

/** Repeats a dataset `times` times (fewer epoch-boundary overheads on small datasets). */
export class RepeatDataset implements DetDataset {
  static readonly type = 'RepeatDataset';
  readonly dataset: DetDataset;
  readonly times: number;
  readonly CLASSES: readonly string[];
  readonly flag: Uint8Array;

  constructor(cfg: RepeatDatasetConfig) {
    if (!Number.isInteger(cfg.times) || cfg.times < 1) throw new ValueError('DATA_BAD_WRAPPER', `RepeatDataset: times must be a positive integer, got ${cfg.times}`, { configPath: 'times' });
    this.dataset = cfg.dataset;
    this.times = cfg.times;
    this.CLASSES = cfg.dataset.CLASSES;
    const n = cfg.dataset.length;
    this.flag = new Uint8Array(n * this.times);
    for (let t = 0; t < this.times; t++) this.flag.set(cfg.dataset.flag, t * n);
  }

  get length(): number {
    return this.times * this.dataset.length;
  }

  getItem(idx: number, ctx: TransformContext): Promise<Results> {
    return this.dataset.getItem(idx % this.dataset.length, ctx);
  }

  get_cat_ids(idx: number): number[] {
    return this.dataset.get_cat_ids?.(idx % this.dataset.length) ?? [];
  }
}
