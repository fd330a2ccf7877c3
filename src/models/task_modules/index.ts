/**
 * @module Registers the bbox machinery (prior generators, coders, assigners, samplers, IoU
 * calculators) in their mmdet registries (one explicit list) and re-exports them.
 */
import { BBOX_ASSIGNERS, BBOX_CODERS, BBOX_SAMPLERS, IOU_CALCULATORS, PRIOR_GENERATORS } from '../../registry/root.js';
import { AnchorGenerator } from './prior_generators/anchor_generator.js';
import { MlvlPointGenerator } from './prior_generators/point_generator.js';
import { DeltaXYWHBBoxCoder } from './coders/delta_xywh_bbox_coder.js';
import { DistancePointBBoxCoder } from './coders/distance_point_bbox_coder.js';
import { MaxIoUAssigner } from './assigners/max_iou_assigner.js';
import { ATSSAssigner } from './assigners/atss_assigner.js';
import { PseudoSampler } from './samplers/pseudo_sampler.js';
import { RandomSampler } from './samplers/random_sampler.js';
import { BboxOverlaps2D } from './iou_calculators/iou2d_calculator.js';

PRIOR_GENERATORS.register(AnchorGenerator.type, AnchorGenerator);
PRIOR_GENERATORS.register(MlvlPointGenerator.type, MlvlPointGenerator);
BBOX_CODERS.register(DeltaXYWHBBoxCoder.type, DeltaXYWHBBoxCoder);
BBOX_CODERS.register(DistancePointBBoxCoder.type, DistancePointBBoxCoder);
BBOX_ASSIGNERS.register(MaxIoUAssigner.type, MaxIoUAssigner);
BBOX_ASSIGNERS.register(ATSSAssigner.type, ATSSAssigner);
BBOX_SAMPLERS.register(PseudoSampler.type, PseudoSampler);
BBOX_SAMPLERS.register(RandomSampler.type, RandomSampler);
IOU_CALCULATORS.register(BboxOverlaps2D.type, BboxOverlaps2D);

export {
  AnchorGenerator,
  MlvlPointGenerator,
  DeltaXYWHBBoxCoder,
  DistancePointBBoxCoder,
  MaxIoUAssigner,
  ATSSAssigner,
  PseudoSampler,
  RandomSampler,
  BboxOverlaps2D,
};
export { AssignResult } from './assigners/assign_result.js';
export { SamplingResult } from './samplers/sampling_result.js';
