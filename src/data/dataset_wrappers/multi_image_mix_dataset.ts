/**
 * @module Port of `MultiImageMixDataset` from `mmdet/datasets/dataset_wrappers.py` @ v2.28.2.
 *
 * Porting note: mmdet deep-copies `results` before each transform attempt; detkit transforms never
 * modify arrays in place, so a shallow copy (with fresh field lists) is used.
 */
import { PIPELINES } from '../../registry/root.js';
import { DetkitError, TypeError_ } from '../../utils/errors.js';
import { isMixTransform, transformName, type Results, type Transform, type TransformContext } from '../pipelines/types.js';
import type { DetDataset } from '../types.js';

/** Options of {@link MultiImageMixDataset} (mmdet keyword names). */
export interface MultiImageMixDatasetConfig {
  dataset: DetDataset;
  /** Transform configs (Mosaic, RandomAffine, MixUp, ... and the formatting steps). */
  pipeline: Array<{ type: string; [k: string]: unknown } | Transform>;
  /** Deprecated in mmdet 2.x; rejected. */
  dynamic_scale?: null;
  /** Transform types to skip (YOLOXModeSwitchHook sets these). */
  skip_type_keys?: string[] | null;
  /** Retries when a transform returns null (default 15). */
  max_refetch?: number;
}

function copyResults(r: Results): Results {
  const out: Results = { ...r };
  for (const k of ['img_fields', 'bbox_fields', 'mask_fields', 'seg_fields'] as const) if (r[k] !== undefined) out[k] = [...r[k]!];
  return out;
}

/** Wraps a dataset so multi-image transforms can fetch extra samples (`mix_results`). */
export class MultiImageMixDataset implements DetDataset {
  static readonly type = 'MultiImageMixDataset';
  readonly dataset: DetDataset;
  readonly pipeline: Transform[];
  readonly pipeline_types: string[];
  readonly CLASSES: readonly string[];
  readonly flag: Uint8Array;
  readonly max_refetch: number;
  private skipTypeKeys: string[] | null;

  constructor(cfg: MultiImageMixDatasetConfig) {
    if (!Array.isArray(cfg.pipeline)) throw new TypeError_('DATA_BAD_PIPELINE', 'MultiImageMixDataset: pipeline must be a list', { configPath: 'pipeline' });
    if (cfg.dynamic_scale !== undefined && cfg.dynamic_scale !== null) {
      throw new TypeError_('DATA_BAD_WRAPPER', 'dynamic_scale is deprecated. Please use Resize pipeline to achieve similar functions', { configPath: 'dynamic_scale' });
    }
    this.pipeline = cfg.pipeline.map((t, i) => (typeof (t as Transform).apply === 'function' ? (t as Transform) : PIPELINES.build<Transform>(t as { type: string }, undefined, { path: `pipeline[${i}]` })));
    this.pipeline_types = this.pipeline.map(transformName);
    this.dataset = cfg.dataset;
    this.CLASSES = cfg.dataset.CLASSES;
    this.flag = cfg.dataset.flag;
    this.max_refetch = cfg.max_refetch ?? 15;
    this.skipTypeKeys = cfg.skip_type_keys ?? null;
  }

  get length(): number {
    return this.dataset.length;
  }

  /** mmdet `update_skip_type_keys` (called by YOLOXModeSwitchHook). */
  update_skip_type_keys(keys: string[] | null): void {
    this.skipTypeKeys = keys;
  }

  /** The skip list, mirrored into loader workers each epoch. */
  workerState(): unknown {
    return { skip_type_keys: this.skipTypeKeys };
  }

  applyWorkerState(state: unknown): void {
    this.skipTypeKeys = (state as { skip_type_keys: string[] | null }).skip_type_keys;
  }

  async getItem(idx: number, ctx: TransformContext): Promise<Results> {
    let results = copyResults(await this.dataset.getItem(idx, ctx));
    for (let k = 0; k < this.pipeline.length; k++) {
      const t = this.pipeline[k]!;
      if (this.skipTypeKeys?.includes(this.pipeline_types[k]!)) continue;
      if (isMixTransform(t)) {
        const indexes = t.get_indexes(this.dataset, ctx);
        results.mix_results = await Promise.all(indexes.map(async (i) => copyResults(await this.dataset.getItem(i, ctx))));
      }
      let updated: Results | null = null;
      for (let tries = 0; tries < this.max_refetch && updated === null; tries++) updated = await t.apply(copyResults(results), ctx);
      if (updated === null) {
        throw new DetkitError('DATA_NO_VALID_SAMPLE', `The training pipeline of the dataset wrapper always return None (${this.pipeline_types[k]}). Please check the correctness of the dataset and its pipeline.`);
      }
      results = updated;
      delete results.mix_results;
    }
    return results;
  }

  get_cat_ids(idx: number): number[] {
    return this.dataset.get_cat_ids?.(idx) ?? [];
  }
}
