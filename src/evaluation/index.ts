/**
 * @module Registers this folder's components (one explicit list) and re-exports its public API.
 *
 * METRICS entries (the contract of `structures/evaluation_types.ts`):
 * - `coco` → {@link cocoEvaluate} (`CocoEvaluateFn`, mmdet `CocoDataset.evaluate`)
 * - `voc` → {@link vocEvaluate} (`VocEvaluateFn`, mmdet `VOCDataset.evaluate`)
 * - `recall` → {@link recallEvaluate} (`RecallEvaluateFn`, mmdet `eval_recalls`)
 */
import { METRICS } from '../registry/root.js';
import { cocoEvaluate } from './coco_metric.js';
import { recallEvaluate } from './recall.js';
import { vocEvaluate } from './voc_metric.js';

METRICS.register('coco', cocoEvaluate);
METRICS.register('voc', vocEvaluate);
METRICS.register('recall', recallEvaluate);

export { COCO, type CocoDetections } from './coco.js';
export { COCOeval, defaultCocoParams, type CocoEvalParams, type CocoEvalResult } from './cocoeval.js';
export { cocoEvaluate, results2json, formatResults, perCategoryMetrics, classwiseTable } from './coco_metric.js';
export { evalMap, averagePrecision, type EvalMapOptions, type ClassApResult } from './mean_ap.js';
export { evalRecalls, recallEvaluate } from './recall.js';
export { vocEvaluate } from './voc_metric.js';
export { bboxOverlaps } from './bbox_overlaps.js';
export { getClasses, VOC_CLASSES, COCO_CLASSES } from './class_names.js';
export { rleEncode, rleDecode, rleArea, rleMerge, rleToBbox, rleFrPoly, rleFrBbox, rleToString, rleFrString, frPyObjects, segmToRle, rleFromObject, toRleObject, bbIou, rleIou, type RawRle } from '../structures/mask.js';
