/**
 * @module Port of `mmdet/core/bbox/transforms.py` @ v2.28.2 (the box helpers heads use).
 *
 * Tensor helpers (differentiable where it matters: `distance2bbox` feeds IoU losses) plus
 * `bbox2result`, which packs detections into per-class typed arrays. Boxes are `x1, y1, x2, y2`
 * in pixels; widths are `x2 - x1` (no `+1`).
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import { checkShape, readFloat, readInt, type FloatInput, type IntInput } from './utils.js';

/** Flip directions of mmdet's `RandomFlip`. */
export type FlipDirection = 'horizontal' | 'vertical' | 'diagonal';

function checkBoxes(x: tf.Tensor, where: string, multipleOf4 = false): void {
  const last = x.shape[x.rank - 1];
  checkShape(x.rank >= 1 && last !== undefined && (multipleOf4 ? last % 4 === 0 : last === 4), where,
    multipleOf4 ? '[..., 4k]' : '[..., 4]', `[${x.shape.join(', ')}]`);
}

/**
 * Flips boxes inside an image of `imgShape` (mmdet `bbox_flip`).
 * @param bboxes `[..., 4k]` x1,y1,x2,y2 (k boxes per row)
 * @param imgShape `[h, w, ...]` of the image the boxes live in
 * @param direction default `'horizontal'`
 * @returns flipped boxes, same shape
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_BAD_ARGUMENT`
 */
export function bboxFlip(bboxes: tf.Tensor, imgShape: readonly number[], direction: FlipDirection = 'horizontal'): tf.Tensor {
  checkBoxes(bboxes, 'bbox_flip(bboxes)', true);
  if (direction !== 'horizontal' && direction !== 'vertical' && direction !== 'diagonal') {
    throw new ValueError('OPS_BAD_ARGUMENT', `bbox_flip(direction): expected 'horizontal', 'vertical' or 'diagonal', got '${String(direction)}'.`);
  }
  const h = imgShape[0]!, w = imgShape[1]!;
  return tf.tidy(() => {
    const shape = bboxes.shape;
    const b = tf.reshape(bboxes, [-1, 4]);
    let [x1, y1, x2, y2] = tf.unstack(b, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    if (direction !== 'vertical') [x1, x2] = [tf.sub(w, x2), tf.sub(w, x1)];
    if (direction !== 'horizontal') [y1, y2] = [tf.sub(h, y2), tf.sub(h, y1)];
    return tf.reshape(tf.stack([x1, y1, x2, y2], 1), shape);
  });
}

/**
 * Converts per-image boxes to RoIs `[batch_idx, x1, y1, x2, y2]` (mmdet `bbox2roi`).
 * @param bboxList one `[n_i, 4+]` tensor per image (extra columns such as scores are dropped)
 * @returns `[sum n_i, 5]`; the caller owns it
 */
export function bbox2roi(bboxList: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = bboxList.map((b, i) => {
      checkShape(b.rank === 2 && (b.shape[1] >= 4 || b.shape[0] === 0), `bbox2roi(bbox_list[${i}])`, '[n, 4+]', `[${b.shape.join(', ')}]`);
      if (b.shape[0] === 0) return tf.zeros([0, 5]);
      return tf.concat([tf.fill([b.shape[0], 1], i), tf.slice(b, [0, 0], [-1, 4])], 1);
    });
    return (parts.length === 0 ? tf.zeros([0, 5]) : tf.concat(parts, 0)) as tf.Tensor2D;
  });
}

/**
 * Packs detections into one `[n_c, 5]` array per class (mmdet `bbox2result`).
 * @param bboxes `[n, 5]` x1,y1,x2,y2,score (tensor or flat row-major array)
 * @param labels `[n]` 0-based classes
 * @param numClasses number of classes (background excluded)
 * @returns `numClasses` row-major Float32Arrays of `[n_c, 5]`, detections in input order
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_BAD_LABEL` (label outside `[0, numClasses)`)
 */
export function bbox2result(bboxes: FloatInput, labels: IntInput, numClasses: number): Float32Array[] {
  const b = readFloat(bboxes);
  const l = readInt(labels);
  checkShape(b.length === 5 * l.length, 'bbox2result(bboxes, labels)', 'bboxes [n, 5] and labels [n]',
    `${b.length} box values and ${l.length} labels`);
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < l.length; i++) {
    if (!(l[i]! >= 0 && l[i]! < numClasses)) {
      throw new ValueError('OPS_BAD_LABEL', `bbox2result(labels[${i}]): expected a class in [0, ${numClasses - 1}], got ${l[i]}.`);
    }
    counts[l[i]!]++;
  }
  const out = Array.from(counts, (n) => new Float32Array(n * 5));
  const fill = new Int32Array(numClasses);
  for (let i = 0; i < l.length; i++) {
    const c = l[i]!;
    out[c]!.set(b.subarray(i * 5, i * 5 + 5), fill[c]! * 5);
    fill[c]++;
  }
  return out;
}

/**
 * Decodes distances from points to boxes (mmdet `distance2bbox`; FCOS-style heads).
 * @param points `[N, 2]` x,y
 * @param distance `[N, 4]` left, top, right, bottom
 * @param maxShape `[h, w]`: clamp x to `[0, w]` and y to `[0, h]` when given
 * @returns `[N, 4]` x1,y1,x2,y2 (differentiable w.r.t. both inputs)
 */
export function distance2bbox(points: tf.Tensor2D, distance: tf.Tensor2D, maxShape?: readonly number[]): tf.Tensor2D {
  checkShape(points.rank === 2 && points.shape[1] === 2, 'distance2bbox(points)', '[N, 2]', `[${points.shape.join(', ')}]`);
  checkShape(distance.rank === 2 && distance.shape[1] === 4 && distance.shape[0] === points.shape[0],
    'distance2bbox(distance)', `[${points.shape[0]}, 4]`, `[${distance.shape.join(', ')}]`);
  return tf.tidy(() => {
    const [px, py] = tf.unstack(points, 1) as [tf.Tensor, tf.Tensor];
    const [l, t, r, b] = tf.unstack(distance, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    let boxes = tf.stack([tf.sub(px, l), tf.sub(py, t), tf.add(px, r), tf.add(py, b)], 1) as tf.Tensor2D;
    if (maxShape !== undefined) boxes = clipBoxes(boxes, maxShape);
    return boxes;
  });
}

/**
 * Encodes boxes as distances from points (mmdet `bbox2distance`).
 * @param points `[N, 2]` x,y
 * @param bbox `[N, 4]` x1,y1,x2,y2
 * @param maxDis when given, distances are clamped to `[0, maxDis - eps]`
 * @param eps default 0.1
 * @returns `[N, 4]` left, top, right, bottom
 */
export function bbox2distance(points: tf.Tensor2D, bbox: tf.Tensor2D, maxDis?: number, eps = 0.1): tf.Tensor2D {
  checkShape(points.rank === 2 && points.shape[1] === 2, 'bbox2distance(points)', '[N, 2]', `[${points.shape.join(', ')}]`);
  checkShape(bbox.rank === 2 && bbox.shape[1] === 4 && bbox.shape[0] === points.shape[0], 'bbox2distance(bbox)',
    `[${points.shape[0]}, 4]`, `[${bbox.shape.join(', ')}]`);
  return tf.tidy(() => {
    const [px, py] = tf.unstack(points, 1) as [tf.Tensor, tf.Tensor];
    const [x1, y1, x2, y2] = tf.unstack(bbox, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    let d = tf.stack([tf.sub(px, x1), tf.sub(py, y1), tf.sub(x2, px), tf.sub(y2, py)], 1) as tf.Tensor2D;
    if (maxDis !== undefined) d = tf.clipByValue(d, 0, maxDis - eps);
    return d;
  });
}

/**
 * Scales boxes about their centres (mmdet `bbox_rescale`).
 * @param bboxes `[N, 4]` x1,y1,x2,y2 or `[N, 5]` RoIs (batch_idx kept)
 * @param scaleFactor width/height multiplier, default 1
 * @returns same shape
 */
export function bboxRescale(bboxes: tf.Tensor2D, scaleFactor = 1): tf.Tensor2D {
  checkShape(bboxes.rank === 2 && (bboxes.shape[1] === 4 || bboxes.shape[1] === 5), 'bbox_rescale(bboxes)', '[N, 4] or [N, 5]',
    `[${bboxes.shape.join(', ')}]`);
  return tf.tidy(() => {
    const cols = tf.unstack(bboxes, 1);
    const roi = cols.length === 5;
    const [x1, y1, x2, y2] = (roi ? cols.slice(1) : cols) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const cx = tf.mul(tf.add(x1, x2), 0.5), cy = tf.mul(tf.add(y1, y2), 0.5);
    const hw = tf.mul(tf.sub(x2, x1), 0.5 * scaleFactor), hh = tf.mul(tf.sub(y2, y1), 0.5 * scaleFactor);
    const out = [tf.sub(cx, hw), tf.sub(cy, hh), tf.add(cx, hw), tf.add(cy, hh)];
    return tf.stack(roi ? [cols[0]!, ...out] : out, 1) as tf.Tensor2D;
  });
}

/**
 * `cx, cy, w, h` → `x1, y1, x2, y2` (mmdet `bbox_cxcywh_to_xyxy`).
 * @param bbox `[..., 4]`
 * @returns `[..., 4]`
 */
export function bboxCxcywhToXyxy(bbox: tf.Tensor): tf.Tensor {
  checkBoxes(bbox, 'bbox_cxcywh_to_xyxy(bbox)');
  return tf.tidy(() => {
    const [cx, cy, w, h] = tf.split(bbox, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const hw = tf.mul(w, 0.5), hh = tf.mul(h, 0.5);
    return tf.concat([tf.sub(cx, hw), tf.sub(cy, hh), tf.add(cx, hw), tf.add(cy, hh)], -1);
  });
}

/**
 * `x1, y1, x2, y2` → `cx, cy, w, h` (mmdet `bbox_xyxy_to_cxcywh`).
 * @param bbox `[..., 4]`
 * @returns `[..., 4]`
 */
export function bboxXyxyToCxcywh(bbox: tf.Tensor): tf.Tensor {
  checkBoxes(bbox, 'bbox_xyxy_to_cxcywh(bbox)');
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.split(bbox, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    return tf.concat([tf.mul(tf.add(x1, x2), 0.5), tf.mul(tf.add(y1, y2), 0.5), tf.sub(x2, x1), tf.sub(y2, y1)], -1);
  });
}

/**
 * Clamps boxes to an image: x to `[0, w]`, y to `[0, h]` (the `clip_border` step of mmdet's box
 * coders and `distance2bbox`).
 * @param boxes `[..., 4]` x1,y1,x2,y2
 * @param maxShape `[h, w, ...]`
 * @returns same shape (gradient passes where the box is inside)
 */
export function clipBoxes<T extends tf.Tensor>(boxes: T, maxShape: readonly number[]): T {
  checkBoxes(boxes, 'clip_boxes(boxes)');
  const h = maxShape[0]!, w = maxShape[1]!;
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.split(boxes, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const cx = (t: tf.Tensor): tf.Tensor => tf.clipByValue(t, 0, w);
    const cy = (t: tf.Tensor): tf.Tensor => tf.clipByValue(t, 0, h);
    return tf.concat([cx(x1), cy(y1), cx(x2), cy(y2)], -1) as T;
  });
}
