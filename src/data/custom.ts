/**
 * @module Port of `mmdet/datasets/custom.py` @ v2.28.2 (`CustomDataset`).
 *
 * Porting notes:
 * - `ann_file` is a JSON file in mmdet's middle format (pickles are not readable from Node).
 * - `__getitem__` is {@link CustomDataset.getItem}; it is async (image decoding) and takes the
 *   sample's seeded generator. `prepare_train_img` retrying another index (same aspect group) when
 *   the pipeline returns null gives up after 1000 tries with `DATA_NO_VALID_SAMPLE` instead of
 *   looping forever.
 * - Subclasses fill their own state in `load_annotations`, which runs inside the base constructor,
 *   so such fields are declared with `declare` (no field initialisers).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { BuildContext } from '../registry/registry.js';
import { METRICS } from '../registry/root.js';
import type { DetResult } from '../structures/det_types.js';
import type { MiddleAnnotation, VocEvaluateFn } from '../structures/evaluation_types.js';
import { DetkitError, FileNotFoundError, KeyError, ValueError } from '../utils/errors.js';
import { Compose, type TransformSpec } from './pipelines/compose.js';
import type { AnnInfo, ImgInfo, Results, TransformContext } from './pipelines/types.js';
import type { DetDataset } from './types.js';
import { autoGenerate } from './shapes.js';
import { dataWarn } from './warnings.js';
import { withConfigPath } from './config_path.js';

/** Options of {@link CustomDataset} (mmdet keyword names). */
export interface CustomDatasetConfig {
  /** Annotation file (JSON, middle format). */
  ann_file: string;
  /** Transform configs. */
  pipeline: TransformSpec[];
  /** Class names (list), a file with one name per line, or null for the class default. */
  classes?: string[] | string | null;
  /** Joined to relative `ann_file`, `img_prefix`, `seg_prefix`, `proposal_file`. */
  data_root?: string | null;
  img_prefix?: string;
  seg_prefix?: string | null;
  seg_suffix?: string;
  /** JSON list (per image) of `[n, 4|5]` proposals. */
  proposal_file?: string | null;
  test_mode?: boolean;
  filter_empty_gt?: boolean;
  file_client_args?: { backend: string };
  /** Generate a synthetic dataset into `data_root` on first use (see `shapes.ts`). */
  auto_generate?: Record<string, unknown> | null;
}

/** Reads and parses a JSON file with errors naming it. */
export function loadJson(file: string, what = 'annotation file'): unknown {
  if (!existsSync(file)) {
    throw new FileNotFoundError('DATA_ANN_NOT_FOUND', `${what} not found: ${file}`, { file, hint: 'check data_root and ann_file' });
  }
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValueError('DATA_ANN_PARSE', `${what} ${file} is not valid JSON: ${(err as Error).message}`, { file, cause: err });
  }
}

/** `[[x1,y1,x2,y2], ...]` (or a flat list) → `Float32Array [n*4]`. */
export function toBoxes(v: unknown, what: string, file?: string): Float32Array {
  if (v === undefined || v === null) return new Float32Array(0);
  if (v instanceof Float32Array) return v;
  if (!Array.isArray(v)) throw new ValueError('DATA_BAD_ANN', `${what} must be a list of [x1, y1, x2, y2] boxes`, { file });
  const flat = (v as unknown[]).flat() as number[];
  if (flat.length % 4 !== 0 || flat.some((x) => typeof x !== 'number')) {
    throw new ValueError('DATA_BAD_ANN', `${what} must be a list of [x1, y1, x2, y2] boxes, got ${JSON.stringify(v).slice(0, 80)}`, { file });
  }
  return Float32Array.from(flat);
}

/** Joins `root` to a relative path (mmdet: `osp.join(data_root, x)` unless absolute). */
export function joinRoot(root: string | null | undefined, p: string | null | undefined): string | null | undefined {
  if (root === null || root === undefined || p === null || p === undefined || isAbsolute(p)) return p;
  return join(root, p);
}

/** Dataset of images with boxes in mmdet's middle format; base of CocoDataset and XMLDataset. */
export class CustomDataset implements DetDataset {
  static readonly type: string = 'CustomDataset';
  /** Class names of this dataset class (overridden by subclasses). */
  static CLASSES: readonly string[] | null = null;

  declare ann_file: string;
  declare data_root: string | null;
  declare img_prefix: string;
  declare seg_prefix: string | null;
  declare seg_suffix: string;
  declare proposal_file: string | null;
  declare test_mode: boolean;
  declare filter_empty_gt: boolean;
  declare CLASSES: readonly string[];
  declare data_infos: ImgInfo[];
  declare proposals: Float32Array[] | null;
  declare flag: Uint8Array;
  declare pipeline: Compose;
  /** The constructor options (subclasses read their own keys from it inside `load_annotations`). */
  declare protected readonly options: CustomDatasetConfig & Record<string, unknown>;

  constructor(cfg: CustomDatasetConfig) {
    this.options = cfg as CustomDatasetConfig & Record<string, unknown>;
    if (cfg.auto_generate !== undefined && cfg.auto_generate !== null) autoGenerate(cfg.auto_generate, cfg.data_root ?? null);
    this.data_root = cfg.data_root ?? null;
    this.ann_file = joinRoot(this.data_root, cfg.ann_file) as string;
    this.img_prefix = (joinRoot(this.data_root, cfg.img_prefix ?? '') as string) ?? '';
    this.seg_prefix = joinRoot(this.data_root, cfg.seg_prefix ?? null) ?? null;
    this.seg_suffix = cfg.seg_suffix ?? '.png';
    this.proposal_file = joinRoot(this.data_root, cfg.proposal_file ?? null) ?? null;
    this.test_mode = cfg.test_mode ?? false;
    this.filter_empty_gt = cfg.filter_empty_gt ?? true;
    this.CLASSES = this.get_classes(cfg.classes ?? null);
    this.data_infos = this.load_annotations(this.ann_file);
    this.proposals = this.proposal_file !== null ? this.load_proposals(this.proposal_file) : null;
    if (!this.test_mode) {
      const valid = this._filter_imgs();
      this.data_infos = valid.map((i) => this.data_infos[i]!);
      if (this.proposals !== null) this.proposals = valid.map((i) => this.proposals![i]!);
      this._set_group_flag();
    } else {
      this.flag = new Uint8Array(this.data_infos.length);
    }
    this.pipeline = new Compose(cfg.pipeline ?? []);
  }

  /**
   * Registry entry (`DATASETS.build`): constructs the dataset and makes its errors name the config
   * key, e.g. `data.train.ann_file` for an unreadable annotation file.
   */
  static fromConfig<T>(this: new (cfg: never) => T, args: Record<string, unknown>, ctx: BuildContext): T {
    try {
      return new this(args as never);
    } catch (err) {
      throw withConfigPath(err, ctx.path, ctx.file);
    }
  }

  /** Number of images. */
  get length(): number {
    return this.data_infos.length;
  }

  /** mmdet `get_classes`: null → the class default, a string → file of names, a list → itself. */
  get_classes(classes: string[] | string | null): readonly string[] {
    if (classes === null) return (this.constructor as typeof CustomDataset).CLASSES ?? [];
    if (typeof classes === 'string') {
      const file = joinRoot(this.data_root, classes) as string;
      if (!existsSync(file)) throw new FileNotFoundError('DATA_CLASSES_FILE', `classes file not found: ${file}`, { file, configPath: 'classes' });
      return readFileSync(file, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s !== '');
    }
    if (Array.isArray(classes)) return [...classes];
    throw new ValueError('DATA_BAD_CLASSES', `Unsupported type ${typeof classes} of classes.`, { configPath: 'classes' });
  }

  /** Loads the middle-format annotation file. */
  load_annotations(annFile: string): ImgInfo[] {
    const raw = loadJson(annFile);
    if (!Array.isArray(raw)) throw new ValueError('DATA_BAD_ANN', `${annFile} must hold a list of image records (mmdet middle format)`, { file: annFile });
    return raw.map((r: Record<string, unknown>, i) => {
      for (const k of ['filename', 'width', 'height']) {
        if (!(k in r)) throw new KeyError('DATA_BAD_ANN', `${annFile}: record [${i}] has no '${k}'`, { file: annFile });
      }
      const ann = (r.ann ?? {}) as Record<string, unknown>;
      const parsed: AnnInfo = {
        bboxes: toBoxes(ann.bboxes, `${annFile} [${i}].ann.bboxes`, annFile),
        labels: Int32Array.from((ann.labels as number[] | undefined) ?? []),
      };
      if (ann.bboxes_ignore !== undefined) parsed.bboxes_ignore = toBoxes(ann.bboxes_ignore, `${annFile} [${i}].ann.bboxes_ignore`, annFile);
      if (ann.labels_ignore !== undefined) parsed.labels_ignore = Int32Array.from(ann.labels_ignore as number[]);
      if (ann.masks !== undefined) parsed.masks = ann.masks as unknown[];
      if (parsed.labels.length * 4 !== parsed.bboxes.length) {
        throw new ValueError('DATA_BAD_ANN', `${annFile} [${i}] (${String(r.filename)}): ${parsed.bboxes.length / 4} boxes but ${parsed.labels.length} labels`, { file: annFile });
      }
      checkBoxes(parsed.bboxes, annFile, String(r.filename));
      return { ...(r as ImgInfo), ann: parsed };
    });
  }

  /** Loads proposals (JSON: per image a list of `[x1, y1, x2, y2(, score)]`). */
  load_proposals(file: string): Float32Array[] {
    const raw = loadJson(file, 'proposal file');
    if (!Array.isArray(raw)) throw new ValueError('DATA_BAD_PROPOSALS', `${file} must hold one list of proposals per image`, { file });
    return raw.map((p: number[][]) => Float32Array.from(p.map((b) => b.slice(0, 4)).flat()));
  }

  /** mmdet `get_ann_info(idx)`: the annotation of image `idx`. */
  get_ann_info(idx: number): AnnInfo {
    return this.data_infos[idx]!.ann as AnnInfo;
  }

  /** mmdet `get_cat_ids(idx)`: labels of image `idx`. */
  get_cat_ids(idx: number): number[] {
    return Array.from(this.get_ann_info(idx).labels);
  }

  /** mmdet `_filter_imgs(min_size=32)`: indices of images whose shorter side is ≥ 32. */
  _filter_imgs(minSize = 32): number[] {
    if (this.filter_empty_gt && (this.constructor as typeof CustomDataset) === CustomDataset) {
      dataWarn('DATA_FILTER_EMPTY_GT', 'CustomDataset does not support filtering empty gt images.');
    }
    const out: number[] = [];
    this.data_infos.forEach((info, i) => {
      if (Math.min(info.width, info.height) >= minSize) out.push(i);
    });
    return out;
  }

  /** mmdet `_set_group_flag`: 1 for landscape (`w / h > 1`), else 0. */
  _set_group_flag(): void {
    this.flag = Uint8Array.from(this.data_infos, (info) => (info.width / info.height > 1 ? 1 : 0));
  }

  /** mmdet `pre_pipeline`: seeds the prefixes and the field lists. */
  pre_pipeline(results: Results): void {
    results.img_prefix = this.img_prefix;
    results.seg_prefix = this.seg_prefix;
    results.proposal_file = this.proposal_file;
    results.bbox_fields = [];
    results.mask_fields = [];
    results.seg_fields = [];
  }

  /** mmdet `prepare_train_img`: the pipeline output with annotations (null if a transform dropped it). */
  async prepare_train_img(idx: number, ctx: TransformContext): Promise<Results | null> {
    const results: Results = { img_info: this.data_infos[idx]!, ann_info: this.get_ann_info(idx) };
    if (this.proposals !== null) results.proposals = this.proposals[idx]!;
    this.pre_pipeline(results);
    return this.pipeline.apply(results, ctx);
  }

  /** mmdet `prepare_test_img`: the pipeline output without annotations. */
  async prepare_test_img(idx: number, ctx: TransformContext): Promise<Results | null> {
    const results: Results = { img_info: this.data_infos[idx]! };
    if (this.proposals !== null) results.proposals = this.proposals[idx]!;
    this.pre_pipeline(results);
    return this.pipeline.apply(results, ctx);
  }

  /** mmdet `_rand_another`: a random index of the same aspect group. */
  _rand_another(idx: number, ctx: TransformContext): number {
    const pool: number[] = [];
    for (let i = 0; i < this.flag.length; i++) if (this.flag[i] === this.flag[idx]) pool.push(i);
    return ctx.rng.choice(pool);
  }

  /** mmdet `__getitem__`. */
  async getItem(idx: number, ctx: TransformContext): Promise<Results> {
    if (idx < 0 || idx >= this.length) throw new DetkitError('DATA_INDEX', `index ${idx} out of range for a dataset of ${this.length}`);
    if (this.test_mode) {
      const r = await this.prepare_test_img(idx, ctx);
      if (r === null) throw new DetkitError('DATA_NO_VALID_SAMPLE', `the test pipeline dropped image ${this.data_infos[idx]!.filename}`);
      return r;
    }
    let i = idx;
    for (let tries = 0; tries < 1000; tries++) {
      const r = await this.prepare_train_img(i, ctx);
      if (r !== null) return r;
      i = this._rand_another(i, ctx);
    }
    throw new DetkitError('DATA_NO_VALID_SAMPLE', `the train pipeline dropped 1000 samples in a row (starting at ${this.data_infos[idx]!.filename})`, {
      hint: 'a transform (e.g. RandomCrop) returns None for almost every image',
    });
  }

  /** The middle-format annotations of every image, for `eval_map`. */
  annotations(): MiddleAnnotation[] {
    return this.data_infos.map((_, i) => {
      const a = this.get_ann_info(i);
      const m: MiddleAnnotation = { bboxes: a.bboxes, labels: a.labels };
      if (a.bboxes_ignore !== undefined) m.bboxes_ignore = a.bboxes_ignore;
      if (a.labels_ignore !== undefined) m.labels_ignore = a.labels_ignore;
      return m;
    });
  }

  /** The `dataset` argument of `eval_map` (mmdet passes `CLASSES`; VOC2007 passes `'voc07'`). */
  protected evalDatasetName(): string | string[] {
    return [...this.CLASSES];
  }

  /**
   * mmdet `CustomDataset.evaluate`: `mAP` (per `iou_thr`) or `recall`, by `METRICS.get('voc')`.
   * @returns `{AP50, ..., mAP}` or `{recall@N@iou, AR@N}` (mmdet keys)
   */
  evaluate(results: unknown[], options: Record<string, unknown> = {}): Record<string, number> {
    const fn = METRICS.get('voc') as VocEvaluateFn | undefined;
    if (fn === undefined) {
      throw new KeyError('DATA_NO_EVALUATOR', "no 'voc' evaluator is registered in METRICS", { hint: "import 'detkit/register_all' (evaluation/ registers it)" });
    }
    if (results.length !== this.length) {
      throw new ValueError('DATA_BAD_RESULTS', `The length of results is not equal to the dataset len: ${results.length} != ${this.length}`);
    }
    const metric = (options.metric as string | string[] | undefined) ?? 'mAP';
    const allowed = ['mAP', 'recall'];
    for (const m of Array.isArray(metric) ? metric : [metric]) {
      if (!allowed.includes(m)) throw new KeyError('DATA_BAD_METRIC', `metric ${m} is not supported`, { configPath: 'evaluation.metric' });
    }
    return fn({ annotations: this.annotations(), classes: [...this.CLASSES] }, results as DetResult[], {
      dataset: this.evalDatasetName(),
      ...options,
      metric,
    });
  }

  /** mmdet `__repr__`: a summary with per-class instance counts. */
  toString(): string {
    const name = (this.constructor as typeof CustomDataset).type;
    const counts = new Array<number>(this.CLASSES.length).fill(0);
    let background = 0;
    if (!this.test_mode) {
      for (let i = 0; i < this.length; i++) {
        const labels = this.get_ann_info(i).labels;
        if (labels.length === 0) background++;
        for (const l of labels) if (l >= 0 && l < counts.length) counts[l]!++;
      }
    }
    const lines = [`${name} ${this.test_mode ? 'Test' : 'Train'} dataset with number of images ${this.length}, and instance counts:`];
    lines.push(this.CLASSES.map((c, i) => `${i} [${c}]: ${counts[i]}`).join(', ') + (this.test_mode ? '' : `, -1 background: ${background}`));
    return lines.join('\n');
  }
}

/** Warns (as mmdet's pipelines would silently misbehave) about boxes with x2 < x1 or y2 < y1. */
export function checkBoxes(b: Float32Array, file: string, image: string): void {
  for (let i = 0; i < b.length; i += 4) {
    if (b[i + 2]! < b[i]! || b[i + 3]! < b[i + 1]!) {
      throw new ValueError('DATA_BAD_BOX', `${file}: image ${image} box ${i / 4} [${Array.from(b.subarray(i, i + 4)).join(', ')}] has x2 < x1 or y2 < y1`, {
        file,
        hint: 'boxes are [x1, y1, x2, y2] in the middle format',
      });
    }
  }
}
