/**
 * @module Port of `mmdet/apis/inference.py` @ v2.28.2: `init_detector` and `inference_detector`.
 *
 * Porting notes:
 * - No `device`: detkit runs on the active tfjs backend (`initBackend`, `DETKIT_BACKEND`).
 * - Decoded images go through the test pipeline with its first step (LoadImageFromFile) replaced by
 *   an in-memory loader, as mmdet swaps in `LoadImageFromWebcam`.
 * - The checkpoint is loaded strictly: a checkpoint of another architecture is an error naming the
 *   key and both shapes (`CHECKPOINT_STATE_MISMATCH`), not mmcv's warning.
 */
import { initBackend } from '../backend/index.js';
import { Config, parseCfgOptions } from '../config/index.js';
import { Compose, COCO_CLASSES, Pad, collate, type Image, type Results, type Transform } from '../data/index.js';
import { loadCheckpoint, readCheckpointMeta, type LoggerLike, type TrainableModel } from '../engine/index.js';
import type { BaseDetector } from '../models/detectors/base.js';
import type { DetResult } from '../structures/det_types.js';
import { DetkitError, TypeError_ } from '../utils/errors.js';
import { Rng } from '../utils/rng.js';
import { forwardTest } from './test.js';
import { buildDetector } from './train_main.js';

/** A detector built by {@link initDetector}: eval mode, weights loaded, with its config (mmdet `model.cfg`). */
export type InitializedDetector = BaseDetector & { cfg: Record<string, unknown> };

/** Options of {@link initDetector}. */
export interface InitDetectorOptions {
  /** `--cfg-options` tokens (`a.b=1`) or an already parsed dict merged into the config. */
  cfgOptions?: readonly string[] | Record<string, unknown>;
  /** Receives warnings (no CLASSES in the checkpoint). Default: `console.warn`. */
  logger?: Pick<LoggerLike, 'warn'>;
}

/** Loads a config given as a path, a {@link Config} or a plain dict, with options merged. */
export async function loadConfig(config: string | Config | Record<string, unknown>, cfgOptions?: readonly string[] | Record<string, unknown>): Promise<Config> {
  let cfg: Config;
  if (typeof config === 'string') cfg = await Config.fromFile(config);
  else if (config instanceof Config) cfg = config;
  else if (typeof config === 'object' && config !== null) cfg = new Config(config);
  else throw new TypeError_('CONFIG_BAD_TYPE', `config must be a filename or a Config object, but got ${typeof config}`);
  if (cfgOptions !== undefined) {
    const opts = Array.isArray(cfgOptions) ? parseCfgOptions(cfgOptions as readonly string[]) : (cfgOptions as Record<string, unknown>);
    if (Object.keys(opts).length > 0) cfg.mergeFromDict(opts);
  }
  return cfg;
}

/**
 * mmdet `init_detector`: builds `cfg.model` (no pretrained weights, `train_cfg: null`), loads
 * `checkpoint` strictly, and sets `CLASSES` from the checkpoint meta (COCO's, with a warning, when
 * the meta has none). Initialises the tfjs backend if needed.
 * @param config config file path, {@link Config}, or plain config dict
 * @param checkpoint `.safetensors` checkpoint written by `detkit train`, or null for random weights
 * @throws FileNotFoundError `CHECKPOINT_NOT_FOUND`; DetkitError `CHECKPOINT_STATE_MISMATCH` (other architecture)
 */
export async function initDetector(
  config: string | Config | Record<string, unknown>,
  checkpoint: string | null = null,
  options: InitDetectorOptions = {},
): Promise<InitializedDetector> {
  const cfgObj = await loadConfig(config, options.cfgOptions);
  await initBackend();
  const cfg = cfgObj.toDict() as Record<string, unknown>;
  const modelCfg = cfg.model as Record<string, unknown> | undefined;
  if (modelCfg === undefined || modelCfg === null) throw new DetkitError('CONFIG_MISSING_KEY', 'the config has no `model`', { configPath: 'model' });
  const built: Record<string, unknown> = { ...modelCfg, train_cfg: null };
  if ('pretrained' in built) built.pretrained = null;
  if (typeof built.backbone === 'object' && built.backbone !== null) built.backbone = { ...(built.backbone as Record<string, unknown>), init_cfg: null };
  const model = buildDetector(built, 0) as InitializedDetector;
  try {
    if (checkpoint !== null) {
      const meta = readCheckpointMeta(checkpoint);
      loadCheckpoint(model as unknown as TrainableModel, checkpoint, { strict: true }).dispose();
      if (Array.isArray(meta.CLASSES)) model.CLASSES = (meta.CLASSES as unknown[]).map(String);
      else {
        (options.logger ?? { warn: (m: string) => console.warn(m) }).warn("Class names are not saved in the checkpoint's meta data, use COCO classes by default.");
        model.CLASSES = [...COCO_CLASSES];
      }
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  model.cfg = cfg;
  model.eval();
  return model;
}

/** The in-memory first pipeline step for decoded images (mmdet `LoadImageFromWebcam`). */
class LoadImageFromMemory implements Transform {
  static readonly type = 'LoadImageFromWebcam';
  async apply(results: Results): Promise<Results> {
    const img = results.img as Image;
    results.filename = null;
    results.ori_filename = null;
    results.img_shape = [img.height, img.width, img.channels];
    results.ori_shape = [img.height, img.width, img.channels];
    results.img_fields = ['img'];
    return results;
  }
}

function isImage(x: unknown): x is Image {
  return typeof x === 'object' && x !== null && 'data' in x && 'height' in x && 'width' in x && 'channels' in x;
}

function padDivisor(transforms: readonly unknown[]): number {
  for (const t of transforms) {
    if (t instanceof Pad && t.size_divisor !== null) return t.size_divisor;
    const nested = (t as { transforms?: { transforms?: unknown[] } }).transforms?.transforms;
    if (Array.isArray(nested)) {
      const d = padDivisor(nested);
      if (d !== 1) return d;
    }
  }
  return 1;
}

/**
 * mmdet `inference_detector`: runs the config's test pipeline (`cfg.data.test.pipeline`) on each
 * image and the model on them as one batch, with results rescaled to the original images.
 * @param imgs a file path or decoded BGR HWC {@link Image}, or a list of them
 * @returns one {@link DetResult} per image (a single one for a single input)
 * @throws FileNotFoundError `DATA_IMAGE_NOT_FOUND`, DetkitError `DATA_PIPELINE_FAILED` (cause `DATA_IMAGE_DECODE`)
 */
export async function inferenceDetector(model: InitializedDetector, imgs: string | Image): Promise<DetResult>;
export async function inferenceDetector(model: InitializedDetector, imgs: ReadonlyArray<string | Image>): Promise<DetResult[]>;
export async function inferenceDetector(model: InitializedDetector, imgs: string | Image | ReadonlyArray<string | Image>): Promise<DetResult | DetResult[]> {
  const list = Array.isArray(imgs) ? (imgs as ReadonlyArray<string | Image>) : [imgs as string | Image];
  if (list.length === 0) return [];
  const data = model.cfg.data as { test?: { pipeline?: unknown[] } } | undefined;
  const steps = data?.test?.pipeline;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new DetkitError('CONFIG_MISSING_KEY', 'inference needs the test pipeline cfg.data.test.pipeline', { configPath: 'data.test.pipeline' });
  }
  const fromMemory = isImage(list[0]);
  for (const x of list) {
    if (isImage(x) !== fromMemory) throw new TypeError_('INFER_MIXED_INPUTS', 'images must be all file paths or all decoded images');
  }
  const specs = fromMemory ? [new LoadImageFromMemory(), ...(steps.slice(1) as Array<{ type: string }>)] : (steps as Array<{ type: string }>);
  const pipeline = new Compose(specs, 'data.test.pipeline');
  const samples: Results[] = [];
  for (const x of list) {
    const input: Results = isImage(x) ? { img: x } : { img_info: { filename: x, width: 0, height: 0 }, img_prefix: null };
    const out = await pipeline.apply(input, { rng: new Rng(0) });
    if (out === null) throw new DetkitError('DATA_PIPELINE_FAILED', `the test pipeline dropped image ${isImage(x) ? '<array>' : x}`, { configPath: 'data.test.pipeline' });
    samples.push(out);
  }
  const batch = collate(samples, padDivisor(pipeline.transforms));
  const wasTraining = model.training;
  model.eval();
  try {
    const results = forwardTest(model, batch);
    return Array.isArray(imgs) ? results : results[0]!;
  } finally {
    if (wasTraining) model.train();
  }
}
