/**
 * @module Detection ops (mmcv.ops equivalents and mmdet box helpers): the public API of `ops/`.
 *
 * No registry components live here; ops are plain functions used by models and evaluation.
 */
export { nms, type NmsOptions } from './nms.js';
export { softNms, type SoftNmsMethod, type SoftNmsOptions, type SoftNmsResult } from './soft_nms.js';
export { batchedNms, type NmsConfig, type BatchedNmsResult } from './batched_nms.js';
export { multiclassNms, type MatrixInput, type MulticlassNmsOptions, type MulticlassNmsResult } from './bbox_nms.js';
export { bboxOverlaps, bboxOverlapsArray, type BboxOverlapsOptions, type OverlapMode } from './bbox_overlaps.js';
export { roiAlign, roiAlignLevels, type RoIAlignOptions } from './roi_align.js';
export { sigmoidFocalLoss, type LossReduction, type SigmoidFocalLossOptions } from './focal_loss.js';
export {
  bboxFlip, bbox2roi, bbox2result, distance2bbox, bbox2distance, bboxRescale, bboxCxcywhToXyxy,
  bboxXyxyToCxcywh, clipBoxes, type FlipDirection,
} from './transforms.js';
export type { FloatInput, IntInput } from './utils.js';
