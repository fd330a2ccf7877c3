/**
 * @module Registers the detectors in MODELS (DETECTORS alias; one explicit list) and re-exports them.
 */
import { DETECTORS } from '../../registry/root.js';
import { ATSS, FCOS, RetinaNet, SingleStageDetector } from './single_stage.js';
import { FasterRCNN, MaskRCNN, TwoStageDetector } from './two_stage.js';
import { RPN } from './rpn.js';

for (const cls of [SingleStageDetector, RetinaNet, FCOS, ATSS, TwoStageDetector, FasterRCNN, MaskRCNN, RPN]) DETECTORS.register(cls.type, cls);

export { BaseDetector, parseLosses, type LossDict } from './base.js';
export { SingleStageDetector, RetinaNet, FCOS, ATSS, TwoStageDetector, FasterRCNN, MaskRCNN, RPN };
