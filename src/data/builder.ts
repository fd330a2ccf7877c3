/**
 * @module Port of `build_dataset` from `mmdet/datasets/builder.py` @ v2.28.2 (`build_dataloader`
 * is `DataLoader` in `data_loader.ts`).
 *
 * The config a dataset was built from is remembered ({@link datasetConfigOf}) so loader workers can
 * rebuild the same dataset in their own thread.
 */
import { DATASETS } from '../registry/root.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import { TypeError_ } from '../utils/errors.js';
import { ClassBalancedDataset } from './dataset_wrappers/class_balanced_dataset.js';
import { ConcatDataset } from './dataset_wrappers/concat_dataset.js';
import { MultiImageMixDataset } from './dataset_wrappers/multi_image_mix_dataset.js';
import { RepeatDataset } from './dataset_wrappers/repeat_dataset.js';
import type { DetDataset } from './types.js';

/** A dataset config node (`data.train`, ...) or a list of them (concatenated). */
export type DatasetConfig = { type: string; [key: string]: unknown } | DatasetConfig[];

const sourceConfigs = new WeakMap<DetDataset, DatasetConfig>();

/** The config a dataset was built from by {@link buildDataset}, if any. */
export function datasetConfigOf(ds: DetDataset): DatasetConfig | undefined {
  return sourceConfigs.get(ds);
}

function sub(parent: string | undefined, key: string | number): string | undefined {
  if (parent === undefined) return undefined;
  return typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`;
}

/** mmdet `_concat_dataset`: one dataset per `ann_file` (prefix lists zipped). */
function concatByAnnFile(cfg: Record<string, unknown>, defaultArgs: Record<string, unknown> | undefined, path: string | undefined): ConcatDataset {
  const annFiles = cfg.ann_file as string[];
  const datasets = annFiles.map((ann, i) => {
    const c: Record<string, unknown> = { ...cfg, ann_file: ann };
    delete c.separate_eval;
    for (const k of ['img_prefix', 'seg_prefix', 'proposal_file']) if (Array.isArray(cfg[k])) c[k] = (cfg[k] as string[])[i];
    return buildDataset(c as DatasetConfig, defaultArgs, sub(path, 'ann_file'));
  });
  return new ConcatDataset({ datasets, separate_eval: (cfg.separate_eval as boolean | undefined) ?? true });
}

/**
 * mmdet `build_dataset`: handles the wrappers (`ConcatDataset`, `RepeatDataset`,
 * `ClassBalancedDataset`, `MultiImageMixDataset`, a list of configs, an `ann_file` list), else
 * builds from DATASETS.
 * @param path config key path of `cfg` for errors (default: the node's attached path)
 */
export function buildDataset(cfg: DatasetConfig, defaultArgs?: Record<string, unknown>, path?: string): DetDataset {
  const p = path ?? configPathOf(cfg);
  let ds: DetDataset;
  if (Array.isArray(cfg)) {
    ds = new ConcatDataset({ datasets: cfg.map((c, i) => buildDataset(c, defaultArgs, sub(p, i))) });
  } else if (typeof cfg !== 'object' || cfg === null) {
    throw new TypeError_('DATA_BAD_DATASET_CONFIG', `a dataset config must be a dict, got ${typeof cfg}`, { configPath: p });
  } else if (cfg.type === 'ConcatDataset') {
    const list = cfg.datasets as DatasetConfig[];
    if (!Array.isArray(list)) throw new TypeError_('DATA_BAD_DATASET_CONFIG', 'ConcatDataset needs a list of dataset configs in datasets', { configPath: sub(p, 'datasets') });
    ds = new ConcatDataset({
      datasets: list.map((c, i) => buildDataset(c, defaultArgs, sub(sub(p, 'datasets'), i))),
      separate_eval: (cfg.separate_eval as boolean | undefined) ?? true,
    });
  } else if (cfg.type === 'RepeatDataset') {
    ds = new RepeatDataset({ dataset: buildDataset(cfg.dataset as DatasetConfig, defaultArgs, sub(p, 'dataset')), times: cfg.times as number });
  } else if (cfg.type === 'ClassBalancedDataset') {
    ds = new ClassBalancedDataset({
      dataset: buildDataset(cfg.dataset as DatasetConfig, defaultArgs, sub(p, 'dataset')),
      oversample_thr: cfg.oversample_thr as number,
      ...(cfg.filter_empty_gt === undefined ? {} : { filter_empty_gt: cfg.filter_empty_gt as boolean }),
    });
  } else if (cfg.type === 'MultiImageMixDataset') {
    const { type: _t, dataset, ...rest } = cfg;
    void _t;
    ds = new MultiImageMixDataset({ ...(rest as Omit<ConstructorParameters<typeof MultiImageMixDataset>[0], 'dataset'>), dataset: buildDataset(dataset as DatasetConfig, defaultArgs, sub(p, 'dataset')) });
  } else if (Array.isArray(cfg.ann_file)) {
    ds = concatByAnnFile(cfg, defaultArgs, p);
  } else {
    ds = DATASETS.build<DetDataset>(cfg, defaultArgs, { path: p, file: configFileOf(cfg) });
  }
  sourceConfigs.set(ds, defaultArgs === undefined ? cfg : Array.isArray(cfg) ? cfg : { ...defaultArgs, ...cfg });
  return ds;
}
