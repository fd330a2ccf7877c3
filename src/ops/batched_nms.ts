/**
 * @module Port of `batched_nms` from `mmcv/ops/nms.py` @ mmcv v1.7.1.
 *
 * NMS within groups (classes, or FPN levels for RPN proposals) with `nms` or `soft_nms`, on typed
 * arrays.
 */
import { TypeError_, ValueError } from '../utils/errors.js';
import { nms } from './nms.js';
import { softNms, type SoftNmsMethod } from './soft_nms.js';
import { argsortDesc, checkShape, describeShape, readFloat, readInt, type FloatInput, type IntInput } from './utils.js';

/** `nms_cfg` of mmcv `batched_nms` (config keys verbatim). */
export interface NmsConfig {
  /** `'nms'` (default) or `'soft_nms'`. */
  type?: 'nms' | 'soft_nms';
  /** IoU threshold. */
  iou_threshold?: number;
  /** Legacy name of `iou_threshold` (mmdet < 2.10 configs). */
  iou_thr?: number;
  /** Box count from which NMS runs per group in a loop instead of with the offset trick. Default 10000. */
  split_thr?: number;
  /** NMS across groups (ignore `idxs`). Overrides the `classAgnostic` argument. */
  class_agnostic?: boolean;
  /** Keep at most this many boxes when `> 0`. Default -1. */
  max_num?: number;
  /** Legacy `+1` widths. Default 0. */
  offset?: 0 | 1;
  /** `nms` only: drop scores `<= score_threshold` first when `> 0`. Default 0. */
  score_threshold?: number;
  /** `soft_nms` only: Gaussian width. Default 0.5. */
  sigma?: number;
  /** `soft_nms` only: drop boxes whose decayed score is `< min_score`. Default 1e-3. */
  min_score?: number;
  /** `soft_nms` only: `'naive' | 'linear' | 'gaussian'`. Default `'linear'`. */
  method?: SoftNmsMethod;
}

/** Result of {@link batchedNms}: mmcv's `(dets, keep)`. */
export interface BatchedNmsResult {
  /**
   * `[k, 5]` row-major x1,y1,x2,y2,score of the kept boxes (original coordinates), by descending
   * score; with `soft_nms` the score is the decayed one.
   */
  dets: Float32Array;
  /** `[k]` indices into the input boxes, in the order of `dets`. */
  keep: Int32Array;
}

const COMMON_KEYS = ['type', 'iou_threshold', 'iou_thr', 'split_thr', 'class_agnostic', 'max_num', 'offset'];
const KEYS: Record<'nms' | 'soft_nms', Set<string>> = {
  nms: new Set([...COMMON_KEYS, 'score_threshold']),
  soft_nms: new Set([...COMMON_KEYS, 'sigma', 'min_score', 'method']),
};

/** One NMS run: kept indices (into the given boxes) and their output scores, in output order. */
type NmsOp = (boxes: Float32Array, scores: Float32Array) => { keep: Int32Array; scores: Float32Array };

/** Builds `[k, 5]` dets from original boxes at `keep` and the given scores. */
function makeDets(b: Float32Array, keep: Int32Array, scores: Float32Array): Float32Array {
  const dets = new Float32Array(keep.length * 5);
  for (let r = 0; r < keep.length; r++) {
    dets.set(b.subarray(keep[r]! * 4, keep[r]! * 4 + 4), r * 5);
    dets[r * 5 + 4] = scores[r]!;
  }
  return dets;
}

/** Reads and checks `nms_cfg`, returning the NMS op it describes. */
function resolveCfg(cfg: NmsConfig): NmsOp {
  const type = cfg.type ?? 'nms';
  if (type !== 'nms' && type !== 'soft_nms') {
    throw new ValueError('OPS_NMS_TYPE_UNSUPPORTED', `batched_nms(nms_cfg.type): expected 'nms' or 'soft_nms', got '${String(type)}'.`);
  }
  for (const key of Object.keys(cfg)) {
    if (!KEYS[type].has(key)) {
      throw new TypeError_('OPS_NMS_CFG_UNKNOWN_KEY',
        `batched_nms(nms_cfg): unknown key '${key}' for type '${type}'; expected one of ${[...KEYS[type]].join(', ')}.`);
    }
  }
  const thr = cfg.iou_threshold ?? cfg.iou_thr;
  if (thr === undefined) {
    throw new ValueError('OPS_NMS_CFG_MISSING_KEY', 'batched_nms(nms_cfg): expected iou_threshold, got none.');
  }
  const offset = cfg.offset ?? 0;
  if (type === 'nms') {
    const scoreThreshold = cfg.score_threshold ?? 0;
    return (bx, sc) => {
      const keep = nms(bx, sc, thr, { offset, scoreThreshold });
      return { keep, scores: Float32Array.from(keep, (i) => sc[i]!) };
    };
  }
  const opts = { offset, sigma: cfg.sigma ?? 0.5, minScore: cfg.min_score ?? 1e-3, method: cfg.method ?? 'linear' };
  return (bx, sc) => {
    const { dets, inds } = softNms(bx, sc, thr, opts);
    return { keep: inds, scores: Float32Array.from(inds, (_, r) => dets[r * 5 + 4]!) };
  };
}

/**
 * NMS within groups: mmcv 1.x `batched_nms`.
 *
 * Below `split_thr` boxes, each group's boxes are shifted by `idx * (max_coordinate + 1)` so one
 * NMS never compares boxes of different groups; from `split_thr` on, NMS runs per group and the
 * union is sorted by (output) score. `max_num` keeps the first boxes. `nmsCfg === null` only sorts
 * by score (mmcv behaviour).
 *
 * Porting note: mmcv sorts the per-group union with torch's unstable sort; detkit's sorts are
 * stable (ties keep index order). mmcv raises a TypeError for `max_num` with `soft_nms` below
 * `split_thr`; detkit applies it.
 * @param boxes `[N, 4]` x1,y1,x2,y2
 * @param scores `[N]`
 * @param idxs `[N]` integer group ids
 * @param nmsCfg mmcv `nms_cfg`
 * @param classAgnostic NMS across groups (overridden by `nmsCfg.class_agnostic`)
 * @returns `dets [k, 5]` and `keep [k]`, by descending score
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_NMS_TYPE_UNSUPPORTED`, `OPS_NMS_CFG_MISSING_KEY` (no
 *   IoU threshold); TypeError_ `OPS_NMS_CFG_UNKNOWN_KEY`
 * @example
 * const { dets, keep } = batchedNms(boxes, scores, labels, { type: 'nms', iou_threshold: 0.5 });
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
    return { dets: makeDets(b, keep, Float32Array.from(keep, (i) => s[i]!)), keep };
  }
  const op = resolveCfg(nmsCfg);
  const agnostic = nmsCfg.class_agnostic ?? classAgnostic;
  const splitThr = nmsCfg.split_thr ?? 10000;
  const maxNum = nmsCfg.max_num ?? -1;
  if (n === 0) return { dets: new Float32Array(0), keep: new Int32Array(0) };

  let forNms = b;
  if (!agnostic) {
    // float32 like torch: offsets = idxs.to(boxes) * (boxes.max() + 1)
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
  let outScores: Float32Array;
  if (n < splitThr) {
    ({ keep, scores: outScores } = op(forNms, s));
  } else {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = groups.get(ids[i]!);
      if (g === undefined) groups.set(ids[i]!, [i]); else g.push(i);
    }
    const mask = new Uint8Array(n);
    const after = new Float32Array(n);
    for (const members of groups.values()) {
      const gb = new Float32Array(members.length * 4);
      const gs = new Float32Array(members.length);
      members.forEach((i, j) => { gb.set(forNms.subarray(i * 4, i * 4 + 4), j * 4); gs[j] = s[i]!; });
      const r = op(gb, gs);
      r.keep.forEach((j, t) => { mask[members[j]!] = 1; after[members[j]!] = r.scores[t]!; });
    }
    const kept: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i] === 1) kept.push(i);
    kept.sort((p, q) => (after[q]! - after[p]!) || p - q);
    keep = Int32Array.from(kept);
    outScores = Float32Array.from(kept, (i) => after[i]!);
  }
  if (maxNum > 0 && keep.length > maxNum) {
    keep = keep.slice(0, maxNum);
    outScores = outScores.slice(0, maxNum);
  }
  return { dets: makeDets(b, keep, outScores), keep };
}
