/**
 * @module Port of `nms` from `mmcv/ops/nms.py` @ mmcv v1.7.1.
 *
 * Non-maximum suppression on plain typed arrays (fast JS, no tensors needed). Semantics follow
 * torchvision's CPU kernel, which mmcv's `nms` matches for `offset=0`: boxes are visited in
 * descending score order (stable: equal scores keep input order) and a box is suppressed when
 * its IoU with an already kept box is `> iou_threshold`. IoU arithmetic and the threshold are
 * float32, like mmcv's C++ kernel (`float iou_threshold`; torchvision compares with a double,
 * which differs only when an IoU equals the threshold in float32).
 *
 * `batched_nms` is in `batched_nms.ts`, `soft_nms` in `soft_nms.ts`.
 */
import { ValueError } from '../utils/errors.js';
import { argsortDesc, checkShape, describeShape, readFloat, type FloatInput } from './utils.js';

/** Options of {@link nms} (mmcv `nms` keyword arguments). */
export interface NmsOptions {
  /** `1` uses the legacy `x2 - x1 + 1` widths (mmcv `offset`). Default 0. */
  offset?: 0 | 1;
  /** Boxes with score `<= score_threshold` are dropped first when `> 0` (mmcv). Default 0. */
  scoreThreshold?: number;
  /** Keep at most this many boxes when `> 0` (mmcv `max_num`). Default -1. */
  maxNum?: number;
}

/** Boxes gathered in score order with their float32 areas (the kernels' working set). */
interface SortedBoxes {
  order: Int32Array;
  x1: Float32Array;
  y1: Float32Array;
  x2: Float32Array;
  y2: Float32Array;
  area: Float32Array;
}

function sortBoxes(boxes: Float32Array, scores: Float32Array, offset: number): SortedBoxes {
  const order = argsortDesc(scores);
  const n = order.length;
  const x1 = new Float32Array(n), y1 = new Float32Array(n), x2 = new Float32Array(n), y2 = new Float32Array(n);
  const area = new Float32Array(n);
  for (let a = 0; a < n; a++) {
    const i = order[a]! * 4;
    x1[a] = boxes[i]!; y1[a] = boxes[i + 1]!; x2[a] = boxes[i + 2]!; y2[a] = boxes[i + 3]!;
    area[a] = Math.fround(Math.fround(x2[a]! - x1[a]! + offset) * Math.fround(y2[a]! - y1[a]! + offset));
  }
  return { order, x1, y1, x2, y2, area };
}

/**
 * IoU of kept box `a` against box `b` > `thr`, in the C++ kernels' float32 order of operations
 * (`inter / (area_a + area_b - inter)`).
 */
function overlapsAbove(sb: SortedBoxes, a: number, b: number, thr: number, offset: number): boolean {
  const { x1, y1, x2, y2, area } = sb;
  let w = Math.fround(Math.fround((x2[a]! < x2[b]! ? x2[a]! : x2[b]!) - (x1[a]! > x1[b]! ? x1[a]! : x1[b]!)) + offset);
  if (!(w > 0)) w = 0;
  let h = Math.fround(Math.fround((y2[a]! < y2[b]! ? y2[a]! : y2[b]!) - (y1[a]! > y1[b]! ? y1[a]! : y1[b]!)) + offset);
  if (!(h > 0)) h = 0;
  const inter = Math.fround(w * h);
  return Math.fround(inter / Math.fround(Math.fround(area[a]! + area[b]!) - inter)) > thr;
}

/** The reference O(N^2) loop (torchvision's kernel); used when `thr < 0`. */
function nmsDense(sb: SortedBoxes, thr: number, offset: number, limit: number): Int32Array {
  const n = sb.order.length;
  const suppressed = new Uint8Array(n);
  const keep = new Int32Array(n);
  let k = 0;
  for (let a = 0; a < n && k < limit; a++) {
    if (suppressed[a] === 1) continue;
    keep[k++] = sb.order[a]!;
    for (let b = a + 1; b < n; b++) {
      if (suppressed[b] === 0 && overlapsAbove(sb, a, b, thr, offset)) suppressed[b] = 1;
    }
  }
  return keep.slice(0, k);
}

/**
 * Same result as {@link nmsDense} for `thr >= 0`, using a uniform grid over the kept boxes.
 *
 * A box is kept iff no earlier kept box overlaps it by more than `thr`, and with `thr >= 0` only
 * boxes with a positive intersection can (IoU is otherwise 0, -0 or NaN), so each box is tested
 * only against kept boxes registered in the grid cells it touches. The IoU test itself is the
 * dense kernel's, so results are identical.
 */
function nmsGrid(sb: SortedBoxes, thr: number, offset: number, limit: number): Int32Array {
  const { order, x1, y1, x2, y2 } = sb;
  const n = order.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, sumSize = 0, counted = 0;
  // Only boxes with a positive extent (`x2 - x1 + offset > 0`) and finite coordinates can have a
  // positive intersection with a box of finite area; the others are never suppressed and suppress nothing.
  const registrable = (a: number): boolean => {
    const w = x2[a]! - x1[a]! + offset, h = y2[a]! - y1[a]! + offset;
    return w > 0 && h > 0 && Number.isFinite(w) && Number.isFinite(h);
  };
  for (let a = 0; a < n; a++) {
    if (!registrable(a)) continue;
    const w = x2[a]! - x1[a]!, h = y2[a]! - y1[a]!;
    if (x1[a]! < minX) minX = x1[a]!;
    if (y1[a]! < minY) minY = y1[a]!;
    if (x2[a]! > maxX) maxX = x2[a]!;
    if (y2[a]! > maxY) maxY = y2[a]!;
    sumSize += Math.max(w, h, 0);
    counted++;
  }
  const keep = new Int32Array(n);
  if (counted === 0) {
    // no box with a positive finite extent: nothing can suppress anything
    const k = Math.min(n, limit);
    keep.set(order.subarray(0, k));
    return keep.slice(0, k);
  }
  minX -= offset; minY -= offset; maxX += offset; maxY += offset;
  const spanX = maxX - minX, spanY = maxY - minY;
  // cells about the mean box size, at most ~4n cells in all
  let cell = Math.max(sumSize / counted, Math.sqrt((spanX * spanY) / (4 * n)), 1e-6);
  if (!(cell > 0)) cell = 1;
  const gx = Math.min(Math.max(1, Math.ceil(spanX / cell)), 4096);
  const gy = Math.min(Math.max(1, Math.ceil(spanY / cell)), 4096);
  const sx = gx / (spanX > 0 ? spanX : 1), sy = gy / (spanY > 0 ? spanY : 1);
  const cells: number[][] = Array.from({ length: gx * gy }, () => []);
  const seen = new Int32Array(n).fill(-1);
  const cellRange = (lo: number, hi: number, min: number, scale: number, g: number): [number, number] => [
    Math.max(0, Math.floor((lo - offset - min) * scale)), Math.min(g - 1, Math.floor((hi + offset - min) * scale)),
  ];
  // Kept boxes covering more than LARGE cells are not put in the grid; every box is tested
  // against them directly (bounds the cost of a few huge boxes).
  const LARGE = 256;
  const large: number[] = [];
  const kept = new Int32Array(n);
  let k = 0;
  for (let b = 0; b < n && k < limit; b++) {
    let suppressed = false;
    let cx0 = 0, cx1 = -1, cy0 = 0, cy1 = -1;
    const inGrid = registrable(b);
    if (inGrid) {
      [cx0, cx1] = cellRange(x1[b]!, x2[b]!, minX, sx, gx);
      [cy0, cy1] = cellRange(y1[b]!, y2[b]!, minY, sy, gy);
      const nCells = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
      if (nCells > k) {
        // cheaper to test every kept box
        for (let t = 0; t < k && !suppressed; t++) suppressed = overlapsAbove(sb, kept[t]!, b, thr, offset);
      } else {
        for (let t = 0; t < large.length && !suppressed; t++) suppressed = overlapsAbove(sb, large[t]!, b, thr, offset);
        for (let cy = cy0; cy <= cy1 && !suppressed; cy++) {
          for (let cx = cx0; cx <= cx1 && !suppressed; cx++) {
            const list = cells[cy * gx + cx]!;
            for (let t = 0; t < list.length; t++) {
              const a = list[t]!;
              if (seen[a] === b) continue;
              seen[a] = b;
              if (overlapsAbove(sb, a, b, thr, offset)) {
                suppressed = true;
                break;
              }
            }
          }
        }
      }
    }
    if (suppressed) continue;
    keep[k] = order[b]!;
    kept[k++] = b;
    if (!inGrid) continue;
    if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > LARGE) {
      large.push(b);
    } else {
      for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) cells[cy * gx + cx]!.push(b);
    }
  }
  return keep.slice(0, k);
}

/** NMS kernel: boxes sorted by descending score, then the grid or the dense loop. */
function nmsKernel(
  boxes: Float32Array, scores: Float32Array, thr: number, offset: number, maxNum: number,
): Int32Array {
  const sb = sortBoxes(boxes, scores, offset);
  const n = sb.order.length;
  const limit = maxNum > 0 ? Math.min(maxNum, n) : n;
  // mmcv passes the threshold to its kernel as a C++ float
  const t = Math.fround(thr);
  return t >= 0 && n > 64 ? nmsGrid(sb, t, offset, limit) : nmsDense(sb, t, offset, limit);
}

/**
 * Non-maximum suppression (torchvision `nms` / mmcv `nms` indices).
 * @param boxes `[N, 4]` x1,y1,x2,y2 (tensor or flat row-major array)
 * @param scores `[N]`
 * @param iouThreshold boxes with IoU `>` this against a kept box are discarded
 * @param options `offset`, `scoreThreshold`, `maxNum` (mmcv keywords)
 * @returns int32 indices of kept boxes, by descending score (ties in input order)
 * @throws ValueError `OPS_BAD_SHAPE` when shapes disagree; `OPS_BAD_ARGUMENT` for a bad offset
 * @example
 * nms(new Float32Array([0,0,10,10, 1,1,10,10, 20,20,30,30]), new Float32Array([0.9,0.8,0.7]), 0.5)
 * // Int32Array [0, 2]
 */
export function nms(boxes: FloatInput, scores: FloatInput, iouThreshold: number, options: NmsOptions = {}): Int32Array {
  const b = readFloat(boxes);
  const s = readFloat(scores);
  checkShape(b.length === 4 * s.length, 'nms(boxes, scores)', 'boxes [N, 4] and scores [N]',
    `boxes ${describeShape(boxes)} and scores ${describeShape(scores)}`);
  const offset = options.offset ?? 0;
  if (offset !== 0 && offset !== 1) {
    throw new ValueError('OPS_BAD_ARGUMENT', `nms(offset): expected 0 or 1, got ${String(offset)}.`);
  }
  const scoreThr = options.scoreThreshold ?? 0;
  const maxNum = options.maxNum ?? -1;
  if (scoreThr > 0) {
    const valid: number[] = [];
    for (let i = 0; i < s.length; i++) if (s[i]! > scoreThr) valid.push(i);
    const vb = new Float32Array(valid.length * 4);
    const vs = new Float32Array(valid.length);
    valid.forEach((i, j) => { vb.set(b.subarray(i * 4, i * 4 + 4), j * 4); vs[j] = s[i]!; });
    const inner = nmsKernel(vb, vs, iouThreshold, offset, maxNum);
    return inner.map((j) => valid[j]!);
  }
  return nmsKernel(b, s, iouThreshold, offset, maxNum);
}
