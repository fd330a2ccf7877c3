/**
 * @module Box helpers of the augmentation transforms: `find_inside_bboxes`
 * (`mmdet/core/bbox/transforms.py`), `bbox_overlaps` (`mmdet/core/evaluation/bbox_overlaps.py`) and
 * index selection of boxes / labels, all on row-major `Float32Array [n*4]` (`x1, y1, x2, y2`) @ v2.28.2.
 */

/** Number of boxes in a `[n*4]` array. */
export function numBoxes(b: Float32Array): number {
  return b.length >> 2;
}

/** Rows `idx` of a `[n*4]` box array. */
export function selectBoxes(b: Float32Array, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * 4);
  idx.forEach((i, k) => out.set(b.subarray(i * 4, i * 4 + 4), k * 4));
  return out;
}

/** Entries `idx` of a per-box array (labels). */
export function selectRows<T extends Int32Array | Float32Array | Uint8Array>(a: T, idx: readonly number[]): T {
  const out = new (a.constructor as new (n: number) => T)(idx.length);
  idx.forEach((i, k) => (out[k] = a[i]!));
  return out;
}

/** Concatenates box (or label) arrays of the same kind. */
export function concatArrays<T extends Int32Array | Float32Array>(parts: readonly T[], ctor: new (n: number) => T): T {
  const out = new ctor(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Clips x to `[0, w]` and y to `[0, h]` in place; returns `b`. */
export function clipBoxesInPlace(b: Float32Array, h: number, w: number): Float32Array {
  for (let i = 0; i < b.length; i++) b[i] = Math.min(Math.max(b[i]!, 0), i % 2 === 0 ? w : h);
  return b;
}

/**
 * mmdet `find_inside_bboxes(bboxes, img_h, img_w)`: indices of boxes that overlap the image,
 * `x1 < w && x2 > 0 && y1 < h && y2 > 0`.
 */
export function findInsideBboxes(b: Float32Array, h: number, w: number): number[] {
  const keep: number[] = [];
  for (let i = 0; i < numBoxes(b); i++) {
    if (b[i * 4]! < w && b[i * 4 + 2]! > 0 && b[i * 4 + 1]! < h && b[i * 4 + 3]! > 0) keep.push(i);
  }
  return keep;
}

/** Indices of boxes with positive width and height (`x2 > x1 && y2 > y1`). */
export function nonEmptyBoxes(b: Float32Array): number[] {
  const keep: number[] = [];
  for (let i = 0; i < numBoxes(b); i++) if (b[i * 4 + 2]! > b[i * 4]! && b[i * 4 + 3]! > b[i * 4 + 1]!) keep.push(i);
  return keep;
}

/**
 * mmdet `bbox_overlaps(patch, boxes)` with mode `iou` (no +1 legacy offset, `eps = 1e-6`):
 * IoU of one box `[x1, y1, x2, y2]` with every row of `boxes`.
 */
export function iouWithBoxes(box: readonly number[], boxes: Float32Array): Float64Array {
  const n = numBoxes(boxes);
  const out = new Float64Array(n);
  const a1 = (box[2]! - box[0]!) * (box[3]! - box[1]!);
  for (let i = 0; i < n; i++) {
    const x1 = boxes[i * 4]!;
    const y1 = boxes[i * 4 + 1]!;
    const x2 = boxes[i * 4 + 2]!;
    const y2 = boxes[i * 4 + 3]!;
    const iw = Math.max(Math.min(box[2]!, x2) - Math.max(box[0]!, x1), 0);
    const ih = Math.max(Math.min(box[3]!, y2) - Math.max(box[1]!, y1), 0);
    const inter = iw * ih;
    const union = Math.max(a1 + (x2 - x1) * (y2 - y1) - inter, 1e-6);
    out[i] = inter / union;
  }
  return out;
}

/** Thresholds of the box filter shared by MixUp and RandomAffine (`_filter_box_candidates` / `filter_gt_bboxes`). */
export interface BoxFilterOptions {
  /** Width and height must exceed this (pixels). */
  min_bbox_size: number;
  /** `area_after / area_before` must exceed this. */
  min_area_ratio: number;
  /** `max(w/h, h/w)` must stay below this. */
  max_aspect_ratio: number;
}

/**
 * mmdet's box candidate filter: box `i` of `after` is kept when it is larger than `min_bbox_size`
 * in both sides, kept more than `min_area_ratio` of the area of box `i` of `before`, and its aspect
 * ratio is below `max_aspect_ratio` (`1e-16` guards as in mmdet).
 * @returns a keep flag per box
 */
export function filterBoxCandidates(before: Float32Array, after: Float32Array, o: BoxFilterOptions): boolean[] {
  const keep: boolean[] = [];
  for (let i = 0; i < numBoxes(after); i++) {
    const w1 = before[i * 4 + 2]! - before[i * 4]!;
    const h1 = before[i * 4 + 3]! - before[i * 4 + 1]!;
    const w2 = after[i * 4 + 2]! - after[i * 4]!;
    const h2 = after[i * 4 + 3]! - after[i * 4 + 1]!;
    const ar = Math.max(w2 / (h2 + 1e-16), h2 / (w2 + 1e-16));
    keep.push(w2 > o.min_bbox_size && h2 > o.min_bbox_size && (w2 * h2) / (w1 * h1 + 1e-16) > o.min_area_ratio && ar < o.max_aspect_ratio);
  }
  return keep;
}
