/**
 * @module Port of `ClassBalancedDataset` from `mmdet/datasets/dataset_wrappers.py` @ v2.28.2
 * (repeat-factor sampling of LVIS, Gupta et al. 2019).
 */
import { ValueError } from '../../utils/errors.js';
import type { Results, TransformContext } from '../pipelines/types.js';
import type { DetDataset } from '../types.js';

/** Options of {@link ClassBalancedDataset}. */
export interface ClassBalancedDatasetConfig {
  dataset: DetDataset;
  /** Frequency threshold `t`: categories in fewer than `t` of the images get oversampled. */
  oversample_thr: number;
  /** When false, images without labels count as a background category (default true). */
  filter_empty_gt?: boolean;
}

/**
 * Repeats images of rare categories: `f(c)` = fraction of images containing `c`,
 * `r(c) = max(1, sqrt(t / f(c)))`, `r(I) = max over I's categories`; image `I` appears `ceil(r(I))` times.
 */
export class ClassBalancedDataset implements DetDataset {
  static readonly type = 'ClassBalancedDataset';
  readonly dataset: DetDataset;
  readonly oversample_thr: number;
  readonly filter_empty_gt: boolean;
  readonly CLASSES: readonly string[];
  readonly repeat_factors: number[];
  readonly repeat_indices: number[];
  readonly flag: Uint8Array;

  constructor(cfg: ClassBalancedDatasetConfig) {
    if (typeof cfg.oversample_thr !== 'number') throw new ValueError('DATA_BAD_WRAPPER', 'ClassBalancedDataset needs a numeric oversample_thr', { configPath: 'oversample_thr' });
    if (typeof cfg.dataset.get_cat_ids !== 'function') throw new ValueError('DATA_BAD_WRAPPER', 'ClassBalancedDataset: the dataset has no get_cat_ids', { configPath: 'dataset' });
    this.dataset = cfg.dataset;
    this.oversample_thr = cfg.oversample_thr;
    this.filter_empty_gt = cfg.filter_empty_gt ?? true;
    this.CLASSES = cfg.dataset.CLASSES;
    this.repeat_factors = this.getRepeatFactors();
    this.repeat_indices = [];
    const flags: number[] = [];
    this.repeat_factors.forEach((r, i) => {
      const n = Math.ceil(r);
      for (let k = 0; k < n; k++) {
        this.repeat_indices.push(i);
        flags.push(cfg.dataset.flag[i]!);
      }
    });
    this.flag = Uint8Array.from(flags);
  }

  private catsOf(idx: number): Set<number> {
    const cats = new Set(this.dataset.get_cat_ids!(idx));
    if (cats.size === 0 && !this.filter_empty_gt) cats.add(this.CLASSES.length);
    return cats;
  }

  /** mmdet `_get_repeat_factors`. */
  private getRepeatFactors(): number[] {
    const n = this.dataset.length;
    const freq = new Map<number, number>();
    const cats = Array.from({ length: n }, (_, i) => this.catsOf(i));
    for (const cs of cats) for (const c of cs) freq.set(c, (freq.get(c) ?? 0) + 1);
    const repeat = new Map<number, number>();
    for (const [c, v] of freq) repeat.set(c, Math.max(1, Math.sqrt(this.oversample_thr / (v / n))));
    return cats.map((cs) => (cs.size === 0 ? 1 : Math.max(...[...cs].map((c) => repeat.get(c)!))));
  }

  get length(): number {
    return this.repeat_indices.length;
  }

  getItem(idx: number, ctx: TransformContext): Promise<Results> {
    return this.dataset.getItem(this.repeat_indices[idx]!, ctx);
  }

  get_cat_ids(idx: number): number[] {
    return this.dataset.get_cat_ids!(this.repeat_indices[idx]!);
  }
}
