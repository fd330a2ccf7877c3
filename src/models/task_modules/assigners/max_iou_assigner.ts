/**
 * @module Port of `mmdet/core/bbox/assigners/max_iou_assigner.py` @ v2.28.2.
 *
 * Each box is assigned to the gt it overlaps most: negative below `neg_iou_thr`, positive at or above
 * `pos_iou_thr`, and (with `match_low_quality`) every gt claims its best box(es) if that IoU reaches
 * `min_pos_iou`. Runs on typed arrays (no tensors).
 */
import { AssignResult } from './assign_result.js';
import type { IoUCalculator } from '../iou_calculators/iou2d_calculator.js';
import { BboxOverlaps2D } from '../iou_calculators/iou2d_calculator.js';

/** Config of {@link MaxIoUAssigner} (mmdet keys). */
export interface MaxIoUAssignerConfig {
  pos_iou_thr: number;
  /** A threshold, or `[low, high)` range, for negatives. */
  neg_iou_thr: number | [number, number];
  min_pos_iou?: number;
  gt_max_assign_all?: boolean;
  ignore_iof_thr?: number;
  ignore_wrt_candidates?: boolean;
  match_low_quality?: boolean;
  /** Accepted for config compatibility (CPU always). */
  gpu_assign_thr?: number;
  iou_calculator?: { type: string; [k: string]: unknown };
}

/** Max-IoU box assigner (RetinaNet, RPN, R-CNN). */
export class MaxIoUAssigner {
  static readonly type = 'MaxIoUAssigner';
  readonly posIouThr: number;
  readonly negIouThr: number | [number, number];
  readonly minPosIou: number;
  readonly gtMaxAssignAll: boolean;
  readonly ignoreIofThr: number;
  readonly ignoreWrtCandidates: boolean;
  readonly matchLowQuality: boolean;
  readonly iouCalculator: IoUCalculator;

  constructor(cfg: MaxIoUAssignerConfig) {
    this.posIouThr = cfg.pos_iou_thr;
    this.negIouThr = cfg.neg_iou_thr;
    this.minPosIou = cfg.min_pos_iou ?? 0;
    this.gtMaxAssignAll = cfg.gt_max_assign_all ?? true;
    this.ignoreIofThr = cfg.ignore_iof_thr ?? -1;
    this.ignoreWrtCandidates = cfg.ignore_wrt_candidates ?? true;
    this.matchLowQuality = cfg.match_low_quality ?? true;
    this.iouCalculator = new BboxOverlaps2D();
  }

  /**
   * Assigns `bboxes` (`[n, 4]`) to `gtBboxes` (`[g, 4]`).
   * @param gtBboxesIgnore `[m, 4]` boxes whose overlapping candidates are ignored (when `ignore_iof_thr > 0`)
   * @param gtLabels `[g]` labels copied to positives
   */
  assign(bboxes: Float32Array, gtBboxes: Float32Array, gtBboxesIgnore?: Float32Array | null, gtLabels?: Int32Array | null): AssignResult {
    const n = bboxes.length / 4;
    const g = gtBboxes.length / 4;
    const overlaps = this.iouCalculator.overlaps(gtBboxes, bboxes, 'iou');
    if (this.ignoreIofThr > 0 && gtBboxesIgnore != null && gtBboxesIgnore.length > 0 && n > 0) {
      const m = gtBboxesIgnore.length / 4;
      const ignoreMax = new Float32Array(n).fill(-Infinity);
      if (this.ignoreWrtCandidates) {
        const iof = this.iouCalculator.overlaps(bboxes, gtBboxesIgnore, 'iof');
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) ignoreMax[i] = Math.max(ignoreMax[i], iof[i * m + j]);
      } else {
        const iof = this.iouCalculator.overlaps(gtBboxesIgnore, bboxes, 'iof');
        for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) ignoreMax[i] = Math.max(ignoreMax[i], iof[j * n + i]);
      }
      for (let i = 0; i < n; i++) if (ignoreMax[i] > this.ignoreIofThr) for (let k = 0; k < g; k++) overlaps[k * n + i] = -1;
    }
    return this.assignWrtOverlaps(overlaps, g, n, gtLabels ?? null);
  }

  /**
   * The assignment rules on a precomputed `[g, n]` overlap matrix (mmdet `assign_wrt_overlaps`).
   */
  assignWrtOverlaps(overlaps: Float32Array, g: number, n: number, gtLabels: Int32Array | null): AssignResult {
    const gtInds = new Int32Array(n).fill(-1);
    if (g === 0 || n === 0) {
      if (g === 0) gtInds.fill(0);
      return new AssignResult(g, gtInds, new Float32Array(n), gtLabels === null ? null : new Int32Array(n).fill(-1));
    }
    const maxOv = new Float32Array(n).fill(-Infinity);
    const argmax = new Int32Array(n);
    for (let k = 0; k < g; k++) {
      const row = k * n;
      for (let i = 0; i < n; i++) {
        if (overlaps[row + i] > maxOv[i]) {
          maxOv[i] = overlaps[row + i];
          argmax[i] = k;
        }
      }
    }
    const neg = this.negIouThr;
    for (let i = 0; i < n; i++) {
      const v = maxOv[i];
      if (typeof neg === 'number' ? v >= 0 && v < neg : v >= neg[0] && v < neg[1]) gtInds[i] = 0;
      if (v >= this.posIouThr) gtInds[i] = argmax[i] + 1;
    }
    if (this.matchLowQuality) {
      for (let k = 0; k < g; k++) {
        const row = k * n;
        let best = -Infinity;
        let bestIdx = 0;
        for (let i = 0; i < n; i++) {
          if (overlaps[row + i] > best) {
            best = overlaps[row + i];
            bestIdx = i;
          }
        }
        if (best >= this.minPosIou) {
          if (this.gtMaxAssignAll) {
            for (let i = 0; i < n; i++) if (overlaps[row + i] === best) gtInds[i] = k + 1;
          } else {
            gtInds[bestIdx] = k + 1;
          }
        }
      }
    }
    let labels: Int32Array | null = null;
    if (gtLabels !== null) {
      labels = new Int32Array(n).fill(-1);
      for (let i = 0; i < n; i++) if (gtInds[i] > 0) labels[i] = gtLabels[gtInds[i] - 1];
    }
    return new AssignResult(g, gtInds, maxOv, labels);
  }
}
