/**
 * @module Port of `mmdet/core/evaluation/mean_ap.py` @ v2.28.2: `eval_map` (VOC-style mAP), its TP/FP
 * rules (`tpfp_default`, `tpfp_imagenet`), `average_precision` (`area` and `11points`) and the
 * printed summary table. Arithmetic follows mmdet's dtypes: IoUs, TP/FP, precision and AP in
 * float32, recall in float64.
 *
 * Porting notes:
 * - Runs in one thread (mmdet uses a multiprocessing Pool of `nproc`; results are identical).
 * - Detections are ordered by a stable sort on score; mmdet's `np.argsort(-scores)` is not stable,
 *   so the order of exact score ties may differ from mmdet's.
 * - The OpenImages rules (`tpfp_openimages`, `ioa_thr`, `use_group_of`) are not ported.
 */
import { ValueError } from '../utils/errors.js';
import type { MiddleAnnotation } from '../structures/evaluation_types.js';
import { bboxOverlaps } from './bbox_overlaps.js';
import { getClasses } from './class_names.js';
import { asciiTable, float32Mean, formatFixed, pairwiseSum, stdoutLog, type LogFn } from './utils.js';

const f = Math.fround;
/** `np.finfo(np.float32).eps`. */
const EPS32 = 1.1920928955078125e-7;

/** Options of {@link evalMap} (mmdet keyword names). */
export interface EvalMapOptions {
  /** `[(min, max), ...]` in sqrt-area units (area range `(min², max²)`); `null` for one range of everything. */
  scale_ranges?: Array<[number, number]> | null;
  iou_thr?: number;
  /** `'voc07'` → 11-point AP; `'det'`/`'vid'` → ImageNet TP/FP rule; a list → class names for the table. */
  dataset?: string | string[] | null;
  /** mmdet 1.x / VOC convention: width = x2 − x1 + 1. */
  use_legacy_coordinate?: boolean;
  /** Class names for the printed table (default: `dataset` if a list, `get_classes(dataset)` if a name, else `'0'`, `'1'`, ...). */
  label_names?: string[];
  /** Where the table goes (default stdout); `'silent'` prints nothing. */
  log?: LogFn | 'silent';
}

/** Per-class result of {@link evalMap} (mmdet's dict: `num_gts`, `num_dets`, `recall`, `precision`, `ap`). */
export interface ClassApResult {
  /** Per scale range. */
  num_gts: number[];
  num_dets: number;
  /** Row-major `[scales, num_dets]` recall (float64). */
  recall: Float64Array;
  /** Row-major `[scales, num_dets]` precision (float32). */
  precision: Float32Array;
  /** Per scale range (float32 values). */
  ap: number[];
}

/**
 * mmdet `average_precision` for one scale.
 * @param recalls float64 recalls, non-decreasing
 * @param precisions float32 precisions
 * @param mode `area` (VOC2010+) or `11points` (VOC2007)
 * @returns the AP as a float32 value
 */
export function averagePrecision(recalls: ArrayLike<number>, precisions: ArrayLike<number>, mode: 'area' | '11points' = 'area'): number {
  const n = recalls.length;
  if (mode === 'area') {
    const mrec = new Float64Array(n + 2);
    const mpre = new Float64Array(n + 2);
    for (let i = 0; i < n; i++) {
      mrec[i + 1] = recalls[i]!;
      mpre[i + 1] = precisions[i]!;
    }
    mrec[n + 1] = 1;
    for (let i = n + 1; i > 0; i--) mpre[i - 1] = Math.max(mpre[i - 1]!, mpre[i]!);
    const terms: number[] = [];
    for (let i = 0; i < n + 1; i++) if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1]! - mrec[i]!) * mpre[i + 1]!);
    return f(pairwiseSum(terms));
  }
  if (mode === '11points') {
    let ap = 0;
    for (let i = 0; i < 11; i++) {
      const thr = i * 0.1;
      let prec = -Infinity;
      for (let j = 0; j < n; j++) if (recalls[j]! >= thr && precisions[j]! > prec) prec = precisions[j]!;
      ap = f(ap + (prec === -Infinity ? 0 : prec));
    }
    return f(ap / 11);
  }
  throw new ValueError('MAP_BAD_MODE', 'Unrecognized mode, only "area" and "11points" are supported');
}

/** Box areas of `[n*stride]` rows in float32 (`(x2 − x1 + extra) * (y2 − y1 + extra)`). */
function areas32(b: ArrayLike<number>, n: number, extra: number, stride = 4): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = f(f(f(f(b[i * stride + 2]!) - f(b[i * stride]!)) + extra) * f(f(f(b[i * stride + 3]!) - f(b[i * stride + 1]!)) + extra));
  }
  return out;
}

/**
 * TP/FP flags of one image's detections of one class (mmdet `tpfp_default`, or `tpfp_imagenet`).
 * @param dets `[m*5]` detections `x1, y1, x2, y2, score`
 * @param gts `[n*4]` gt boxes; @param gtsIgnore `[k*4]` ignored gt boxes
 * @param areaRanges `[(min, max)]` in pixels², or `null`
 * @returns row-major `[scales, m]` tp and fp (0/1), in the input detection order
 */
export function tpfp(
  dets: ArrayLike<number>,
  gts: ArrayLike<number>,
  gtsIgnore: ArrayLike<number>,
  iouThr: number,
  areaRanges: Array<[number, number]> | null,
  useLegacyCoordinate: boolean,
  rule: 'default' | 'imagenet' = 'default',
): { tp: Float32Array; fp: Float32Array } {
  const extra = useLegacyCoordinate ? 1 : 0;
  const m = Math.floor(dets.length / 5);
  const nReal = Math.floor(gts.length / 4);
  const nG = nReal + Math.floor(gtsIgnore.length / 4);
  const gAll = new Float32Array(nG * 4);
  gAll.set(Array.from(gts).slice(0, nReal * 4));
  gAll.set(Array.from(gtsIgnore).slice(0, (nG - nReal) * 4), nReal * 4);
  const S = areaRanges === null ? 1 : areaRanges.length;
  const tp = new Float32Array(S * m);
  const fp = new Float32Array(S * m);
  // numpy float32 scalars: the subtraction is float32, `+ extra` and the product promote to float64.
  const detArea = (i: number): number =>
    (f(f(dets[i * 5 + 2]!) - f(dets[i * 5]!)) + extra) * (f(f(dets[i * 5 + 3]!) - f(dets[i * 5 + 1]!)) + extra);
  if (nG === 0) {
    if (areaRanges === null) fp.fill(1);
    else {
      const da = areas32(dets, m, extra, 5);
      areaRanges.forEach(([lo, hi], k) => {
        for (let i = 0; i < m; i++) if (da[i]! >= f(lo) && da[i]! < f(hi)) fp[k * m + i] = 1;
      });
    }
    return { tp, fp };
  }
  const gArea = areas32(gAll, nG, extra);
  const sortInds = Array.from({ length: m }, (_, i) => i).sort((a, b) => dets[b * 5 + 4]! - dets[a * 5 + 4]! || a - b);
  if (rule === 'imagenet') {
    // Porting note: mmdet passes `gt_bboxes - 1` here (a 1.x leftover); kept.
    const shifted = gAll.map((v) => v - 1);
    const ious = bboxOverlaps(dets, m, shifted, nG, { useLegacyCoordinate, stride1: 5 });
    const thrs = new Float64Array(nG);
    for (let j = 0; j < nG; j++) {
      const w = f(f(gAll[j * 4 + 2]! - gAll[j * 4]!) + extra);
      const h = f(f(gAll[j * 4 + 3]! - gAll[j * 4 + 1]!) + extra);
      thrs[j] = Math.min(f(f(w * h) / f(f(w + 10) * f(h + 10))), f(iouThr));
    }
    for (let k = 0; k < S; k++) {
      const covered = new Uint8Array(nG);
      const range = areaRanges?.[k];
      for (const i of sortInds) {
        let maxIou = -1;
        let matched = -1;
        for (let j = 0; j < nG; j++) {
          if (covered[j]) continue;
          const v = ious[i * nG + j]!;
          if (v >= thrs[j]! && v > maxIou) {
            maxIou = v;
            matched = j;
          }
        }
        if (matched >= 0) {
          covered[matched] = 1;
          const areaIgn = range !== undefined && (gArea[matched]! < f(range[0]) || gArea[matched]! >= f(range[1]));
          if (!(matched >= nReal || areaIgn)) tp[k * m + i] = 1;
        } else if (range === undefined) fp[k * m + i] = 1;
        else if (detArea(i) >= range[0] && detArea(i) < range[1]) fp[k * m + i] = 1;
      }
    }
    return { tp, fp };
  }
  const ious = bboxOverlaps(dets, m, gAll, nG, { useLegacyCoordinate, stride1: 5 });
  const iouMax = new Float32Array(m);
  const iouArg = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let a = 0;
    for (let j = 1; j < nG; j++) if (ious[i * nG + j]! > ious[i * nG + a]!) a = j;
    iouArg[i] = a;
    iouMax[i] = ious[i * nG + a]!;
  }
  for (let k = 0; k < S; k++) {
    const covered = new Uint8Array(nG);
    const range = areaRanges?.[k];
    for (const i of sortInds) {
      if (iouMax[i]! >= iouThr) {
        const g = iouArg[i]!;
        const areaIgn = range !== undefined && (gArea[g]! < f(range[0]) || gArea[g]! >= f(range[1]));
        if (!(g >= nReal || areaIgn)) {
          if (!covered[g]) {
            covered[g] = 1;
            tp[k * m + i] = 1;
          } else fp[k * m + i] = 1;
        }
      } else if (range === undefined) fp[k * m + i] = 1;
      else if (detArea(i) >= range[0] && detArea(i) < range[1]) fp[k * m + i] = 1;
    }
  }
  return { tp, fp };
}

/**
 * mmdet `eval_map`: VOC-style mAP over images and classes.
 * @param detResults per image, per class `[n*5]` detections (`x1, y1, x2, y2, score`)
 * @param annotations per image gts in mmdet's middle format (0-based labels)
 * @returns `mean_ap` (a number, or one per scale range) and the per-class results
 * @throws ValueError `MAP_LENGTH_MISMATCH` when the lists differ in length
 * @example
 * const { mean_ap } = evalMap(dets, anns, { iou_thr: 0.5, dataset: 'voc07', use_legacy_coordinate: true });
 */
export function evalMap(
  detResults: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>,
  annotations: readonly MiddleAnnotation[],
  options: EvalMapOptions = {},
): { mean_ap: number | number[]; results: ClassApResult[] } {
  if (detResults.length !== annotations.length) {
    throw new ValueError('MAP_LENGTH_MISMATCH', `det_results and annotations must have one entry per image, got ${detResults.length} and ${annotations.length}`);
  }
  const legacy = options.use_legacy_coordinate === true;
  const extra = legacy ? 1 : 0;
  const iouThr = options.iou_thr ?? 0.5;
  const scaleRanges = options.scale_ranges ?? null;
  const areaRanges = scaleRanges === null ? null : scaleRanges.map(([a, b]) => [a ** 2, b ** 2] as [number, number]);
  const S = areaRanges === null ? 1 : areaRanges.length;
  const numClasses = detResults[0]?.length ?? 0;
  const rule = options.dataset === 'det' || options.dataset === 'vid' ? 'imagenet' : 'default';
  const mode = options.dataset === 'voc07' ? '11points' : 'area';
  const results: ClassApResult[] = [];
  for (let c = 0; c < numClasses; c++) {
    const numGts = new Array<number>(S).fill(0);
    const tps: Float32Array[] = [];
    const fps: Float32Array[] = [];
    const scores: number[] = [];
    detResults.forEach((imgDets, i) => {
      const dets = imgDets[c] ?? new Float32Array(0);
      const ann = annotations[i]!;
      const gts = pickByLabel(ann.bboxes, ann.labels, c);
      const ign = ann.labels_ignore !== undefined && ann.bboxes_ignore !== undefined ? pickByLabel(ann.bboxes_ignore, ann.labels_ignore, c) : new Float32Array(0);
      const r = tpfp(dets, gts, ign, iouThr, areaRanges, legacy, rule);
      tps.push(r.tp);
      fps.push(r.fp);
      for (let j = 4; j < dets.length; j += 5) scores.push(f(dets[j]!));
      const nGt = gts.length / 4;
      if (areaRanges === null) numGts[0]! += nGt;
      else {
        const ga = areas32(gts, nGt, extra);
        areaRanges.forEach(([lo, hi], k) => {
          for (let j = 0; j < nGt; j++) if (ga[j]! >= f(lo) && ga[j]! < f(hi)) numGts[k]!++;
        });
      }
    });
    const D = scores.length;
    const order = Array.from({ length: D }, (_, j) => j).sort((a, b) => scores[b]! - scores[a]! || a - b);
    // Flatten tp/fp per scale in image order, then reorder by score.
    const recall = new Float64Array(S * D);
    const precision = new Float32Array(S * D);
    const ap: number[] = [];
    for (let k = 0; k < S; k++) {
      const tpFlat = new Float32Array(D);
      const fpFlat = new Float32Array(D);
      let off = 0;
      tps.forEach((t, i) => {
        const m = t.length / S;
        tpFlat.set(t.subarray(k * m, (k + 1) * m), off);
        fpFlat.set(fps[i]!.subarray(k * m, (k + 1) * m), off);
        off += m;
      });
      let tp = 0;
      let fp = 0;
      for (let j = 0; j < D; j++) {
        tp += tpFlat[order[j]!]!;
        fp += fpFlat[order[j]!]!;
        recall[k * D + j] = tp / Math.max(numGts[k]!, EPS32);
        precision[k * D + j] = f(tp / Math.max(tp + fp, EPS32));
      }
      ap.push(averagePrecision(recall.subarray(k * D, (k + 1) * D), precision.subarray(k * D, (k + 1) * D), mode));
    }
    results.push({ num_gts: numGts, num_dets: D, recall, precision, ap });
  }
  let meanAp: number | number[];
  if (areaRanges !== null) {
    meanAp = [];
    for (let k = 0; k < S; k++) {
      const aps = results.filter((r) => r.num_gts[k]! > 0).map((r) => r.ap[k]!);
      meanAp.push(aps.length > 0 ? float32Mean(aps) : 0);
    }
  } else {
    const aps = results.filter((r) => r.num_gts[0]! > 0).map((r) => r.ap[0]!);
    meanAp = aps.length > 0 ? float32Mean(aps) : 0;
  }
  if (options.log !== 'silent') {
    const ds = options.dataset;
    const names = options.label_names ?? (Array.isArray(ds) ? ds : typeof ds === 'string' ? [...getClasses(ds)] : undefined);
    printMapSummary(meanAp, results, names, areaRanges, options.log ?? stdoutLog);
  }
  return { mean_ap: meanAp, results };
}

/** Rows of `[n*4]` boxes whose label is `c`. */
function pickByLabel(bboxes: Float32Array, labels: Int32Array, c: number): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === c) for (let j = 0; j < 4; j++) out.push(bboxes[i * 4 + j]!);
  return Float32Array.from(out);
}

/**
 * mmdet `print_map_summary`: per class `gts | dets | recall | ap` and the mAP row, per scale range.
 * @param labelNames class names (default `'0'`, `'1'`, ...)
 */
export function printMapSummary(
  meanAp: number | number[],
  results: readonly ClassApResult[],
  labelNames: readonly string[] | undefined,
  areaRanges: Array<[number, number]> | null,
  log: LogFn,
): void {
  const S = results[0]?.ap.length ?? 1;
  const means = Array.isArray(meanAp) ? meanAp : [meanAp];
  for (let k = 0; k < S; k++) {
    if (areaRanges !== null) log(`Scale range (${areaRanges[k]![0]}, ${areaRanges[k]![1]})`);
    const rows: Array<Array<string | number>> = [['class', 'gts', 'dets', 'recall', 'ap']];
    results.forEach((r, j) => {
      const D = r.num_dets;
      const rec = D > 0 ? f(r.recall[k * D + D - 1]!) : 0;
      rows.push([labelNames?.[j] ?? String(j), r.num_gts[k]!, D, formatFixed(rec, 3), formatFixed(r.ap[k]!, 3)]);
    });
    rows.push(['mAP', '', '', '', formatFixed(means[k]!, 3)]);
    log(`\n${asciiTable(rows, true)}`);
  }
}
