/**
 * @module Port of `mmdet/core/bbox/samplers/random_sampler.py` (+ base_sampler.py) @ v2.28.2.
 *
 * Draws up to `num * pos_fraction` positives and fills up to `num` with negatives, uniformly at random
 * from a seeded {@link Rng}. With `add_gt_as_proposals` the gts are prepended as self-assigned boxes.
 */
import { Rng } from '../../../utils/rng.js';
import type { AssignResult } from '../assigners/assign_result.js';
import { SamplingResult, indicesWhere } from './sampling_result.js';

/** Config of {@link RandomSampler}. */
export interface RandomSamplerConfig {
  /** Total boxes to sample per image. */
  num: number;
  /** Target fraction of positives. */
  pos_fraction: number;
  /** Upper bound of negatives per positive (-1: none). */
  neg_pos_ub?: number;
  add_gt_as_proposals?: boolean;
  /** Seed of the sampler's own stream (detkit extension; default 0). */
  seed?: number;
}

/** Uniform random sampler (R-CNN heads). */
export class RandomSampler {
  static readonly type = 'RandomSampler';
  readonly num: number;
  readonly posFraction: number;
  readonly negPosUb: number;
  readonly addGtAsProposals: boolean;
  readonly rng: Rng;

  constructor(cfg: RandomSamplerConfig) {
    this.num = cfg.num;
    this.posFraction = cfg.pos_fraction;
    this.negPosUb = cfg.neg_pos_ub ?? -1;
    this.addGtAsProposals = cfg.add_gt_as_proposals ?? true;
    this.rng = new Rng(cfg.seed ?? 0);
  }

  private choose(gallery: Int32Array, num: number): Int32Array {
    if (gallery.length <= num) return gallery;
    const perm = this.rng.permutation(gallery.length).slice(0, num);
    return Int32Array.from(perm.map((p) => gallery[p])).sort();
  }

  /**
   * Samples boxes for one image.
   * @param bboxes `[n, 4]` proposals (a 5th score column is not expected)
   * @param gtBboxes `[g, 4]`
   * @param gtLabels `[g]`, needed with `add_gt_as_proposals`
   */
  sample(assign: AssignResult, bboxes: Float32Array, gtBboxes: Float32Array, gtLabels?: Int32Array | null): SamplingResult {
    let all = bboxes;
    let gtFlags = new Uint8Array(bboxes.length / 4);
    const g = gtBboxes.length / 4;
    if (this.addGtAsProposals && g > 0) {
      if (gtLabels == null) throw new Error('gt_labels must be given when add_gt_as_proposals is True');
      all = new Float32Array(gtBboxes.length + bboxes.length);
      all.set(gtBboxes, 0);
      all.set(bboxes, gtBboxes.length);
      assign.addGt(gtLabels);
      const flags = new Uint8Array(all.length / 4);
      flags.fill(1, 0, g);
      gtFlags = flags;
    }
    const expectedPos = Math.trunc(this.num * this.posFraction);
    const pos = this.choose(indicesWhere(assign.gtInds, (v) => v > 0), expectedPos);
    let expectedNeg = this.num - pos.length;
    if (this.negPosUb >= 0) expectedNeg = Math.min(expectedNeg, Math.trunc(this.negPosUb * Math.max(1, pos.length)));
    const neg = this.choose(indicesWhere(assign.gtInds, (v) => v === 0), expectedNeg);
    return new SamplingResult(pos, neg, all, gtBboxes, assign, gtFlags);
  }
}
