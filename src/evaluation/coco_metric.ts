/**
 * @module Port of `CocoDataset.evaluate` / `evaluate_det_segm` / `format_results` / `results2json`
 * (`mmdet/datasets/coco.py` @ v2.28.2): the evaluator registered as METRICS `coco`.
 *
 * Porting notes:
 * - Results are evaluated in memory; JSON files are written only when `jsonfile_prefix` is given
 *   (mmdet writes them to a temporary directory and reads them back: the numbers are the same, since
 *   `float32 → float` and JSON round trips are exact).
 * - Metric values are rounded as mmdet 2.28 does, `float(f'{x:.3f}')` (the spec's §6.1 says 4 digits;
 *   mmdet's source uses 3).
 * - The classwise table looks categories up by id in the evaluated (sorted) category order; mmdet
 *   indexes by position in `cat_ids`, which differs only when `cat_ids` is not sorted.
 * - `proposal_fast` takes each image's detections of all classes as its proposals (mmdet expects a
 *   proposal array per image, which {@link DetResult} does not carry).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AssertionError_, KeyError } from '../utils/errors.js';
import type { CocoEvaluateFn, CocoEvaluateOptions, CocoJson } from '../structures/evaluation_types.js';
import type { DetResult, RLE } from '../structures/det_types.js';
import { COCO } from './coco.js';
import { COCOeval } from './cocoeval.js';
import { evalRecalls } from './recall.js';
import { asciiTable, formatFixed, linspace, pairwiseSum, stdoutLog, type LogFn } from './utils.js';

/** A dataset as `CocoEvaluateFn` receives it. */
export type CocoDatasetLike = Parameters<CocoEvaluateFn>[0];

/** One record of a COCO results file. */
export interface CocoResultRecord {
  image_id: number;
  /** `[x, y, w, h]` (mmdet `xyxy2xywh`: `w = x2 − x1`, no +1). */
  bbox: [number, number, number, number];
  score: number;
  category_id: number;
  segmentation?: RLE;
}

/** The 12 stats by mmdet's item name (`coco_metric_names`). */
export const COCO_METRIC_NAMES: Readonly<Record<string, number>> = {
  mAP: 0,
  mAP_50: 1,
  mAP_75: 2,
  mAP_s: 3,
  mAP_m: 4,
  mAP_l: 5,
  'AR@100': 6,
  'AR@300': 7,
  'AR@1000': 8,
  'AR_s@1000': 9,
  'AR_m@1000': 10,
  'AR_l@1000': 11,
};

const cocoCache = new WeakMap<CocoJson, COCO>();
function cocoOf(json: CocoJson): COCO {
  let c = cocoCache.get(json);
  if (c === undefined) cocoCache.set(json, (c = new COCO(json)));
  return c;
}

/**
 * mmdet `results2json` (`_det2json` / `_segm2json`): one record per detection, images in dataset
 * order, classes in label order.
 * @returns `bbox` records, and `segm` records when the results carry masks
 * @throws AssertionError_ `COCO_RESULTS_LENGTH` when there is not one result per image
 */
export function results2json(dataset: CocoDatasetLike, results: readonly DetResult[]): { bbox: CocoResultRecord[]; segm?: CocoResultRecord[] } {
  if (results.length !== dataset.imgIds.length) {
    throw new AssertionError_('COCO_RESULTS_LENGTH', `The length of results is not equal to the dataset len: ${results.length} != ${dataset.imgIds.length}`);
  }
  const withSegm = results.length > 0 && results[0]!.segm !== undefined;
  const bbox: CocoResultRecord[] = [];
  const segm: CocoResultRecord[] = [];
  results.forEach((res, idx) => {
    const imageId = dataset.imgIds[idx]!;
    if (res.bbox.length > dataset.catIds.length) {
      throw new AssertionError_('COCO_RESULTS_CLASSES', `result ${idx} has ${res.bbox.length} classes, the dataset ${dataset.catIds.length}`);
    }
    res.bbox.forEach((dets, label) => {
      const n = Math.floor(dets.length / 5);
      for (let i = 0; i < n; i++) {
        const x1 = dets[i * 5]!;
        const y1 = dets[i * 5 + 1]!;
        const rec: CocoResultRecord = {
          image_id: imageId,
          bbox: [x1, y1, dets[i * 5 + 2]! - x1, dets[i * 5 + 3]! - y1],
          score: dets[i * 5 + 4]!,
          category_id: dataset.catIds[label]!,
        };
        bbox.push(rec);
        const mask = withSegm ? res.segm?.[label]?.[i] : undefined;
        if (mask !== undefined) segm.push({ ...rec, segmentation: mask });
      }
    });
  });
  return withSegm ? { bbox, segm } : { bbox };
}

/**
 * mmdet `format_results` with a prefix: writes `<prefix>.bbox.json` (and `<prefix>.segm.json`).
 * @returns the files written, by metric (`bbox`, `proposal`, `segm`)
 */
export function formatResults(dataset: CocoDatasetLike, results: readonly DetResult[], jsonfilePrefix: string): Record<string, string> {
  const json = results2json(dataset, results);
  mkdirSync(dirname(jsonfilePrefix), { recursive: true });
  const files: Record<string, string> = { bbox: `${jsonfilePrefix}.bbox.json`, proposal: `${jsonfilePrefix}.bbox.json` };
  writeFileSync(files.bbox!, JSON.stringify(json.bbox));
  if (json.segm !== undefined) {
    files.segm = `${jsonfilePrefix}.segm.json`;
    writeFileSync(files.segm, JSON.stringify(json.segm));
  }
  return files;
}

/** Per-category numbers from an accumulated `COCOeval` (area all, last maxDets), by category id. */
export interface PerCategoryMetrics {
  /** Mean precision over IoU thresholds and recall points (−1 without gt). */
  ap: number;
  ap50: number;
  ap75: number;
  /** Mean final recall over IoU thresholds (−1 without gt). */
  ar100: number;
  recall50: number;
  /** `precision[IoU .50, :, k, all, last]` (101 recall points). */
  precision50: number[];
}

/**
 * Per-category AP/AR of an accumulated evaluation (what mmdet's classwise table and golden files use).
 * @returns by category id
 */
export function perCategoryMetrics(E: COCOeval): Record<number, PerCategoryMetrics> {
  const ev = E.eval;
  if (ev === null) throw new KeyError('COCO_EVAL_ORDER', 'Please run accumulate() first');
  const p = E.evaluatedParams;
  const [T, R, K, A, M] = ev.dims;
  const m = M - 1;
  const prec = (t: number, r: number, k: number): number => ev.precision[(((t * R + r) * K + k) * A + 0) * M + m]!;
  const rec = (t: number, k: number): number => ev.recall[((t * K + k) * A + 0) * M + m]!;
  const meanValid = (vals: number[]): number => {
    const v = vals.filter((x) => x > -1);
    return v.length === 0 ? -1 : pairwiseSum(v) / v.length;
  };
  const t50 = p.iouThrs.indexOf(0.5);
  const t75 = p.iouThrs.indexOf(0.75);
  const out: Record<number, PerCategoryMetrics> = {};
  for (let k = 0; k < K; k++) {
    const all: number[] = [];
    for (let t = 0; t < T; t++) for (let r = 0; r < R; r++) all.push(prec(t, r, k));
    const at = (t: number): number[] => (t < 0 ? [] : [...Array(R).keys()].map((r) => prec(t, r, k)));
    out[p.useCats ? p.catIds[k]! : -1] = {
      ap: meanValid(all),
      ap50: meanValid(at(t50)),
      ap75: meanValid(at(t75)),
      ar100: meanValid([...Array(T).keys()].map((t) => rec(t, k))),
      recall50: t50 < 0 ? -1 : rec(t50, k),
      precision50: at(t50),
    };
  }
  return out;
}

/**
 * mmdet's classwise AP table (up to 3 category/AP column pairs, `None` in empty cells).
 * @param names category names by id
 */
export function classwiseTable(E: COCOeval, catIds: readonly number[], names: ReadonlyMap<number, string>): string {
  const per = perCategoryMetrics(E);
  const flat: Array<string | null> = [];
  for (const id of catIds) {
    const ap = per[id]?.ap ?? -1;
    flat.push(names.get(id) ?? String(id), formatFixed(ap > -1 ? ap : Number.NaN, 3));
  }
  const numColumns = Math.min(6, flat.length);
  const headers: string[] = [];
  for (let i = 0; i < Math.floor(numColumns / 2); i++) headers.push('category', 'AP');
  const rows: Array<Array<string | null>> = [headers];
  const nRows = numColumns === 0 ? 0 : Math.ceil(flat.length / numColumns);
  for (let r = 0; r < nRows; r++) {
    const row: Array<string | null> = [];
    for (let c = 0; c < numColumns; c++) row.push(flat[r * numColumns + c] ?? null);
    rows.push(row);
  }
  return asciiTable(rows);
}

/**
 * The evaluator behind `CocoDataset.evaluate` (METRICS `coco`): metrics `bbox`, `segm`, `proposal`,
 * `proposal_fast`, with mmdet's options and output keys (`bbox_mAP`, ..., `bbox_mAP_copypaste`).
 * @throws KeyError `COCO_UNSUPPORTED_METRIC`, `COCO_UNSUPPORTED_METRIC_ITEM`
 * @example
 * const res = cocoEvaluate(dataset, results, { metric: ['bbox', 'segm'], classwise: true });
 * res.bbox_mAP; // 0.372
 */
export const cocoEvaluate: CocoEvaluateFn = (dataset, results, options: CocoEvaluateOptions = {}) => {
  const log: LogFn = options.log ?? stdoutLog;
  const metrics = Array.isArray(options.metric) ? options.metric : [options.metric ?? 'bbox'];
  for (const m of metrics) {
    if (!['bbox', 'segm', 'proposal', 'proposal_fast'].includes(m)) throw new KeyError('COCO_UNSUPPORTED_METRIC', `metric ${m} is not supported`);
  }
  const iouThrs = options.iou_thrs ?? linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
  const proposalNums = options.proposal_nums ?? [100, 300, 1000];
  let metricItems = options.metric_items ?? null;
  if (metricItems !== null && !Array.isArray(metricItems)) metricItems = [metricItems];
  for (const item of metricItems ?? []) {
    if (!(item in COCO_METRIC_NAMES)) throw new KeyError('COCO_UNSUPPORTED_METRIC_ITEM', `metric item ${item} is not supported`);
  }
  const json = results2json(dataset, results);
  if (options.jsonfile_prefix !== undefined && options.jsonfile_prefix !== null) formatResults(dataset, results, options.jsonfile_prefix);
  const cocoGt = cocoOf(dataset.coco);
  const out: Record<string, number | string> = {};
  for (const metric of metrics) {
    log(`${options.log === undefined ? '\n' : ''}Evaluating ${metric}...`);
    if (metric === 'proposal_fast') {
      const ar = fastEvalRecall(dataset, results, proposalNums, iouThrs);
      const lines: string[] = [];
      proposalNums.forEach((num, i) => {
        out[`AR@${num}`] = ar[i]!;
        lines.push(`\nAR@${num}\t${formatFixed(ar[i]!, 4)}`);
      });
      log(lines.join(''));
      continue;
    }
    const iouType = metric === 'proposal' ? 'bbox' : (metric as 'bbox' | 'segm');
    let records: CocoResultRecord[];
    if (metric === 'segm') {
      if (json.segm === undefined) throw new KeyError('COCO_METRIC_NOT_IN_RESULTS', `${metric} is not in results`);
      records = json.segm.map(({ bbox: _bbox, ...rest }) => rest as CocoResultRecord);
    } else records = json.bbox;
    if (records.length === 0) {
      log('The testing results of the whole dataset is empty.');
      break;
    }
    const E = new COCOeval(cocoGt, cocoGt.loadRes(records), iouType);
    E.params.catIds = [...dataset.catIds];
    E.params.imgIds = [...dataset.imgIds];
    E.params.maxDets = [...proposalNums];
    E.params.iouThrs = [...iouThrs];
    if (metric === 'proposal') E.params.useCats = false;
    E.evaluate();
    E.accumulate();
    const lines: string[] = [];
    E.summarize((l) => lines.push(l));
    log(`\n${lines.join('\n')}\n`);
    const round3 = (i: string): number => Number(formatFixed(E.stats[COCO_METRIC_NAMES[i]!]!, 3));
    if (metric === 'proposal') {
      // As mmdet: the default fills the shared `metric_items`, so it carries over to later metrics.
      metricItems ??= ['AR@100', 'AR@300', 'AR@1000', 'AR_s@1000', 'AR_m@1000', 'AR_l@1000'];
      for (const item of metricItems) out[item] = round3(item);
      continue;
    }
    if (options.classwise === true) {
      const names = new Map(dataset.coco.categories.map((c) => [c.id, c.name]));
      log(`\n${classwiseTable(E, dataset.catIds, names)}`);
    }
    metricItems ??= ['mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l'];
    for (const item of metricItems) out[`${metric}_${item}`] = round3(item);
    out[`${metric}_mAP_copypaste`] = E.stats
      .slice(0, 6)
      .map((v) => formatFixed(v, 3))
      .join(' ');
  }
  return out;
};

/**
 * mmdet `fast_eval_recall`: average recall over `iouThrs` of each image's detections against its
 * non-crowd, non-ignored gt boxes (no pycocotools).
 * @returns AR per proposal number
 */
export function fastEvalRecall(dataset: CocoDatasetLike, results: readonly DetResult[], proposalNums: readonly number[], iouThrs: readonly number[]): number[] {
  const coco = cocoOf(dataset.coco);
  const gts = dataset.imgIds.map((id) => {
    const boxes: number[] = [];
    for (const ann of coco.imgToAnns.get(id) ?? []) {
      if (ann.ignore || ann.iscrowd) continue;
      const [x1, y1, w, h] = ann.bbox;
      boxes.push(x1, y1, x1 + w, y1 + h);
    }
    return Float32Array.from(boxes);
  });
  const proposals = results.map((r) => {
    const all: number[] = [];
    for (const d of r.bbox) all.push(...d);
    return Float32Array.from(all);
  });
  const recalls = evalRecalls(gts, proposals, { proposal_nums: [...proposalNums], iou_thrs: [...iouThrs], log: () => {} });
  const T = iouThrs.length;
  return proposalNums.map((_, i) => pairwiseSum(recalls.subarray(i * T, (i + 1) * T)) / T);
}
