/**
 * @module detkit's public API (explicit named exports only). Importing it registers every component.
 */
import './register_all.js';

export { Registry, type BuildConfig, type BuildContext } from './registry/registry.js';
export * as registries from './registry/root.js';
export { DetkitError, formatError } from './utils/errors.js';
export { Rng } from './utils/rng.js';
export { initBackend, tf, type BackendName } from './backend/index.js';
export { Config, parseCfgOptions, replaceCfgVals, baseRef } from './config/index.js';
export type { DetConfig, ConfigDict, ComponentConfig } from './config/index.js';
export {
  nms, softNms, batchedNms, multiclassNms, bboxOverlaps, bboxOverlapsArray, roiAlign, sigmoidFocalLoss,
  bboxFlip, bbox2roi, bbox2result, distance2bbox, bbox2distance, bboxRescale, bboxCxcywhToXyxy,
  bboxXyxyToCxcywh, clipBoxes,
} from './ops/index.js';
export { Module, Conv2d, Linear, BatchNorm2d, GroupNorm, ConvModule, initialize, toTorchStateDict, loadTorchStateDict } from './nn/index.js';
export { ResNet, ResNetV1d, FPN, RetinaNet, FCOS, ATSS, SingleStageDetector, BaseDetector } from './models/index.js';
export { COCO, COCOeval, cocoEvaluate, evalMap, evalRecalls, vocEvaluate } from './evaluation/index.js';
export { buildDataset, buildDataloader, ensureShapesDataset, imshowDetBboxes } from './data/index.js';
export { EpochBasedRunner, IterBasedRunner, Hook, buildOptimizer, loadCheckpoint, saveCheckpoint } from './engine/index.js';
export { trainDetector, trainFromConfig, buildDetector, singleGpuTest, initRandomSeed } from './apis/index.js';
