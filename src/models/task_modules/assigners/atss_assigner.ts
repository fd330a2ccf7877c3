/**
 * @module Port of `mmdet/core/bbox/assigners/atss_assigner.py` @ v2.28.2.
 *
 * Adaptive Training Sample Selection: per level, the `topk` anchors closest (centre distance) to each
 * gt are candidates; candidates whose IoU ≥ mean + std of the gt's candidate IoUs and whose centre
 * lies inside the gt (margin 0.01) are positives; a box claimed by several gts goes to the highest IoU.
 */
import { AssignResult } from './assign_result.js';
import { BboxOverlaps2D, type IoUCalculator } from '../iou_calculators/iou2d_calculator.js';

/** Config of {@link ATSSAssigner}. */
export interface ATSSAssignerConfig {
  topk: number;
  iou_calculator?: { type: string; [k: string]: unknown };
  ignore_iof_thr?: number;
}

const INF = 100000000;

/** ATSS assigner. */
export class ATSSAssigner {
  static readonly type = 'ATSSAssigner';
  readonly topk: number;
  readonly ignoreIofThr: number;
  readonly iouCalculator: IoUCalculator;

  constructor(cfg: ATSSAssignerConfig) {
    this.topk = cfg.topk;
    this.ignoreIofThr = cfg.ignore_iof_thr ?? -1;
    this.iouCalculator = new BboxOverlaps2D();
  }

  /**
   * @param bboxes `[n, 4]` anchors of all levels, concatenated
   * @param numLevelBboxes anchors per level (sums to n)
   * @param gtBboxes `[g, 4]`
   */
  assign(
    bboxes: Float32Array,
    numLevelBboxes: number[],
    gtBboxes: Float32Array,
    gtBboxesIgnore?: Float32Array | null,
    gtLabels?: Int32Array | null,
  ): AssignResult {
    const n = bboxes.length / 4;
    const g = gtBboxes.length / 4;
    const gtInds = new Int32Array(n);
    if (g === 0 || n === 0) {
      return new AssignResult(g, gtInds, new Float32Array(n), gtLabels == null ? null : new Int32Array(n).fill(-1));
    }
    const overlaps = this.iouCalculator.overlaps(bboxes, gtBboxes, 'iou'); // [n, g]
    const cx = new Float32Array(n);
    const cy = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      cx[i] = (bboxes[4 * i] + bboxes[4 * i + 2]) / 2;
      cy[i] = (bboxes[4 * i + 1] + bboxes[4 * i + 3]) / 2;
    }
    const distances = new Float32Array(n * g);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < g; k++) {
        const gx = (gtBboxes[4 * k] + gtBboxes[4 * k + 2]) / 2;
        const gy = (gtBboxes[4 * k + 1] + gtBboxes[4 * k + 3]) / 2;
        distances[i * g + k] = Math.sqrt((cx[i] - gx) ** 2 + (cy[i] - gy) ** 2);
      }
    }
    if (this.ignoreIofThr > 0 && gtBboxesIgnore != null && gtBboxesIgnore.length > 0) {
      const m = gtBboxesIgnore.length / 4;
      const iof = this.iouCalculator.overlaps(bboxes, gtBboxesIgnore, 'iof');
      for (let i = 0; i < n; i++) {
        let mx = -Infinity;
        for (let j = 0; j < m; j++) mx = Math.max(mx, iof[i * m + j]);
        if (mx > this.ignoreIofThr) {
          for (let k = 0; k < g; k++) distances[i * g + k] = INF;
          gtInds[i] = -1;
        }
      }
    }
    // candidates[k] = indices (into all boxes) of the topk closest boxes per level, for gt k
    const candidates: number[][] = Array.from({ length: g }, () => []);
    let start = 0;
    for (const count of numLevelBboxes) {
      const kSel = Math.min(this.topk, count);
      for (let k = 0; k < g; k++) {
        const idx = Array.from({ length: count }, (_, j) => start + j);
        idx.sort((a, b) => distances[a * g + k] - distances[b * g + k] || a - b);
        for (let j = 0; j < kSel; j++) candidates[k].push(idx[j]);
      }
      start += count;
    }
    const best = new Float32Array(n).fill(-INF);
    const bestGt = new Int32Array(n).fill(-1);
    for (let k = 0; k < g; k++) {
      const cand = candidates[k];
      const ious = cand.map((i) => overlaps[i * g + k]);
      const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
      // Porting note: torch.std is unbiased (n - 1); a single candidate gives NaN there, so no positive.
      const variance = ious.reduce((a, b) => a + (b - mean) ** 2, 0) / (ious.length - 1);
      const thr = mean + Math.sqrt(variance);
      const [x1, y1, x2, y2] = [gtBboxes[4 * k], gtBboxes[4 * k + 1], gtBboxes[4 * k + 2], gtBboxes[4 * k + 3]];
      for (let j = 0; j < cand.length; j++) {
        const i = cand[j];
        const inside = Math.min(cx[i] - x1, cy[i] - y1, x2 - cx[i], y2 - cy[i]) > 0.01;
        if (ious[j] >= thr && inside && overlaps[i * g + k] > best[i]) {
          best[i] = overlaps[i * g + k];
          bestGt[i] = k;
        }
      }
    }
    const maxOverlaps = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (bestGt[i] >= 0) {
        gtInds[i] = bestGt[i] + 1;
        maxOverlaps[i] = best[i];
      } else {
        maxOverlaps[i] = -INF;
      }
    }
    let labels: Int32Array | null = null;
    if (gtLabels != null) {
      labels = new Int32Array(n).fill(-1);
      for (let i = 0; i < n; i++) if (gtInds[i] > 0) labels[i] = gtLabels[gtInds[i] - 1];
    }
    return new AssignResult(g, gtInds, maxOverlaps, labels);
  }
}
