/**
 * @module Port of `mmdet/core/evaluation/recall.py` @ v2.28.2: proposal recall (`eval_recalls`), its
 * printed table, and the evaluator registered as METRICS `recall`.
 */
import { ValueError } from '../utils/errors.js';
import type { RecallEvaluateFn } from '../structures/evaluation_types.js';
import { bboxOverlaps } from './bbox_overlaps.js';
import { asciiTable, formatFixed, pairwiseSum, pyFloatStr, stdoutLog, type LogFn } from './utils.js';

/** Options of {@link evalRecalls} (mmdet keyword names). */
export interface EvalRecallsOptions {
  /** Proposal counts to evaluate (default `[100, 300, 1000]` as the datasets pass). */
  proposal_nums: number[];
  /** IoU thresholds (default `[0.5]`). */
  iou_thrs?: number[];
  /** Boxes in mmdet 1.x / VOC convention (width = x2 − x1 + 1). */
  use_legacy_coordinate?: boolean;
  /** Where the table goes (default stdout). */
  log?: LogFn;
}

/**
 * mmdet `eval_recalls`: for each image, the IoU of its gts with its top-N proposals (sorted by score
 * when they have 5 columns), matched greedily by global maximum IoU.
 * @param gts per image `[n*4]` gt boxes `x1, y1, x2, y2`
 * @param proposals per image proposals, `proposalColumns` numbers a row
 * @param proposalColumns 5 (`x1, y1, x2, y2, score`: sorted by score first, as mmdet) or 4 (used in order)
 * @returns row-major `[proposal_nums, iou_thrs]` recalls (float64)
 * @throws ValueError `RECALL_LENGTH_MISMATCH` when the two lists differ in length
 */
export function evalRecalls(gts: readonly Float32Array[], proposals: readonly Float32Array[], options: EvalRecallsOptions, proposalColumns = 5): Float64Array {
  if (gts.length !== proposals.length) {
    throw new ValueError('RECALL_LENGTH_MISMATCH', `gts and proposals must have one entry per image, got ${gts.length} and ${proposals.length}`);
  }
  const nums = options.proposal_nums;
  const thrs = options.iou_thrs ?? [0.5];
  const maxNum = nums[nums.length - 1] ?? 0;
  // Per image: [nGt, nProp] IoU matrix.
  const allIous = gts.map((gt, i) => {
    const prop = proposals[i]!;
    const cols = proposalColumns;
    const m = Math.floor(prop.length / cols);
    const order = Array.from({ length: m }, (_, j) => j);
    // Porting note: numpy's argsort(scores)[::-1] is unstable; ties keep reverse order here, as
    // its quicksort does for small equal runs.
    if (cols === 5) order.sort((a, b) => prop[a * 5 + 4]! - prop[b * 5 + 4]! || a - b).reverse();
    const propNum = Math.min(m, maxNum);
    const sorted = new Float32Array(propNum * 4);
    for (let j = 0; j < propNum; j++) for (let c = 0; c < 4; c++) sorted[j * 4 + c] = prop[order[j]! * cols + c]!;
    const nGt = Math.floor(gt.length / 4);
    const ious = bboxOverlaps(gt, nGt, sorted, propNum, { useLegacyCoordinate: options.use_legacy_coordinate === true });
    return { ious, nGt, nProp: propNum };
  });
  const totalGt = allIous.reduce((s, x) => s + x.nGt, 0);
  const recalls = new Float64Array(nums.length * thrs.length);
  nums.forEach((num, k) => {
    const gtIous = new Float32Array(totalGt);
    let off = 0;
    for (const { ious, nGt, nProp } of allIous) {
      const cols = Math.min(num, nProp);
      if (nGt * cols === 0) {
        off += nGt;
        continue;
      }
      const work = new Float32Array(nGt * cols);
      for (let g = 0; g < nGt; g++) for (let c = 0; c < cols; c++) work[g * cols + c] = ious[g * nProp + c]!;
      for (let j = 0; j < nGt; j++) {
        // per gt: best proposal; then the gt with the highest such IoU
        let bestG = 0;
        let bestV = -Infinity;
        let bestBox = 0;
        for (let g = 0; g < nGt; g++) {
          let arg = 0;
          for (let c = 1; c < cols; c++) if (work[g * cols + c]! > work[g * cols + arg]!) arg = c;
          const v = work[g * cols + arg]!;
          if (v > bestV) {
            bestV = v;
            bestG = g;
            bestBox = arg;
          }
        }
        gtIous[off + j] = bestV;
        for (let c = 0; c < cols; c++) work[bestG * cols + c] = -1;
        for (let g = 0; g < nGt; g++) work[g * cols + bestBox] = -1;
      }
      off += nGt;
    }
    thrs.forEach((thr, t) => {
      // numpy compares the float32 array with the threshold cast to float32.
      const thr32 = Math.fround(thr);
      let hit = 0;
      for (let g = 0; g < totalGt; g++) if (gtIous[g]! >= thr32) hit++;
      recalls[k * thrs.length + t] = hit / totalGt;
    });
  });
  printRecallSummary(recalls, nums, thrs, options.log ?? stdoutLog);
  return recalls;
}

/**
 * mmdet `print_recall_summary`: a table of recall by proposal number (rows) and IoU (columns).
 * @param recalls row-major `[nums, thrs]`
 */
export function printRecallSummary(recalls: Float64Array, nums: readonly number[], thrs: readonly number[], log: LogFn): void {
  const rows: Array<Array<string | number>> = [['', ...thrs.map(pyFloatStr)]];
  nums.forEach((num, i) => rows.push([num, ...thrs.map((_, j) => formatFixed(recalls[i * thrs.length + j]!, 3))]));
  log(`\n${asciiTable(rows)}`);
}

/**
 * The evaluator registered as METRICS `recall` (mmdet `CustomDataset`/`VOCDataset.evaluate(metric='recall')`).
 * @returns `recall@{num}@{iou}` for every pair, and `AR@{num}` (mean over IoU thresholds)
 */
export const recallEvaluate: RecallEvaluateFn = (gts, proposals, options: EvalRecallsOptions) => {
  const thrs = options.iou_thrs ?? [0.5];
  const recalls = evalRecalls(gts, proposals, options);
  const out: Record<string, number> = {};
  options.proposal_nums.forEach((num, i) => {
    thrs.forEach((thr, j) => (out[`recall@${num}@${pyFloatStr(thr)}`] = recalls[i * thrs.length + j]!));
  });
  options.proposal_nums.forEach((num, i) => (out[`AR@${num}`] = pairwiseSum(recalls.subarray(i * thrs.length, (i + 1) * thrs.length)) / thrs.length));
  return out;
};
