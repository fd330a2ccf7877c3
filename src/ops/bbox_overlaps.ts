/**
 * @module Port of `bbox_overlaps` from `mmdet/core/bbox/iou_calculators/iou2d_calculator.py` @ v2.28.2.
 *
 * Two implementations that agree: {@link bboxOverlaps} on tensors (differentiable, for IoU
 * losses) and {@link bboxOverlapsArray} on typed arrays (float32 arithmetic, for assigners and
 * evaluation). Widths are `x2 - x1` (no `+1`); the union (and the GIoU enclosing area) is clamped
 * to at least `eps`, as in mmdet 2.x.
 *
 * Porting note: inputs are 2-D (`[N, 4]`); mmdet also accepts leading batch dimensions, which no
 * 2.x detector in scope uses. mmdet's fp16 clamp workaround is not needed (float32 only).
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import { checkShape } from './utils.js';

/** Overlap measures of mmdet: intersection over union, over foreground (`bboxes1` area), generalized IoU. */
export type OverlapMode = 'iou' | 'iof' | 'giou';

/** Options of {@link bboxOverlaps} / {@link bboxOverlapsArray} (mmdet keywords). */
export interface BboxOverlapsOptions {
  /** Default `'iou'`. */
  mode?: OverlapMode;
  /** Pairs row i of `bboxes1` with row i of `bboxes2` (both `[N, 4]`) and returns `[N]`. Default false. */
  isAligned?: boolean;
  /** Lower bound of the union / enclosing area. Default 1e-6. */
  eps?: number;
}

function resolve(options: BboxOverlapsOptions): { mode: OverlapMode; isAligned: boolean; eps: number } {
  const mode = options.mode ?? 'iou';
  if (mode !== 'iou' && mode !== 'iof' && mode !== 'giou') {
    throw new ValueError('OPS_BAD_ARGUMENT', `bbox_overlaps(mode): expected 'iou', 'iof' or 'giou', got '${String(mode)}'.`);
  }
  return { mode, isAligned: options.isAligned ?? false, eps: options.eps ?? 1e-6 };
}

/**
 * Overlaps between two sets of boxes as tensors (differentiable).
 * @param bboxes1 `[N, 4]` x1,y1,x2,y2
 * @param bboxes2 `[M, 4]` x1,y1,x2,y2 (`M == N` when aligned)
 * @param options `mode`, `isAligned`, `eps`
 * @returns `[N, M]` (or `[N]` when aligned) float32; the caller owns it
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_BAD_ARGUMENT`
 * @example
 * const ious = bboxOverlaps(tf.tensor2d([[0, 0, 10, 10]]), tf.tensor2d([[5, 0, 15, 10]])); // [[1/3]]
 */
export function bboxOverlaps(bboxes1: tf.Tensor2D, bboxes2: tf.Tensor2D, options: BboxOverlapsOptions = {}): tf.Tensor {
  const { mode, isAligned, eps } = resolve(options);
  const rows = bboxes1.shape[0], cols = bboxes2.shape[0];
  checkShape(bboxes1.rank === 2 && (bboxes1.shape[1] === 4 || rows === 0), 'bbox_overlaps(bboxes1)', '[N, 4]',
    `[${bboxes1.shape.join(', ')}]`);
  checkShape(bboxes2.rank === 2 && (bboxes2.shape[1] === 4 || cols === 0), 'bbox_overlaps(bboxes2)', '[M, 4]',
    `[${bboxes2.shape.join(', ')}]`);
  if (isAligned) checkShape(rows === cols, 'bbox_overlaps(is_aligned)', 'as many rows in both sets', `${rows} and ${cols}`);
  if (rows * cols === 0) return isAligned ? tf.zeros([rows]) : tf.zeros([rows, cols]);
  return tf.tidy(() => {
    const [ax1, ay1, ax2, ay2] = tf.unstack(bboxes1, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const [bx1, by1, bx2, by2] = tf.unstack(bboxes2, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const area1 = tf.mul(tf.sub(ax2, ax1), tf.sub(ay2, ay1));
    const area2 = tf.mul(tf.sub(bx2, bx1), tf.sub(by2, by1));
    // aligned: both sides [N]; otherwise [N, 1] against [1, M], broadcast explicitly because
    // tfjs' Maximum/Minimum gradients do not reduce over broadcast dimensions.
    const col = (t: tf.Tensor): tf.Tensor => (isAligned ? t : tf.broadcastTo(tf.reshape(t, [rows, 1]), [rows, cols]));
    const row = (t: tf.Tensor): tf.Tensor => (isAligned ? t : tf.broadcastTo(tf.reshape(t, [1, cols]), [rows, cols]));
    const zero = tf.scalar(0);
    const w = tf.maximum(tf.sub(tf.minimum(col(ax2), row(bx2)), tf.maximum(col(ax1), row(bx1))), zero);
    const h = tf.maximum(tf.sub(tf.minimum(col(ay2), row(by2)), tf.maximum(col(ay1), row(by1))), zero);
    const overlap = tf.mul(w, h);
    const a1 = col(area1);
    let union = mode === 'iof' ? a1 : tf.sub(tf.add(a1, row(area2)), overlap);
    const epsT = tf.scalar(eps);
    union = tf.maximum(union, epsT);
    const ious = tf.div(overlap, union);
    if (mode !== 'giou') return ious;
    const ew = tf.maximum(tf.sub(tf.maximum(col(ax2), row(bx2)), tf.minimum(col(ax1), row(bx1))), zero);
    const eh = tf.maximum(tf.sub(tf.maximum(col(ay2), row(by2)), tf.minimum(col(ay1), row(by1))), zero);
    const enclose = tf.maximum(tf.mul(ew, eh), epsT);
    return tf.sub(ious, tf.div(tf.sub(enclose, union), enclose));
  });
}

/**
 * Overlaps between two sets of boxes on typed arrays, float32 arithmetic (agrees with
 * {@link bboxOverlaps}).
 * @param bboxes1 `[N, 4]` row-major x1,y1,x2,y2
 * @param bboxes2 `[M, 4]` row-major x1,y1,x2,y2
 * @param options `mode`, `isAligned`, `eps`
 * @returns `[N, M]` row-major (or `[N]` when aligned)
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_BAD_ARGUMENT`
 */
export function bboxOverlapsArray(bboxes1: Float32Array, bboxes2: Float32Array, options: BboxOverlapsOptions = {}): Float32Array {
  const { mode, isAligned } = resolve(options);
  const eps = Math.fround(options.eps ?? 1e-6);
  checkShape(bboxes1.length % 4 === 0, 'bbox_overlaps(bboxes1)', '[N, 4] (length divisible by 4)', `length ${bboxes1.length}`);
  checkShape(bboxes2.length % 4 === 0, 'bbox_overlaps(bboxes2)', '[M, 4] (length divisible by 4)', `length ${bboxes2.length}`);
  const rows = bboxes1.length / 4, cols = bboxes2.length / 4;
  if (isAligned) checkShape(rows === cols, 'bbox_overlaps(is_aligned)', 'as many rows in both sets', `${rows} and ${cols}`);
  const out = new Float32Array(isAligned ? rows : rows * cols);
  const f = Math.fround;
  const one = (i: number, j: number): number => {
    const ax1 = bboxes1[i * 4]!, ay1 = bboxes1[i * 4 + 1]!, ax2 = bboxes1[i * 4 + 2]!, ay2 = bboxes1[i * 4 + 3]!;
    const bx1 = bboxes2[j * 4]!, by1 = bboxes2[j * 4 + 1]!, bx2 = bboxes2[j * 4 + 2]!, by2 = bboxes2[j * 4 + 3]!;
    const area1 = f(f(ax2 - ax1) * f(ay2 - ay1));
    const w = Math.max(f(Math.min(ax2, bx2) - Math.max(ax1, bx1)), 0);
    const h = Math.max(f(Math.min(ay2, by2) - Math.max(ay1, by1)), 0);
    const overlap = f(w * h);
    let union = mode === 'iof' ? area1 : f(f(area1 + f(f(bx2 - bx1) * f(by2 - by1))) - overlap);
    union = Math.max(union, eps);
    const iou = f(overlap / union);
    if (mode !== 'giou') return iou;
    const ew = Math.max(f(Math.max(ax2, bx2) - Math.min(ax1, bx1)), 0);
    const eh = Math.max(f(Math.max(ay2, by2) - Math.min(ay1, by1)), 0);
    const enclose = Math.max(f(ew * eh), eps);
    return f(iou - f(f(enclose - union) / enclose));
  };
  if (isAligned) {
    for (let i = 0; i < rows; i++) out[i] = one(i, i);
  } else {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = one(i, j);
  }
  return out;
}
