/**
 * @module Port of mmdetection's `tools/analysis_tools/confusion_matrix.py` @ v2.28.2: the detection
 * confusion matrix with a background row/column, its plot and a printed table.
 *
 * Porting notes: the plot is vega-lite → SVG → sharp (PNG) with matplotlib's colour scheme name
 * (`plasma` by default); there is no window, so `--show` prints the normalised matrix instead.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { bboxOverlaps } from '../evaluation/index.js';
import { nms } from '../ops/index.js';
import type { DetResult } from '../structures/det_types.js';
import { ValueError } from '../utils/errors.js';

/** What the matrix needs from a dataset: classes and per-image ground truth (mmdet `get_ann_info`). */
export interface ConfusionDataset {
  readonly length: number;
  readonly CLASSES: readonly string[];
  /** `bboxes` `[n*4]` x1,y1,x2,y2 and `labels` `[n]` of image `idx` (ignored boxes excluded). */
  get_ann_info(idx: number): { bboxes: ArrayLike<number>; labels: ArrayLike<number> };
}

/** Options of {@link calculateConfusionMatrix} (mmdet's keyword names). */
export interface ConfusionMatrixOptions {
  /** Detections below this score are not counted. Default 0 (the CLI's default is 0.3). */
  score_thr?: number;
  /** Re-run NMS per class with this IoU threshold (after the score filter). Default none. */
  nms_iou_thr?: number | null;
  /** IoU at which a detection matches a ground-truth box. Default 0.5. */
  tp_iou_thr?: number;
}

/**
 * Adds one image to `matrix` (mmdet `analyze_per_img_dets`): every detection with score ≥
 * `score_thr` adds 1 at `[gt_label, det_label]` for EVERY gt it overlaps with IoU ≥ `tp_iou_thr`,
 * or 1 at `[background, det_label]` when it overlaps none; every gt that no same-class detection
 * matched adds 1 at `[gt_label, background]`.
 * @param matrix `(C+1) × (C+1)`, rows = ground truth, columns = prediction, last = background
 */
export function analyzePerImgDets(
  matrix: number[][],
  gtBboxes: ArrayLike<number>,
  gtLabels: ArrayLike<number>,
  result: DetResult,
  options: ConfusionMatrixOptions = {},
): void {
  const scoreThr = options.score_thr ?? 0;
  const tpIouThr = options.tp_iou_thr ?? 0.5;
  const bg = matrix.length - 1;
  const nGt = gtLabels.length;
  const truePositives = new Int32Array(nGt);
  result.bbox.forEach((dets0, detLabel) => {
    let dets = dets0;
    if (options.nms_iou_thr != null && options.nms_iou_thr > 0 && dets.length > 0) {
      const n = dets.length / 5;
      const boxes = new Float32Array(n * 4);
      const scores = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        boxes.set(dets.subarray(i * 5, i * 5 + 4), i * 4);
        scores[i] = dets[i * 5 + 4]!;
      }
      const keep = nms(boxes, scores, options.nms_iou_thr, { scoreThreshold: scoreThr });
      const kept = new Float32Array(keep.length * 5);
      keep.forEach((k, r) => kept.set(dets0.subarray(k * 5, k * 5 + 5), r * 5));
      dets = kept;
    }
    const n = dets.length / 5;
    const ious = bboxOverlaps(dets, n, gtBboxes, nGt, { stride1: 5 });
    for (let i = 0; i < n; i++) {
      if (dets[i * 5 + 4]! < scoreThr) continue;
      let matched = 0;
      for (let j = 0; j < nGt; j++) {
        if (ious[i * nGt + j]! >= tpIouThr) {
          matched++;
          const gl = gtLabels[j]!;
          if (gl === detLabel) truePositives[j]!++;
          matrix[gl]![detLabel]!++;
        }
      }
      if (matched === 0) matrix[bg]![detLabel]!++;
    }
  });
  for (let j = 0; j < nGt; j++) if (truePositives[j] === 0) matrix[gtLabels[j]!]![bg]!++;
}

/**
 * mmdet `calculate_confusion_matrix` over a dataset and its results (dataset order).
 * @returns `(C+1) × (C+1)` counts, rows = ground truth, columns = prediction, last = background
 * @throws ValueError `CONFUSION_LENGTH_MISMATCH` when results and dataset differ in length
 */
export function calculateConfusionMatrix(dataset: ConfusionDataset, results: readonly DetResult[], options: ConfusionMatrixOptions = {}): number[][] {
  const c = dataset.CLASSES.length;
  if (results.length !== dataset.length) {
    throw new ValueError('CONFUSION_LENGTH_MISMATCH', `the results have ${results.length} images but the dataset has ${dataset.length}`, {
      hint: 'use the results of `detkit test` on the same config (data.test)',
    });
  }
  const matrix = Array.from({ length: c + 1 }, () => new Array<number>(c + 1).fill(0));
  results.forEach((r, idx) => {
    if (r.bbox.length !== c) throw new ValueError('CONFUSION_CLASS_MISMATCH', `result ${idx} has ${r.bbox.length} classes, the dataset ${c}`);
    const ann = dataset.get_ann_info(idx);
    analyzePerImgDets(matrix, ann.bboxes, ann.labels, r, options);
  });
  return matrix;
}

/** Row-normalised percentages (`matrix / row_sum * 100`; NaN for an empty row, as numpy gives). */
export function normalizeConfusionMatrix(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (v / s) * 100);
  });
}

/** A fixed-width table of the matrix (rows = ground truth, columns = prediction). */
export function formatConfusionMatrix(matrix: readonly (readonly number[])[], labels: readonly string[], percent = false): string {
  const cell = (v: number): string => (percent ? (Number.isNaN(v) ? '-1%' : `${Math.trunc(v)}%`) : String(v));
  const w = Math.max(8, ...labels.map((l) => l.length), ...matrix.flat().map((v) => cell(v).length)) + 1;
  const head = `${'gt \\ pred'.padEnd(w)}${labels.map((l) => l.padStart(w)).join('')}`;
  const rows = matrix.map((row, i) => `${labels[i]!.padEnd(w)}${row.map((v) => cell(v).padStart(w)).join('')}`);
  return [head, ...rows].join('\n');
}

/**
 * mmdet `plot_confusion_matrix`: the row-normalised matrix as a heat map with `N%` in every cell
 * (`-1%` for a gt class without any box), saved as `<saveDir>/confusion_matrix.png`.
 * @returns the PNG path
 */
export async function plotConfusionMatrix(
  matrix: readonly (readonly number[])[],
  labels: readonly string[],
  saveDir: string,
  options: { title?: string; colorTheme?: string } = {},
): Promise<string> {
  const norm = normalizeConfusionMatrix(matrix);
  const values = norm.flatMap((row, i) =>
    row.map((v, j) => ({ gt: labels[i], pred: labels[j], value: Number.isNaN(v) ? null : v, text: `${Number.isNaN(v) ? -1 : Math.trunc(v)}%` })),
  );
  const size = Math.max(240, 48 * labels.length);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: options.title ?? 'Normalized Confusion Matrix', fontSize: 14 },
    background: 'white',
    padding: 12,
    width: size,
    height: size * 0.8,
    data: { values },
    encoding: {
      x: { field: 'pred', type: 'nominal', sort: [...labels], title: 'Prediction Label', axis: { orient: 'top', labelAngle: -45, labelAlign: 'left' } },
      y: { field: 'gt', type: 'nominal', sort: [...labels], title: 'Ground Truth Label' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: '%', scale: { scheme: options.colorTheme ?? 'plasma', domain: [0, 100] } } } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'text', type: 'nominal' }, color: { condition: { test: 'datum.value === null || datum.value > 70', value: 'black' }, value: 'white' } } },
    ],
  } as unknown as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(saveDir, { recursive: true });
  const out = join(saveDir, 'confusion_matrix.png');
  await sharp(Buffer.from(svg), { density: 144 }).png().toFile(out);
  return out;
}
