/**
 * @module Port of `mmdet/core/post_processing/bbox_nms.py` (`multiclass_nms`) @ v2.28.2.
 *
 * Test-time post-processing of detection heads: per-class score threshold, optional score
 * factors, class-wise {@link batchedNms}, top `max_num`. Works on typed arrays; tensors are read
 * back once.
 */
import { tf } from '../backend/index.js';
import { batchedNms, type NmsConfig } from './batched_nms.js';
import { checkShape, readFloat, type FloatInput } from './utils.js';

/** A row-major matrix given as a 2-D tensor or as `{data, shape}`. */
export type MatrixInput = tf.Tensor2D | { data: Float32Array; shape: readonly [number, number] };

/** Options of {@link multiclassNms}. */
export interface MulticlassNmsOptions {
  /** Keep at most this many detections when `> 0` (mmdet `max_num`). Default -1. */
  maxNum?: number;
  /** `[N]` factors multiplied into the scores after thresholding (centerness, IoU). */
  scoreFactors?: FloatInput;
}

/** Result of {@link multiclassNms}. */
export interface MulticlassNmsResult {
  /** `[k, 5]` row-major x1,y1,x2,y2,score, by descending score. */
  dets: Float32Array;
  /** `[k]` 0-based class of each detection. */
  labels: Int32Array;
  /**
   * `[k]` index of each detection in the flattened `[N * num_classes]` (box, class) pairs
   * (mmdet `return_inds=True`).
   */
  inds: Int32Array;
}

function readMatrix(x: MatrixInput, what: string): { data: Float32Array; rows: number; cols: number } {
  if (x instanceof tf.Tensor) {
    checkShape(x.rank === 2, `multiclass_nms(${what})`, 'a 2-D tensor', `shape [${x.shape.join(', ')}]`);
    return { data: readFloat(x), rows: x.shape[0], cols: x.shape[1] };
  }
  const [rows, cols] = x.shape;
  checkShape(x.data.length === rows * cols, `multiclass_nms(${what})`, `${rows * cols} values for shape [${rows}, ${cols}]`,
    `${x.data.length}`);
  return { data: x.data, rows, cols };
}

/**
 * NMS for multi-class boxes (mmdet `multiclass_nms`).
 * @param multiBboxes `[N, 4]` shared boxes or `[N, 4 * num_classes]` class-specific boxes
 * @param multiScores `[N, num_classes + 1]` scores; the last column (background) is ignored
 * @param scoreThr (box, class) pairs with score `<= scoreThr` are dropped
 * @param nmsCfg mmcv `nms_cfg` for {@link batchedNms}
 * @param options `maxNum`, `scoreFactors`
 * @returns `dets [k, 5]`, `labels [k]`, `inds [k]`
 * @throws ValueError `OPS_BAD_SHAPE` when shapes disagree
 * @example
 * const { dets, labels } = multiclassNms(boxes, scores, 0.05, { type: 'nms', iou_threshold: 0.5 }, { maxNum: 100 });
 */
export function multiclassNms(
  multiBboxes: MatrixInput, multiScores: MatrixInput, scoreThr: number, nmsCfg: NmsConfig,
  options: MulticlassNmsOptions = {},
): MulticlassNmsResult {
  const sc = readMatrix(multiScores, 'multi_scores');
  const bb = readMatrix(multiBboxes, 'multi_bboxes');
  const n = sc.rows;
  const numClasses = sc.cols - 1;
  checkShape(bb.rows === n && (bb.cols === 4 || bb.cols === 4 * numClasses), 'multiclass_nms(multi_bboxes)',
    `[${n}, 4] or [${n}, ${4 * numClasses}] for multi_scores [${n}, ${sc.cols}]`, `[${bb.rows}, ${bb.cols}]`);
  const factors = options.scoreFactors === undefined ? undefined : readFloat(options.scoreFactors);
  if (factors !== undefined) {
    checkShape(factors.length === n, 'multiclass_nms(score_factors)', `[${n}]`, `${factors.length} values`);
  }
  const classSpecific = bb.cols > 4;
  // valid (box, class) pairs in flattened row-major [N, num_classes] order
  const inds: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < numClasses; c++) if (sc.data[i * sc.cols + c]! > scoreThr) inds.push(i * numClasses + c);
  }
  const m = inds.length;
  const boxes = new Float32Array(m * 4);
  const scores = new Float32Array(m);
  const labels = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const i = Math.floor(inds[r]! / numClasses);
    const c = inds[r]! - i * numClasses;
    const src = classSpecific ? i * bb.cols + c * 4 : i * 4;
    boxes.set(bb.data.subarray(src, src + 4), r * 4);
    // Porting note: mmdet thresholds before multiplying the score factors (kept here).
    scores[r] = factors === undefined ? sc.data[i * sc.cols + c]! : Math.fround(sc.data[i * sc.cols + c]! * factors[i]!);
    labels[r] = c;
  }
  if (m === 0) return { dets: new Float32Array(0), labels: new Int32Array(0), inds: new Int32Array(0) };
  const { dets, keep } = batchedNms(boxes, scores, labels, nmsCfg);
  const maxNum = options.maxNum ?? -1;
  const k = maxNum > 0 ? Math.min(maxNum, keep.length) : keep.length;
  const outLabels = new Int32Array(k);
  const outInds = new Int32Array(k);
  for (let r = 0; r < k; r++) {
    outLabels[r] = labels[keep[r]!]!;
    outInds[r] = inds[keep[r]!]!;
  }
  return { dets: dets.slice(0, k * 5), labels: outLabels, inds: outInds };
}
