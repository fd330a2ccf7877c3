/**
 * @module Port of `ConcatDataset` from `mmdet/datasets/dataset_wrappers.py` @ v2.28.2.
 */
import { DetkitError, ValueError } from '../../utils/errors.js';
import type { CustomDataset } from '../custom.js';
import type { Results, TransformContext } from '../pipelines/types.js';
import type { DetDataset } from '../types.js';

/** Options of {@link ConcatDataset}. */
export interface ConcatDatasetConfig {
  datasets: DetDataset[];
  /** Evaluate each dataset on its own and prefix the keys with its index (default true). */
  separate_eval?: boolean;
}

function isCoco(d: DetDataset): boolean {
  let c = d.constructor as { type?: string } & (abstract new (...a: never[]) => unknown);
  while (c !== undefined && c !== null && c !== Object) {
    if (c.type === 'CocoDataset') return true;
    c = Object.getPrototypeOf(c) as typeof c;
  }
  return false;
}

/** Concatenates datasets; CLASSES come from the first. */
export class ConcatDataset implements DetDataset {
  static readonly type = 'ConcatDataset';
  readonly datasets: DetDataset[];
  readonly separate_eval: boolean;
  readonly CLASSES: readonly string[];
  readonly flag: Uint8Array;
  readonly cumulative_sizes: number[];

  constructor(cfg: ConcatDatasetConfig) {
    if (!Array.isArray(cfg.datasets) || cfg.datasets.length === 0) throw new ValueError('DATA_BAD_WRAPPER', 'ConcatDataset needs a non-empty list of datasets', { configPath: 'datasets' });
    this.datasets = cfg.datasets;
    this.separate_eval = cfg.separate_eval ?? true;
    this.CLASSES = cfg.datasets[0]!.CLASSES;
    if (!this.separate_eval) {
      if (this.datasets.some(isCoco)) throw new DetkitError('DATA_NOT_IMPLEMENTED', 'Evaluating concatenated CocoDataset as a whole is not supported! Please set "separate_eval=True"');
      if (new Set(this.datasets.map((d) => d.constructor)).size !== 1) throw new DetkitError('DATA_NOT_IMPLEMENTED', 'All the datasets should have same types');
    }
    this.cumulative_sizes = [];
    let s = 0;
    for (const d of this.datasets) this.cumulative_sizes.push((s += d.length));
    this.flag = new Uint8Array(s);
    let off = 0;
    for (const d of this.datasets) {
      this.flag.set(d.flag, off);
      off += d.length;
    }
  }

  get length(): number {
    return this.cumulative_sizes[this.cumulative_sizes.length - 1]!;
  }

  /** Which dataset holds global index `idx`, and the index inside it. */
  locate(idx: number): [number, number] {
    let d = 0;
    while (idx >= this.cumulative_sizes[d]!) d++;
    return [d, d === 0 ? idx : idx - this.cumulative_sizes[d - 1]!];
  }

  getItem(idx: number, ctx: TransformContext): Promise<Results> {
    const [d, i] = this.locate(idx);
    return this.datasets[d]!.getItem(i, ctx);
  }

  get_cat_ids(idx: number): number[] {
    const [d, i] = this.locate(idx);
    return this.datasets[d]!.get_cat_ids?.(i) ?? [];
  }

  /** mmdet `ConcatDataset.evaluate`: per dataset with `<i>_` key prefixes, or as a whole. */
  evaluate(results: unknown[], options: Record<string, unknown> = {}): Record<string, number | string> {
    if (results.length !== this.length) throw new ValueError('DATA_BAD_RESULTS', `Dataset and results have different sizes: ${this.length} v.s. ${results.length}`);
    for (const d of this.datasets) {
      if (typeof d.evaluate !== 'function') throw new DetkitError('DATA_NO_EVALUATE', `${(d.constructor as { type?: string }).type ?? 'dataset'} does not implement evaluate`);
    }
    const log = (options.log as ((s: string) => void) | undefined) ?? ((s: string) => process.stdout.write(`${s}\n`));
    if (this.separate_eval) {
      const out: Record<string, number | string> = {};
      let start = 0;
      this.datasets.forEach((d, k) => {
        const end = this.cumulative_sizes[k]!;
        const part = results.slice(start, end);
        log(`\nEvaluateing ${(d as Partial<CustomDataset>).ann_file ?? `dataset ${k}`} with ${part.length} images now`);
        for (const [key, v] of Object.entries(d.evaluate!(part, options))) out[`${k}_${key}`] = v;
        start = end;
      });
      return out;
    }
    const first = this.datasets[0] as CustomDataset;
    const original = first.data_infos;
    first.data_infos = this.datasets.flatMap((d) => (d as CustomDataset).data_infos);
    try {
      return first.evaluate(results, options);
    } finally {
      first.data_infos = original;
    }
  }
}
