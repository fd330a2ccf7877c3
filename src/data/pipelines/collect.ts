/**
 * @module Port of `Collect` from `mmdet/datasets/pipelines/formatting.py` @ v2.28.2.
 */
import { KeyError } from '../../utils/errors.js';
import type { Results, Transform } from './utils.js';

/** mmdet's default `meta_keys` of Collect. */
export const DEFAULT_META_KEYS = [
  'filename',
  'ori_filename',
  'ori_shape',
  'img_shape',
  'pad_shape',
  'scale_factor',
  'flip',
  'flip_direction',
  'img_norm_cfg',
] as const;

/** Options of {@link Collect} (mmdet keyword names). */
export interface CollectConfig {
  /** Keys of results to pass to the detector, e.g. `['img', 'gt_bboxes', 'gt_labels']`. */
  keys: string[];
  /** Keys gathered into `img_metas` (default {@link DEFAULT_META_KEYS}). */
  meta_keys?: string[];
}

/** Keeps `keys` and gathers `meta_keys` into `img_metas`; returns a new dict. */
export class Collect implements Transform {
  static readonly type = 'Collect';
  readonly keys: string[];
  readonly meta_keys: string[];

  constructor(cfg: CollectConfig) {
    if (!Array.isArray(cfg?.keys)) throw new KeyError('DATA_BAD_COLLECT', 'Collect needs a list of keys', { configPath: 'keys' });
    this.keys = cfg.keys;
    this.meta_keys = cfg.meta_keys ?? [...DEFAULT_META_KEYS];
  }

  apply(results: Results): Results {
    const meta: Record<string, unknown> = {};
    for (const k of this.meta_keys) {
      if (!(k in results)) throw new KeyError('DATA_MISSING_KEY', `Collect: meta key '${k}' is not in results (have: ${Object.keys(results).join(', ')})`);
      meta[k] = results[k];
    }
    const data: Results = { img_metas: meta };
    for (const k of this.keys) {
      if (!(k in results)) throw new KeyError('DATA_MISSING_KEY', `Collect: key '${k}' is not in results (have: ${Object.keys(results).join(', ')})`);
      data[k] = results[k];
    }
    if ('img_pad_val' in results) data.img_pad_val = results.img_pad_val;
    return data;
  }

  toString(): string {
    return `Collect(keys=${JSON.stringify(this.keys)}, meta_keys=${JSON.stringify(this.meta_keys)})`;
  }
}
