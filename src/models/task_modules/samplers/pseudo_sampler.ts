/**
 * @module Port of `mmdet/core/bbox/samplers/pseudo_sampler.py` @ v2.28.2: takes every assigned box.
 */
import type { AssignResult } from '../assigners/assign_result.js';
import { SamplingResult, indicesWhere } from './sampling_result.js';

/** Sampler that keeps all positives and all negatives (one-stage heads). */
export class PseudoSampler {
  static readonly type = 'PseudoSampler';

  constructor(_cfg: Record<string, unknown> = {}) {}

  /** Positives are boxes with `gtInds > 0`, negatives `gtInds == 0`. */
  sample(assign: AssignResult, bboxes: Float32Array, gtBboxes: Float32Array): SamplingResult {
    const pos = indicesWhere(assign.gtInds, (v) => v > 0);
    const neg = indicesWhere(assign.gtInds, (v) => v === 0);
    return new SamplingResult(pos, neg, bboxes, gtBboxes, assign, new Uint8Array(bboxes.length / 4));
  }
}
