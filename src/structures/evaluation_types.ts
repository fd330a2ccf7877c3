/**
 * @module The contract by which datasets (data/) call evaluators (evaluation/) through the
 * `METRICS` registry, without importing each other (both are L4).
 *
 * `METRICS.get('coco')` is a {@link CocoEvaluateFn}; `METRICS.get('voc')` a {@link VocEvaluateFn};
 * `METRICS.get('recall')` a {@link RecallEvaluateFn}.
 */
import type { DetResult } from './det_types.js';

/** A COCO annotation file (only the fields evaluation needs are typed). */
export interface CocoJson {
  images: Array<{ id: number; file_name: string; width: number; height: number; [k: string]: unknown }>;
  annotations: Array<{
    id: number;
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd?: number;
    ignore?: number;
    segmentation?: unknown;
    [k: string]: unknown;
  }>;
  categories: Array<{ id: number; name: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** Options of `CocoDataset.evaluate` (mmdet 2.x keyword arguments, verbatim). */
export interface CocoEvaluateOptions {
  metric?: string | string[];
  classwise?: boolean;
  proposal_nums?: number[];
  iou_thrs?: number[] | null;
  metric_items?: string | string[] | null;
  jsonfile_prefix?: string | null;
  /** Logger for the printed tables (default: stdout). */
  log?: (line: string) => void;
}

/** Evaluates detections of a COCO dataset: returns mmdet's keys (`bbox_mAP`, `bbox_mAP_50`, ...). */
export type CocoEvaluateFn = (
  dataset: { coco: CocoJson; catIds: number[]; imgIds: number[]; classes: string[] },
  results: DetResult[],
  options: CocoEvaluateOptions,
) => Record<string, number | string>;

/** One image's annotations in mmdet's middle format, as `eval_map` takes them. */
export interface MiddleAnnotation {
  /** `[n, 4]` boxes. */
  bboxes: Float32Array;
  /** `[n]` 0-based labels. */
  labels: Int32Array;
  bboxes_ignore?: Float32Array;
  labels_ignore?: Int32Array;
}

/** Options of `VOCDataset.evaluate`. */
export interface VocEvaluateOptions {
  metric?: string | string[];
  iou_thr?: number | number[];
  scale_ranges?: Array<[number, number]> | null;
  proposal_nums?: number[];
  /** `'voc07'` → 11points, else area (mmdet: dataset name decides). */
  dataset?: string | string[];
  use_legacy_coordinate?: boolean;
  log?: (line: string) => void;
}

/** Evaluates VOC-style mAP: returns `{mAP, AP50, ...}` as mmdet's `VOCDataset.evaluate`. */
export type VocEvaluateFn = (
  dataset: { annotations: MiddleAnnotation[]; classes: string[] },
  results: DetResult[],
  options: VocEvaluateOptions,
) => Record<string, number>;

/** Proposal recall (mmdet `eval_recalls`): returns `AR@N` keys. */
export type RecallEvaluateFn = (
  gts: Float32Array[],
  proposals: Float32Array[],
  options: { proposal_nums: number[]; iou_thrs?: number[]; log?: (line: string) => void },
) => Record<string, number>;
