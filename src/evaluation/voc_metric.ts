/**
 * @module Port of `VOCDataset.evaluate` / `CustomDataset.evaluate` (`mmdet/datasets/voc.py`,
 * `custom.py` @ v2.28.2): the evaluator registered as METRICS `voc`.
 *
 * Porting notes:
 * - `options.dataset === 'voc07'` selects 11-point AP (mmdet: VOC2007 by `img_prefix`), anything
 *   else the area under the PR curve; `use_legacy_coordinate` defaults to `false` as in `eval_map`
 *   (VOCDataset passes `true`, CustomDataset `false`).
 * - With `scale_ranges`, `AP50` and `mAP` average the per-range mAPs (mmdet's `round()` of a list fails).
 * - For `metric='recall'` each image's detections of all classes are its proposals.
 */
import { KeyError } from '../utils/errors.js';
import type { VocEvaluateFn, VocEvaluateOptions } from '../structures/evaluation_types.js';
import { evalMap } from './mean_ap.js';
import { evalRecalls } from './recall.js';
import { pairwiseSum, pyFloatStr, pyRound, stdoutLog } from './utils.js';

/**
 * Evaluates VOC-style detection results: `{mAP, AP50, ...}` for `metric='mAP'`, or
 * `recall@{num}@{iou}` (and `AR@{num}` with several IoUs) for `metric='recall'`.
 * @throws KeyError `VOC_UNSUPPORTED_METRIC`
 * @example
 * vocEvaluate({ annotations, classes }, results, { dataset: 'voc07', use_legacy_coordinate: true });
 */
export const vocEvaluate: VocEvaluateFn = (dataset, results, options: VocEvaluateOptions = {}) => {
  const log = options.log ?? stdoutLog;
  let metric = options.metric ?? 'mAP';
  if (Array.isArray(metric)) {
    if (metric.length !== 1) throw new KeyError('VOC_UNSUPPORTED_METRIC', `only one metric is supported, got [${metric.join(', ')}]`);
    metric = metric[0]!;
  }
  if (metric !== 'mAP' && metric !== 'recall') throw new KeyError('VOC_UNSUPPORTED_METRIC', `metric ${metric} is not supported`);
  const iouThrs = options.iou_thr === undefined ? [0.5] : Array.isArray(options.iou_thr) ? options.iou_thr : [options.iou_thr];
  const legacy = options.use_legacy_coordinate === true;
  const out: Record<string, number> = {};
  if (metric === 'mAP') {
    const voc07 = options.dataset === 'voc07' || (Array.isArray(options.dataset) && options.dataset[0] === 'voc07');
    const meanAps: number[] = [];
    const aps: Record<string, number> = {};
    for (const thr of iouThrs) {
      log(`\n${'-'.repeat(15)}iou_thr: ${pyFloatStr(thr)}${'-'.repeat(15)}`);
      const { mean_ap } = evalMap(
        results.map((r) => r.bbox),
        dataset.annotations,
        {
          scale_ranges: options.scale_ranges ?? null,
          iou_thr: thr,
          dataset: voc07 ? 'voc07' : dataset.classes,
          label_names: dataset.classes,
          use_legacy_coordinate: legacy,
          log,
        },
      );
      const m = Array.isArray(mean_ap) ? pairwiseSum(mean_ap) / mean_ap.length : mean_ap;
      meanAps.push(m);
      aps[`AP${String(Math.trunc(thr * 100)).padStart(2, '0')}`] = pyRound(m, 3);
    }
    out.mAP = meanAps.reduce((s, v) => s + v, 0) / meanAps.length;
    Object.assign(out, aps);
    return out;
  }
  const nums = options.proposal_nums ?? [100, 300, 1000];
  const gts = dataset.annotations.map((a) => a.bboxes);
  const proposals = results.map((r) => {
    const all: number[] = [];
    for (const d of r.bbox) all.push(...d);
    return Float32Array.from(all);
  });
  const recalls = evalRecalls(gts, proposals, { proposal_nums: nums, iou_thrs: iouThrs, use_legacy_coordinate: legacy, log });
  const T = iouThrs.length;
  nums.forEach((num, i) => iouThrs.forEach((thr, j) => (out[`recall@${num}@${pyFloatStr(thr)}`] = recalls[i * T + j]!)));
  if (T > 1) nums.forEach((num, i) => (out[`AR@${num}`] = pairwiseSum(recalls.subarray(i * T, (i + 1) * T)) / T));
  return out;
};
