/**
 * @module Port of the core of mmdetection's `tools/misc/browse_dataset.py` @ v2.28.2: runs the
 * training pipeline without the formatting steps and draws every sample's boxes, labels and masks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InstanceMasks } from '../structures/det_types.js';
import { ValueError } from '../utils/errors.js';
import { Rng } from '../utils/rng.js';
import { buildDataset, type DatasetConfig } from './builder.js';
import { sampleSeed } from './collate.js';
import { imencode } from './pipelines/image_io.js';
import type { Image } from './pipelines/types.js';
import { imshowDetBboxes } from './visualization.js';

/** mmdet's default `--skip-type`. */
export const DEFAULT_SKIP_TYPE: readonly string[] = ['DefaultFormatBundle', 'Normalize', 'Collect'];

/**
 * mmdet `retrieve_data_cfg`: the `data.train` config with the `skip_type` steps removed from its
 * pipeline (descending through `dataset` wrappers down to a MultiImageMixDataset or a leaf).
 */
export function retrieveTrainDataCfg(cfg: Record<string, unknown>, skipType: readonly string[] = DEFAULT_SKIP_TYPE): DatasetConfig {
  const data = cfg.data as { train?: DatasetConfig } | undefined;
  if (data?.train === undefined) throw new ValueError('DATA_NO_TRAIN', 'the config has no data.train', { configPath: 'data.train' });
  const train = structuredClone(data.train);
  const skip = (c: Record<string, unknown>): void => {
    if (Array.isArray(c.pipeline)) c.pipeline = (c.pipeline as Array<{ type: string }>).filter((t) => !skipType.includes(t.type));
  };
  let node = train as Record<string, unknown>;
  while (!Array.isArray(node) && node.dataset !== undefined && node.type !== 'MultiImageMixDataset') node = node.dataset as Record<string, unknown>;
  if (Array.isArray(node)) (node as Array<Record<string, unknown>>).forEach(skip);
  else if (Array.isArray(node.datasets)) (node.datasets as Array<Record<string, unknown>>).forEach(skip);
  else skip(node);
  return train;
}

/** Options of {@link browseDataset}. */
export interface BrowseDatasetOptions {
  /** Folder for the drawn images (named after the image files). */
  outputDir: string;
  skipType?: readonly string[];
  /** Draw only the first N samples. */
  limit?: number;
  /** Seed of the random transforms (default 0). */
  seed?: number;
  /** Called after each image with the written file. */
  onImage?: (file: string, index: number, total: number) => void;
}

/**
 * Draws the training samples of a config into `outputDir` (PNG).
 * @param cfg the whole config as a plain object (`Config.toDict()`)
 * @returns the files written
 */
export async function browseDataset(cfg: Record<string, unknown>, options: BrowseDatasetOptions): Promise<string[]> {
  const dataset = buildDataset(retrieveTrainDataCfg(cfg, options.skipType ?? DEFAULT_SKIP_TYPE), undefined, 'data.train');
  mkdirSync(options.outputDir, { recursive: true });
  const total = Math.min(dataset.length, options.limit ?? dataset.length);
  const files: string[] = [];
  for (let i = 0; i < total; i++) {
    const item = await dataset.getItem(i, { rng: new Rng(sampleSeed(options.seed ?? 0, 0, i)) });
    const img = item.img as Image | undefined;
    if (img === undefined) throw new ValueError('DATA_BROWSE', `the pipeline of data.train gives no 'img' for sample ${i}`);
    const drawn = imshowDetBboxes(img, item.gt_bboxes ?? new Float32Array(0), item.gt_labels ?? new Int32Array(0), {
      classNames: dataset.CLASSES,
      masks: (item.gt_masks as InstanceMasks | undefined) ?? null,
    });
    const name = basename(typeof item.filename === 'string' ? item.filename : `${i}.png`).replace(/\.[^.]+$/, '');
    const file = join(options.outputDir, `${name}${files.includes(join(options.outputDir, `${name}.png`)) ? `_${i}` : ''}.png`);
    writeFileSync(file, await imencode(drawn, 'png', 'bgr'));
    files.push(file);
    options.onImage?.(file, i, total);
  }
  return files;
}
