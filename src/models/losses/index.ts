/**
 * @module Registers the losses in MODELS (LOSSES alias; one explicit list) and re-exports them.
 */
import { LOSSES } from '../../registry/root.js';
import { FocalLoss } from './focal_loss.js';
import { CrossEntropyLoss } from './cross_entropy_loss.js';
import { L1Loss, SmoothL1Loss } from './smooth_l1_loss.js';
import { GIoULoss, IoULoss } from './iou_loss.js';

for (const cls of [FocalLoss, CrossEntropyLoss, SmoothL1Loss, L1Loss, IoULoss, GIoULoss]) LOSSES.register(cls.type, cls);

export { FocalLoss, CrossEntropyLoss, SmoothL1Loss, L1Loss, IoULoss, GIoULoss };
export { weightReduceLoss, type Reduction, type LossCallOptions } from './utils.js';
