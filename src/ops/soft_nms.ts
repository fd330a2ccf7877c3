/**
 * @module Port of `soft_nms` from `mmcv/ops/nms.py` (CPU kernel `softnms_cpu`) @ mmcv v1.7.1.
 *
 * Soft-NMS (Bodla et al.): instead of discarding boxes that overlap the current best one, their
 * scores are decayed (`naive`: to 0 when IoU >= threshold; `linear`: by `1 - IoU` when IoU >=
 * threshold; `gaussian`: by `exp(-IoU^2 / sigma)`), and boxes whose score falls below
 * `min_score` are dropped. Same selection order as mmcv's kernel (repeated arg-max with swaps,
 * ties to the lower position), float32 arithmetic.
 */
import { ValueError } from '../utils/errors.js';
import { checkShape, describeShape, readFloat, type FloatInput } from './utils.js';

/** Score decay of {@link softNms} (mmcv `method`). */
export type SoftNmsMethod = 'naive' | 'linear' | 'gaussian';

/** Options of {@link softNms} (mmcv `soft_nms` keywords). */
export interface SoftNmsOptions {
  /** Gaussian width. Default 0.5. */
  sigma?: number;
  /** Boxes whose decayed score is `< min_score` are dropped. Default 1e-3. */
  minScore?: number;
  /** Default `'linear'`. */
  method?: SoftNmsMethod;
  /** `1` uses the legacy `x2 - x1 + 1` widths. Default 0. */
  offset?: 0 | 1;
}

/** Result of {@link softNms}: mmcv's `(dets, inds)`. */
export interface SoftNmsResult {
  /** `[k, 5]` row-major x1,y1,x2,y2,decayed score, in selection order (descending decayed score). */
  dets: Float32Array;
  /** `[k]` indices of the kept boxes in the input, in the order of `dets`. */
  inds: Int32Array;
}

const METHODS: Record<SoftNmsMethod, number> = { naive: 0, linear: 1, gaussian: 2 };

/**
 * Soft non-maximum suppression (mmcv `soft_nms`).
 * @param boxes `[N, 4]` x1,y1,x2,y2
 * @param scores `[N]`
 * @param iouThreshold IoU from which `naive`/`linear` decay applies. Default 0.3.
 * @param options `sigma`, `minScore`, `method`, `offset`
 * @returns `dets [k, 5]` with decayed scores and `inds [k]`
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_BAD_ARGUMENT` (unknown method, bad offset)
 */
export function softNms(boxes: FloatInput, scores: FloatInput, iouThreshold = 0.3, options: SoftNmsOptions = {}): SoftNmsResult {
  const b = readFloat(boxes);
  const s0 = readFloat(scores);
  let n = s0.length;
  checkShape(b.length === 4 * n, 'soft_nms(boxes, scores)', 'boxes [N, 4] and scores [N]',
    `boxes ${describeShape(boxes)} and scores ${describeShape(scores)}`);
  const methodName = options.method ?? 'linear';
  const method = METHODS[methodName];
  if (method === undefined) {
    throw new ValueError('OPS_BAD_ARGUMENT', `soft_nms(method): expected 'naive', 'linear' or 'gaussian', got '${String(methodName)}'.`);
  }
  const offset = options.offset ?? 0;
  if (offset !== 0 && offset !== 1) throw new ValueError('OPS_BAD_ARGUMENT', `soft_nms(offset): expected 0 or 1, got ${String(offset)}.`);
  const f = Math.fround;
  const thr = f(iouThreshold), sigma = f(options.sigma ?? 0.5), minScore = f(options.minScore ?? 1e-3);
  const x1 = new Float32Array(n), y1 = new Float32Array(n), x2 = new Float32Array(n), y2 = new Float32Array(n);
  const sc = Float32Array.from(s0), area = new Float32Array(n), inds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = b[i * 4]!; y1[i] = b[i * 4 + 1]!; x2[i] = b[i * 4 + 2]!; y2[i] = b[i * 4 + 3]!;
    area[i] = f(f(x2[i]! - x1[i]! + offset) * f(y2[i]! - y1[i]! + offset));
    inds[i] = i;
  }
  const dets = new Float32Array(n * 5);
  /** Moves entry `from` to `to` (all the per-box arrays). */
  const move = (to: number, from: number): void => {
    x1[to] = x1[from]!; y1[to] = y1[from]!; x2[to] = x2[from]!; y2[to] = y2[from]!;
    sc[to] = sc[from]!; area[to] = area[from]!; inds[to] = inds[from]!;
  };
  for (let i = 0; i < n; i++) {
    let maxPos = i;
    for (let p = i + 1; p < n; p++) if (sc[maxPos]! < sc[p]!) maxPos = p;
    const ix1 = x1[maxPos]!, iy1 = y1[maxPos]!, ix2 = x2[maxPos]!, iy2 = y2[maxPos]!, iscore = sc[maxPos]!;
    const iarea = area[maxPos]!, iind = inds[maxPos]!;
    dets.set([ix1, iy1, ix2, iy2, iscore], i * 5);
    move(maxPos, i);
    x1[i] = ix1; y1[i] = iy1; x2[i] = ix2; y2[i] = iy2; sc[i] = iscore; area[i] = iarea; inds[i] = iind;
    for (let p = i + 1; p < n; p++) {
      const w = Math.max(0, f(f(Math.min(ix2, x2[p]!) - Math.max(ix1, x1[p]!)) + offset));
      const h = Math.max(0, f(f(Math.min(iy2, y2[p]!) - Math.max(iy1, y1[p]!)) + offset));
      const inter = f(w * h);
      const ovr = f(inter / f(f(iarea + area[p]!) - inter));
      let weight = 1;
      if (method === 0) {
        if (ovr >= thr) weight = 0;
      } else if (method === 1) {
        if (ovr >= thr) weight = f(1 - ovr);
      } else {
        weight = f(Math.exp(f(-f(ovr * ovr) / sigma)));
      }
      sc[p] = f(sc[p]! * weight);
      if (sc[p]! < minScore) {
        // drop it: the last box takes its place and is examined next
        move(p, n - 1);
        n--;
        p--;
      }
    }
  }
  return { dets: dets.slice(0, n * 5), inds: inds.slice(0, n) };
}
