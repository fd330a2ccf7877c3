/**
 * @module Registers the detectors in MODELS (DETECTORS alias; one explicit list) and re-exports them.
 */
import { DETECTORS } from '../../registry/root.js';
import { ATSS, FCOS, RetinaNet, SingleStageDetector } from './single_stage.js';

for (const cls of [SingleStageDetector, RetinaNet, FCOS, ATSS]) DETECTORS.register(cls.type, cls);

export { BaseDetector, parseLosses, type LossDict } from './base.js';
export { SingleStageDetector, RetinaNet, FCOS, ATSS };
