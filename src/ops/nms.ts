/**
 * @module Port of `mmcv/ops/nms.py` (`nms`, `batched_nms`) @ mmcv v1.7.1.
 *
 * Non-maximum suppression on plain typed arrays (fast JS, no tensors needed). Semantics follow
 * torchvision's CPU kernel, which mmcv's `nms` matches for `offset=0`: boxes are visited in
 * descending score order (stable: equal scores keep input order) and a box is suppressed when
 * its IoU with an already kept box is `> iou_threshold`. IoU arithmetic is float32, like the
 * C++ kernels.
 */
import { TypeError_, ValueError } from '../utils/errors.js';
import {
  argsortDesc, checkShape, describeShape, readFloat, readInt, type FloatInput, type IntInput,
} from './utils.js';

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
  return thr >= 0 && n > 64 ? nmsGrid(sb, thr, offset, limit) : nmsDense(sb, thr, offset, limit);
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

/** `nms_cfg` of mmcv `batched_nms` (config keys verbatim). */
export interface NmsConfig {
  /** NMS kind; only `'nms'` is implemented. Default `'nms'`. */
  type?: string;
  /** IoU threshold. */
  iou_threshold?: number;
  /** Legacy name of `iou_threshold` (mmdet < 2.10 configs). */
  iou_thr?: number;
  /** Box count from which NMS runs per class in a loop instead of with the offset trick. Default 10000. */
  split_thr?: number;
  /** NMS across classes (ignore `idxs`). Overrides the `classAgnostic` argument. */
  class_agnostic?: boolean;
  /** Keep at most this many boxes when `> 0`. Default -1. */
  max_num?: number;
  /** Legacy `+1` widths. Default 0. */
  offset?: 0 | 1;
  /** Drop scores `<= score_threshold` first when `> 0`. Default 0. */
  score_threshold?: number;
}

/** Result of {@link batchedNms}: mmcv's `(dets, keep)`. */
export interface BatchedNmsResult {
  /** `[k, 5]` row-major x1,y1,x2,y2,score of the kept boxes (original coordinates), by descending score. */
  dets: Float32Array;
  /** `[k]` indices into the input boxes, in the order of `dets`. */
  keep: Int32Array;
}

const NMS_CFG_KEYS = new Set(['type', 'iou_threshold', 'iou_thr', 'split_thr', 'class_agnostic', 'max_num', 'offset', 'score_threshold']);

/** Gathers `[k, 5]` dets from boxes and scores at `keep`. */
function gatherDets(b: Float32Array, s: Float32Array, keep: Int32Array): Float32Array {
  const dets = new Float32Array(keep.length * 5);
  for (let r = 0; r < keep.length; r++) {
    const i = keep[r]!;
    dets[r * 5] = b[i * 4]!; dets[r * 5 + 1] = b[i * 4 + 1]!; dets[r * 5 + 2] = b[i * 4 + 2]!;
    dets[r * 5 + 3] = b[i * 4 + 3]!; dets[r * 5 + 4] = s[i]!;
  }
  return dets;
}

/**
 * NMS within groups (classes, or FPN levels for RPN proposals): mmcv 1.x `batched_nms`.
 *
 * Below `split_thr` boxes, each group's boxes are shifted by `idx * (max_coordinate + 1)` so one
 * NMS never compares boxes of different groups; from `split_thr` on, NMS runs per group and the
 * union is sorted by score. `nmsCfg === null` only sorts by score (mmcv behaviour).
 * @param boxes `[N, 4]` x1,y1,x2,y2
 * @param scores `[N]`
 * @param idxs `[N]` integer group ids
 * @param nmsCfg mmcv `nms_cfg` (`iou_threshold`, `type`, `split_thr`, `class_agnostic`, `max_num`, ...)
 * @param classAgnostic NMS across groups (overridden by `nmsCfg.class_agnostic`)
 * @returns `dets [k, 5]` and `keep [k]`, by descending score (ties in input order)
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_NMS_TYPE_UNSUPPORTED` (type other than 'nms'),
 *   `OPS_NMS_CFG_MISSING_KEY` (no IoU threshold); TypeError_ `OPS_NMS_CFG_UNKNOWN_KEY`
 */
export function batchedNms(
  boxes: FloatInput, scores: FloatInput, idxs: IntInput, nmsCfg: NmsConfig | null, classAgnostic = false,
): BatchedNmsResult {
  const b = readFloat(boxes);
  const s = readFloat(scores);
  const ids = readInt(idxs);
  const n = s.length;
  checkShape(b.length === 4 * n && ids.length === n, 'batched_nms(boxes, scores, idxs)',
    'boxes [N, 4], scores [N] and idxs [N]',
    `boxes ${describeShape(boxes)}, scores ${describeShape(scores)}, idxs ${describeShape(idxs)}`);
  if (nmsCfg === null) {
    const keep = argsortDesc(s);
    return { dets: gatherDets(b, s, keep), keep };
  }
  for (const key of Object.keys(nmsCfg)) {
    if (!NMS_CFG_KEYS.has(key)) {
      throw new TypeError_('OPS_NMS_CFG_UNKNOWN_KEY',
        `batched_nms(nms_cfg): unknown key '${key}'; expected one of ${[...NMS_CFG_KEYS].join(', ')}.`);
    }
  }
  const type = nmsCfg.type ?? 'nms';
  if (type !== 'nms') {
    throw new ValueError('OPS_NMS_TYPE_UNSUPPORTED',
      `batched_nms(nms_cfg.type): expected 'nms', got '${type}'.`, { hint: "use nms=dict(type='nms', iou_threshold=...)" });
  }
  const thr = nmsCfg.iou_threshold ?? nmsCfg.iou_thr;
  if (thr === undefined) {
    throw new ValueError('OPS_NMS_CFG_MISSING_KEY', 'batched_nms(nms_cfg): expected iou_threshold, got none.');
  }
  const agnostic = nmsCfg.class_agnostic ?? classAgnostic;
  const splitThr = nmsCfg.split_thr ?? 10000;
  const maxNum = nmsCfg.max_num ?? -1;
  const opts: NmsOptions = { offset: nmsCfg.offset ?? 0, scoreThreshold: nmsCfg.score_threshold ?? 0 };
  if (n === 0) return { dets: new Float32Array(0), keep: new Int32Array(0) };

  let forNms = b;
  if (!agnostic) {
    // Float32 like torch: offsets = idxs.to(boxes) * (boxes.max() + 1).
    let mx = -Infinity;
    for (let i = 0; i < b.length; i++) if (b[i]! > mx) mx = b[i]!;
    const step = Math.fround(mx + 1);
    forNms = new Float32Array(b.length);
    for (let i = 0; i < n; i++) {
      const off = Math.fround(ids[i]! * step);
      for (let j = 0; j < 4; j++) forNms[i * 4 + j] = b[i * 4 + j]! + off;
    }
  }
  let keep: Int32Array;
  if (n < splitThr) {
    keep = nms(forNms, s, thr, { ...opts, maxNum });
  } else {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = groups.get(ids[i]!);
      if (g === undefined) groups.set(ids[i]!, [i]); else g.push(i);
    }
    const mask = new Uint8Array(n);
    for (const members of groups.values()) {
      const gb = new Float32Array(members.length * 4);
      const gs = new Float32Array(members.length);
      members.forEach((i, j) => { gb.set(forNms.subarray(i * 4, i * 4 + 4), j * 4); gs[j] = s[i]!; });
      for (const j of nms(gb, gs, thr, opts)) mask[members[j]!] = 1;
    }
    const kept: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i] === 1) kept.push(i);
    kept.sort((p, q) => (s[q]! - s[p]!) || p - q);
    keep = Int32Array.from(maxNum > 0 ? kept.slice(0, maxNum) : kept);
  }
  return { dets: gatherDets(b, s, keep), keep };
}
