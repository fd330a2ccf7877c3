/**
 * @module Port of `pycocotools/cocoeval.py` (cocodataset/cocoapi @ 8c9bcc3): `COCOeval` for iouType
 * `bbox` and `segm` — `evaluate()`, `accumulate()`, `summarize()` with identical numbers.
 *
 * Semantics kept from pycocotools, including its quirks:
 * - a gt is ignored iff `iscrowd` (pycocotools overwrites the `ignore` field with `iscrowd`) or its
 *   `area` is outside the range (bounds inclusive, so an area of exactly 32² is small and medium);
 * - detections are ordered by a stable sort on score (ties keep results-file order per image and
 *   category; across images, image-id order), and cut to `maxDets[-1]` per image and category;
 * - matching: per IoU threshold, each detection takes the last gt of highest IoU ≥ min(thr, 1−1e−10),
 *   non-ignored gts first; crowd gts may absorb several detections; a detection matched to a gt
 *   whose id is 0 counts as unmatched (pycocotools stores gt ids in a zero-initialised array).
 *
 * Porting note: instead of per-image dicts this works on typed arrays. Detections get one "slot"
 * each, laid out by category, then image, then score rank; `evaluate()` writes a matched flag and an
 * ignore flag per (area range, IoU threshold, slot), `accumulate()` sorts each category's slots once.
 */
import { ValueError } from '../utils/errors.js';
import type { COCO, CocoDetections } from './coco.js';
import { rleFrPoly, rleIou, type RawRle } from '../structures/mask.js';
import { bucketSort, formatFixed, linspace, pairwiseSum, sortByScore, stdoutLog, type LogFn } from './utils.js';

/** Evaluation parameters (pycocotools `Params`, detection defaults). */
export interface CocoEvalParams {
  iouType: 'bbox' | 'segm';
  imgIds: number[];
  catIds: number[];
  /** IoU thresholds; default `np.linspace(.5, .95, 10)` (so 0.75 is exactly `iouThrs[5]`). */
  iouThrs: number[];
  /** Recall sampling points; default `np.linspace(0, 1, 101)`. */
  recThrs: number[];
  /** Detections kept per image; default `[1, 10, 100]` (mmdet: `[100, 300, 1000]`). */
  maxDets: number[];
  /** Area ranges in pixels², inclusive. */
  areaRng: Array<[number, number]>;
  areaRngLbl: string[];
  /** Match per category (`1`) or class-agnostic (`0`, mmdet's `proposal` metric). */
  useCats: boolean;
}

/** Output of `accumulate()` (pycocotools `self.eval`). */
export interface CocoEvalResult {
  /** `[T, R, K, A, M]` dimensions. */
  dims: [number, number, number, number, number];
  /** Row-major `[T, R, K, A, M]` interpolated precision; −1 where a category has no gt. */
  precision: Float64Array;
  /** Row-major `[T, K, A, M]` final recall; −1 where a category has no gt. */
  recall: Float64Array;
}

/**
 * pycocotools' default detection parameters.
 * @param iouType `bbox` or `segm`
 */
export function defaultCocoParams(iouType: 'bbox' | 'segm' = 'bbox'): CocoEvalParams {
  return {
    iouType,
    imgIds: [],
    catIds: [],
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, 1e5 ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
    useCats: true,
  };
}

const SPACING_1 = 2.220446049250313e-16; // np.spacing(1)

/** Per-slot outcome codes of `evaluate()`, one byte per (slot, area range, IoU threshold). */
const FP = 0;
const TP = 1;
const IGNORED = 2;

/** State kept between `evaluate()` and `accumulate()`. */
interface EvalState {
  /** Params as `evaluate()` resolved them (sorted unique ids, sorted maxDets). */
  p: CocoEvalParams;
  K: number;
  /** Slot score and rank (position in its image's score order). */
  slotScore: Float64Array;
  slotRank: Int32Array;
  /** `[K+1]` first slot of each category. */
  catSlotStart: Int32Array;
  /** `[S, A, T]` outcome: FP, TP (matched to a gt of non-zero id) or IGNORED. */
  outcome: Uint8Array;
  S: number;
  /** `[K*A]` non-ignored gt count. */
  npig: Float64Array;
}

/**
 * COCO detection evaluation with pycocotools' semantics.
 *
 * @example
 * const gt = COCO.fromFile('instances_val.json');
 * const E = new COCOeval(gt, gt.loadRes(results), 'bbox');
 * E.evaluate(); E.accumulate(); const stats = E.summarize();
 */
export class COCOeval {
  readonly params: CocoEvalParams;
  /** Set by `accumulate()`. */
  eval: CocoEvalResult | null = null;
  /** The 12 summary numbers, set by `summarize()`. */
  stats: number[] = [];
  private state: EvalState | null = null;

  /**
   * @param cocoGt ground truth
   * @param cocoDt detections from `cocoGt.loadRes(...)`
   * @param iouType `bbox` or `segm`
   */
  constructor(
    private readonly cocoGt: COCO,
    private readonly cocoDt: CocoDetections,
    iouType: 'bbox' | 'segm' = 'bbox',
  ) {
    if (iouType !== 'bbox' && iouType !== 'segm') {
      throw new ValueError('COCO_BAD_IOU_TYPE', `iouType must be 'bbox' or 'segm', got ${JSON.stringify(iouType)}`);
    }
    this.params = defaultCocoParams(iouType);
    this.params.imgIds = cocoGt.getImgIds();
    this.params.catIds = cocoGt.getCatIds();
  }

  /** Matches detections to gts for every image, category, area range and IoU threshold. */
  evaluate(): void {
    const src = this.params;
    const p: CocoEvalParams = {
      ...src,
      imgIds: [...new Set(src.imgIds)].sort((a, b) => a - b),
      catIds: src.useCats ? [...new Set(src.catIds)].sort((a, b) => a - b) : [...src.catIds],
      maxDets: [...src.maxDets].sort((a, b) => a - b),
    };
    const segm = p.iouType === 'segm';
    const I = p.imgIds.length;
    const Kc = p.catIds.length;
    const K = p.useCats ? Kc : 1;
    const T = p.iouThrs.length;
    const A = p.areaRng.length;
    const maxDet = p.maxDets[p.maxDets.length - 1] ?? 0;
    const imgPos = new Map(p.imgIds.map((id, i) => [id, i]));
    const catPos = new Map<number, number>();
    p.catIds.forEach((id, k) => {
      if (!catPos.has(id)) catPos.set(id, k);
    });
    // Bucket key: useCats → (cat, img); else (img, cat), whose per-image range is contiguous.
    const nBuckets = I * Kc;
    const keyOf = (img: number, cat: number): number => {
      const i = imgPos.get(img);
      const k = catPos.get(cat);
      if (i === undefined || k === undefined) return -1;
      return p.useCats ? k * I + i : i * Kc + k;
    };
    const stride = p.useCats ? 1 : Kc;

    // ---- ground truth, grouped ----
    const anns = this.cocoGt.dataset.annotations;
    const gKeys = new Int32Array(anns.length);
    anns.forEach((a, j) => (gKeys[j] = keyOf(a.image_id, a.category_id)));
    const gGroup = bucketSort(gKeys, nBuckets);
    const { gBox, gArea, gCrowd, gIdZero, gRle } = gatherGroundTruth(this.cocoGt, gGroup.order, segm);

    // ---- detections, grouped ----
    const dt = this.cocoDt;
    const dKeys = new Int32Array(dt.n);
    for (let j = 0; j < dt.n; j++) dKeys[j] = keyOf(dt.imageId[j]!, dt.categoryId[j]!);
    const dGroup = bucketSort(dKeys, nBuckets);
    const dRleCache = new Map<number, RawRle>();
    const dRle = (j: number): RawRle => {
      let r = dRleCache.get(j);
      if (r === undefined) {
        const s = dt.segmentation?.[j];
        if (s !== null && s !== undefined && typeof s === 'object' && 'cnts' in s) r = s as RawRle;
        else if (s !== null && s !== undefined) r = this.cocoGt.annToRLE(dt.imageId[j]!, s);
        else {
          const [h, w] = this.cocoGt.imageSize(dt.imageId[j]!);
          const [x, y, bw, bh] = dt.bbox.subarray(j * 4, j * 4 + 4);
          r = rleFrPoly([x!, y!, x!, y! + bh!, x! + bw!, y! + bh!, x! + bw!, y!], h, w);
        }
        dRleCache.set(j, r);
      }
      return r;
    };

    // ---- per (category, image) matching ----
    const S = dGroup.order.length;
    const AT = A * T;
    const dOrder = dGroup.order;
    if (p.useCats) for (let b = 0; b < nBuckets; b++) sortByScore(dOrder, dt.score, dGroup.start[b]!, dGroup.start[b + 1]!);
    const slotScore = new Float64Array(S);
    const slotRank = new Int32Array(S);
    const outcome = new Uint8Array(S * AT);
    const npig = new Float64Array(K * A);
    const catSlotStart = new Int32Array(K + 1);
    let slot = 0;
    let ious = new Float64Array(1024);
    let maxG = 0;
    for (let grp = 0; grp < K * I; grp++) maxG = Math.max(maxG, gGroup.start[(grp + 1) * stride]! - gGroup.start[grp * stride]!);
    const gtind = new Int32Array(maxG);
    const gtIg = new Uint8Array(maxG);
    const gtm = new Uint8Array(maxG);
    const gCrowdSorted = new Uint8Array(maxG);
    const gZeroSorted = new Uint8Array(maxG);
    const thr = p.iouThrs.map((t) => Math.min(t, 1 - 1e-10));
    const nGroups = K * I;
    for (let grp = 0; grp < nGroups; grp++) {
      if (grp % I === 0) catSlotStart[grp / I] = slot;
      const k = Math.floor(grp / I);
      const g0 = gGroup.start[grp * stride]!;
      const G = gGroup.start[(grp + 1) * stride]! - g0;
      const d0 = dGroup.start[grp * stride]!;
      const Dall = dGroup.start[(grp + 1) * stride]! - d0;
      if (G === 0 && Dall === 0) continue;
      // class-agnostic: the image's detections in category order, then sorted by score (stable)
      if (!p.useCats) sortByScore(dOrder, dt.score, d0, d0 + Dall);
      const D = Math.min(Dall, maxDet);
      if (ious.length < D * G) ious = new Float64Array(D * G * 2);
      if (D > 0 && G > 0) {
        if (segm) {
          const dr: RawRle[] = [];
          for (let d = 0; d < D; d++) dr.push(dRle(dOrder[d0 + d]!));
          rleIou(dr, gRle.slice(g0, g0 + G), gCrowd.subarray(g0, g0 + G), ious);
        } else {
          boxIou(dt.bbox, dOrder, d0, D, gBox, g0, G, gCrowd, ious);
        }
      }
      for (let d = 0; d < D; d++) {
        slotScore[slot + d] = dt.score[dOrder[d0 + d]!]!;
        slotRank[slot + d] = d;
      }
      for (let a = 0; a < A; a++) {
        const [lo, hi] = p.areaRng[a]!;
        // gts sorted non-ignored first (stable)
        let nNon = 0;
        for (let g = 0; g < G; g++) {
          const j = g0 + g;
          if (!(gCrowd[j] || gArea[j]! < lo || gArea[j]! > hi)) gtind[nNon++] = g;
        }
        npig[k * A + a] += nNon;
        let c = nNon;
        for (let g = 0; g < G; g++) {
          const j = g0 + g;
          if (gCrowd[j] || gArea[j]! < lo || gArea[j]! > hi) gtind[c++] = g;
        }
        for (let g = 0; g < G; g++) {
          gtIg[g] = g < nNon ? 0 : 1;
          gCrowdSorted[g] = gCrowd[g0 + gtind[g]!]!;
          gZeroSorted[g] = gIdZero[g0 + gtind[g]!]!;
        }
        if (G === 0) {
          // no gt: every detection is unmatched at every threshold
          for (let d = 0; d < D; d++) {
            const area = dt.area[dOrder[d0 + d]!]!;
            const code = area < lo || area > hi ? IGNORED : FP;
            const o = (slot + d) * AT + a * T;
            for (let t = 0; t < T; t++) outcome[o + t] = code;
          }
          continue;
        }
        for (let t = 0; t < T; t++) {
          for (let g = 0; g < G; g++) gtm[g] = 0;
          const at = a * T + t;
          for (let d = 0; d < D; d++) {
            let iou = thr[t]!;
            let m = -1;
            const row = d * G;
            for (let gi = 0; gi < G; gi++) {
              if (gtm[gi] && !gCrowdSorted[gi]) continue;
              if (m > -1 && gtIg[m] === 0 && gtIg[gi] === 1) break;
              const v = ious[row + gtind[gi]!]!;
              if (v < iou) continue;
              iou = v;
              m = gi;
            }
            const area = dt.area[dOrder[d0 + d]!]!;
            const out = area < lo || area > hi;
            let code: number;
            if (m === -1) code = out ? IGNORED : FP;
            else {
              gtm[m] = 1;
              const zero = gZeroSorted[m] === 1;
              code = gtIg[m] || (zero && out) ? IGNORED : zero ? FP : TP;
            }
            outcome[(slot + d) * AT + at] = code;
          }
        }
      }
      slot += D;
    }
    catSlotStart[K] = slot;
    this.state = { p, K, slotScore, slotRank, catSlotStart, outcome, S, npig };
  }

  /** Builds the precision/recall arrays from `evaluate()`'s matches. */
  accumulate(): void {
    const st = this.state;
    if (st === null) throw new ValueError('COCO_EVAL_ORDER', 'Please run evaluate() first');
    const { p, K } = st;
    const T = p.iouThrs.length;
    const R = p.recThrs.length;
    const A = p.areaRng.length;
    const M = p.maxDets.length;
    const precision = new Float64Array(T * R * K * A * M).fill(-1);
    const recall = new Float64Array(T * K * A * M).fill(-1);
    const AT = A * T;
    const recThrs = Float64Array.from(p.recThrs);
    const { outcome, slotRank, slotScore } = st;
    const tpCount = new Int32Array(AT);
    const fpCount = new Int32Array(AT);
    const pStride = K * A * M;
    let maxN = 0;
    for (let k = 0; k < K; k++) maxN = Math.max(maxN, st.catSlotStart[k + 1]! - st.catSlotStart[k]!);
    const codes = new Uint8Array(maxN * AT);
    // Precision at each TP event, per (area, IoU) column: tpPr[at * n + (tp − 1)].
    const tpPr = new Float64Array(maxN * AT);
    for (let k = 0; k < K; k++) {
      const s0 = st.catSlotStart[k]!;
      const n = st.catSlotStart[k + 1]! - s0;
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = s0 + i;
      sortByScore(order, slotScore);
      // Outcomes gathered in score order, one contiguous row of A*T codes per detection.
      for (let i = 0; i < n; i++) {
        const src = order[i]! * AT;
        const dst = i * AT;
        for (let at = 0; at < AT; at++) codes[dst + at] = outcome[src + at]!;
      }
      for (let m = 0; m < M; m++) {
        const maxDet = p.maxDets[m]!;
        tpCount.fill(0);
        fpCount.fill(0);
        let nd = 0;
        for (let i = 0; i < n; i++) {
          if (slotRank[order[i]!]! >= maxDet) continue;
          nd++;
          const row = i * AT;
          for (let at = 0; at < AT; at++) {
            const c = codes[row + at];
            if (c === TP) {
              const tp = ++tpCount[at]!;
              tpPr[at * n + tp - 1] = tp / (fpCount[at]! + tp + SPACING_1);
            } else if (c === FP) fpCount[at]!++;
          }
        }
        for (let a = 0; a < A; a++) {
          const npig = st.npig[k * A + a]!;
          if (npig === 0) continue;
          for (let t = 0; t < T; t++) {
            const at = a * T + t;
            const ntp = tpCount[at]!;
            recall[((t * K + k) * A + a) * M + m] = nd ? ntp / npig : 0;
            // pycocotools: rc = tp/npig, pr = tp/(tp+fp+eps) per detection, pr made non-increasing
            // from the right, then pr[searchsorted(rc, recThr, 'left')]. That index is detection 0
            // for recThr ≤ rc[0], else the v-th TP with v the least count with v/npig ≥ recThr, and
            // the running maximum from the right there is the maximum over TP events ≥ v.
            const off = at * n;
            for (let v = ntp - 1; v > 0; v--) if (tpPr[off + v]! > tpPr[off + v - 1]!) tpPr[off + v - 1] = tpPr[off + v]!;
            const pBase = (k * A + a) * M + m;
            let v = 0; // TP count under consideration
            for (let r = 0; r < R; r++) {
              const rt = recThrs[r]!;
              let q = 0;
              if (nd > 0) {
                while (v <= ntp && v / npig < rt) v++;
                if (v === 0) q = ntp > 0 ? tpPr[off]! : 0;
                else if (v <= ntp) q = tpPr[off + v - 1]!;
                else break;
              }
              precision[(t * R + r) * pStride + pBase] = q;
            }
            // entries after the last reachable recall point stay 0 (pycocotools' try/except)
            for (let r = 0; r < R; r++) if (precision[(t * R + r) * pStride + pBase] === -1) precision[(t * R + r) * pStride + pBase] = 0;
          }
        }
      }
    }
    this.eval = { dims: [T, R, K, A, M], precision, recall };
  }

  /** The params `evaluate()` used (sorted unique image and category ids, sorted maxDets). */
  get evaluatedParams(): CocoEvalParams {
    if (this.state === null) throw new ValueError('COCO_EVAL_ORDER', 'Please run evaluate() first');
    return this.state.p;
  }

  /**
   * One summary number as pycocotools' `_summarize`: the mean of the entries > −1 (−1 if none).
   * @param ap `true` for AP (precision), `false` for AR (recall)
   * @param iouThr a threshold that must equal one of `iouThrs` exactly, or all thresholds
   * @param areaRng area label; @param maxDets detections per image
   */
  summarizeOne(ap: boolean, iouThr: number | null = null, areaRng = 'all', maxDets = 100): number {
    const E = this.eval;
    if (E === null) throw new ValueError('COCO_EVAL_ORDER', 'Please run accumulate() first');
    const p = this.evaluatedParams;
    const [T, R, K, A, M] = E.dims;
    const ts = [...Array(T).keys()].filter((t) => iouThr === null || p.iouThrs[t] === iouThr);
    const as = [...Array(A).keys()].filter((a) => p.areaRngLbl[a] === areaRng);
    const ms = [...Array(M).keys()].filter((m) => p.maxDets[m] === maxDets);
    const vals: number[] = [];
    for (const t of ts) {
      for (let r = 0; r < (ap ? R : 1); r++) {
        for (let k = 0; k < K; k++) {
          for (let j = 0; j < Math.min(as.length, ms.length); j++) {
            const v = ap ? E.precision[(((t * R + r) * K + k) * A + as[j]!) * M + ms[j]!]! : E.recall[((t * K + k) * A + as[j]!) * M + ms[j]!]!;
            if (v > -1) vals.push(v);
          }
        }
      }
    }
    return vals.length === 0 ? -1 : pairwiseSum(vals) / vals.length;
  }

  /**
   * Computes the 12 detection stats and prints pycocotools' 12 summary lines.
   * @param log where the lines go (default stdout); pass `() => {}` to stay silent
   * @returns the stats (also kept in `this.stats`)
   * @throws ValueError `COCO_EVAL_ORDER` before `accumulate()`; `COCO_BAD_MAXDETS` with fewer than 3 maxDets
   */
  summarize(log: LogFn = stdoutLog): number[] {
    if (this.eval === null) throw new ValueError('COCO_EVAL_ORDER', 'Please run accumulate() first');
    const p = this.evaluatedParams;
    if (p.maxDets.length < 3) throw new ValueError('COCO_BAD_MAXDETS', `summarize() needs 3 maxDets, got [${p.maxDets.join(', ')}]`);
    const md = p.maxDets;
    const rows: Array<[boolean, number | null, string, number]> = [
      [true, null, 'all', 100],
      [true, 0.5, 'all', md[2]!],
      [true, 0.75, 'all', md[2]!],
      [true, null, 'small', md[2]!],
      [true, null, 'medium', md[2]!],
      [true, null, 'large', md[2]!],
      [false, null, 'all', md[0]!],
      [false, null, 'all', md[1]!],
      [false, null, 'all', md[2]!],
      [false, null, 'small', md[2]!],
      [false, null, 'medium', md[2]!],
      [false, null, 'large', md[2]!],
    ];
    this.stats = rows.map(([ap, iouThr, area, maxDets]) => {
      const v = this.summarizeOne(ap, iouThr, area, maxDets);
      log(summaryLine(p, ap, iouThr, area, maxDets, v));
      return v;
    });
    return this.stats;
  }
}

/** One printed line of `summarize()`, character for character as pycocotools prints it. */
export function summaryLine(p: CocoEvalParams, ap: boolean, iouThr: number | null, areaRng: string, maxDets: number, value: number): string {
  const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
  const type = ap ? '(AP)' : '(AR)';
  const iouStr = (iouThr === null ? `${formatFixed(p.iouThrs[0]!, 2)}:${formatFixed(p.iouThrs[p.iouThrs.length - 1]!, 2)}` : formatFixed(iouThr, 2)).padEnd(9);
  return ` ${title} ${type} @[ IoU=${iouStr} | area=${areaRng.padStart(6)} | maxDets=${String(maxDets).padStart(3)} ] = ${formatFixed(value, 3)}`;
}

/** Ground-truth fields in grouped order (typed arrays for the matching loops). */
interface GroundTruthArrays {
  /** `[n*4]` `x, y, w, h` (bbox evaluation only). */
  gBox: Float64Array;
  /** The annotation's `area` field (what pycocotools compares with the area ranges). */
  gArea: Float64Array;
  gCrowd: Uint8Array;
  /** 1 where the annotation id is 0 (pycocotools cannot record such a match). */
  gIdZero: Uint8Array;
  /** Masks (segm evaluation only). */
  gRle: RawRle[];
}

/**
 * Reads the annotations `order` selects into typed arrays.
 * @throws ValueError `COCO_BAD_ANNOTATION` naming the annotation id (bad bbox, missing area, bad mask)
 */
function gatherGroundTruth(coco: COCO, order: Int32Array, segm: boolean): GroundTruthArrays {
  const anns = coco.dataset.annotations;
  const n = order.length;
  const out: GroundTruthArrays = {
    gBox: new Float64Array(n * 4),
    gArea: new Float64Array(n),
    gCrowd: new Uint8Array(n),
    gIdZero: new Uint8Array(n),
    gRle: segm ? new Array<RawRle>(n) : [],
  };
  const bad = (id: number, what: string, cause?: unknown): never => {
    throw new ValueError('COCO_BAD_ANNOTATION', `annotation id ${id}: ${what}`, { file: coco.file, cause });
  };
  for (let j = 0; j < n; j++) {
    const a = anns[order[j]!]!;
    const bb = a.bbox;
    if (typeof a.area !== 'number') bad(a.id, '"area" is missing');
    out.gArea[j] = a.area;
    out.gCrowd[j] = a.iscrowd ? 1 : 0;
    out.gIdZero[j] = a.id === 0 ? 1 : 0;
    if (!segm) {
      if (!Array.isArray(bb) || bb.length !== 4) bad(a.id, 'bbox must be [x, y, w, h]');
      out.gBox.set(bb, j * 4);
      continue;
    }
    try {
      out.gRle[j] = coco.annToRLE(a.image_id, a.segmentation);
    } catch (err) {
      bad(a.id, `unreadable segmentation: ${(err as Error).message}`, err);
    }
  }
  return out;
}

/**
 * `bbIou` of one (image, category) group, reading detections through `order` without copies.
 * @param out `[D*G]` row-major IoUs
 */
function boxIou(
  dBox: Float64Array,
  order: Int32Array,
  d0: number,
  D: number,
  gBox: Float64Array,
  g0: number,
  G: number,
  gCrowd: Uint8Array,
  out: Float64Array,
): void {
  for (let d = 0; d < D; d++) {
    const o = order[d0 + d]! * 4;
    const dx = dBox[o]!;
    const dy = dBox[o + 1]!;
    const dw = dBox[o + 2]!;
    const dh = dBox[o + 3]!;
    const da = dw * dh;
    for (let g = 0; g < G; g++) {
      const q = (g0 + g) * 4;
      const gx = gBox[q]!;
      const gy = gBox[q + 1]!;
      const gw = gBox[q + 2]!;
      const gh = gBox[q + 3]!;
      let v = 0;
      const iw = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (iw > 0) {
        const ih = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
        if (ih > 0) {
          const i = iw * ih;
          v = i / (gCrowd[g0 + g] ? da : da + gw * gh - i);
        }
      }
      out[d * G + g] = v;
    }
  }
}
