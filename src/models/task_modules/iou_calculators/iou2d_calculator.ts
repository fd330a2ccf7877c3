/**
 * @module Port of `mmdet/core/bbox/iou_calculators/iou2d_calculator.py` (BboxOverlaps2D) @ v2.28.2.
 */
import { bboxOverlapsArray, type OverlapMode } from '../../../ops/bbox_overlaps.js';

/** What assigners need from an IoU calculator: a `[n1, n2]` overlap matrix on typed arrays. */
export interface IoUCalculator {
  overlaps(bboxes1: Float32Array, bboxes2: Float32Array, mode?: OverlapMode, isAligned?: boolean): Float32Array;
}

/** Config of {@link BboxOverlaps2D}. */
export interface BboxOverlaps2DConfig {
  /** Accepted for config compatibility; detkit computes in float32 always. */
  scale?: number;
  dtype?: string | null;
}

/** 2D box overlaps (`iou`, `iof`, `giou`) of `[n1, 4]` and `[n2, 4]` boxes (a 5th score column is not expected). */
export class BboxOverlaps2D implements IoUCalculator {
  static readonly type = 'BboxOverlaps2D';

  constructor(_cfg: BboxOverlaps2DConfig = {}) {}

  /** Row-major `[n1, n2]` overlaps (`[n1]` when aligned). */
  overlaps(bboxes1: Float32Array, bboxes2: Float32Array, mode: OverlapMode = 'iou', isAligned = false): Float32Array {
    return bboxOverlapsArray(bboxes1, bboxes2, { mode, isAligned });
  }
}
