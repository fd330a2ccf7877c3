import { describe, expect, it } from 'vitest';
import { AssignResult } from '../assigners/assign_result.js';
import { PseudoSampler } from './pseudo_sampler.js';
import { RandomSampler } from './random_sampler.js';

const boxes = (n: number): Float32Array => Float32Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4) * 10 + (i % 4 >= 2 ? 5 : 0));

describe('PseudoSampler', () => {
  it('takes every positive and negative', () => {
    const assign = new AssignResult(1, Int32Array.from([1, 0, -1, 0, 1]), new Float32Array(5), Int32Array.from([3, -1, -1, -1, 3]));
    const gt = Float32Array.from([0, 0, 4, 4]);
    const r = new PseudoSampler().sample(assign, boxes(5), gt);
    expect(Array.from(r.posInds)).toEqual([0, 4]);
    expect(Array.from(r.negInds)).toEqual([1, 3]);
    expect(Array.from(r.posAssignedGtInds)).toEqual([0, 0]);
    expect(Array.from(r.posGtLabels!)).toEqual([3, 3]);
    expect(Array.from(r.posGtBboxes)).toEqual([0, 0, 4, 4, 0, 0, 4, 4]);
  });
});

describe('RandomSampler', () => {
  it('samples num * pos_fraction positives at most and fills with negatives', () => {
    const n = 100;
    const inds = Int32Array.from({ length: n }, (_, i) => (i < 40 ? 1 : 0));
    const assign = new AssignResult(1, inds, new Float32Array(n), Int32Array.from({ length: n }, (_, i) => (i < 40 ? 2 : -1)));
    const s = new RandomSampler({ num: 32, pos_fraction: 0.25, add_gt_as_proposals: false });
    const r = s.sample(assign, boxes(n), Float32Array.from([0, 0, 5, 5]), Int32Array.from([2]));
    expect(r.posInds.length).toBe(8);
    expect(r.negInds.length).toBe(24);
    expect([...r.posInds].every((i) => i < 40)).toBe(true);
    expect([...r.negInds].every((i) => i >= 40)).toBe(true);
    expect([...r.posInds]).toEqual([...r.posInds].sort((a, b) => a - b));
  });
  it('adds gts as proposals (self-assigned, flagged) and honours neg_pos_ub', () => {
    const n = 50;
    const assign = new AssignResult(2, new Int32Array(n), new Float32Array(n), new Int32Array(n).fill(-1));
    const s = new RandomSampler({ num: 20, pos_fraction: 0.5, neg_pos_ub: 3 });
    const gts = Float32Array.from([0, 0, 5, 5, 10, 10, 20, 20]);
    const r = s.sample(assign, boxes(n), gts, Int32Array.from([1, 2]));
    expect(Array.from(r.posInds)).toEqual([0, 1]);
    expect(Array.from(r.posIsGt)).toEqual([1, 1]);
    expect(Array.from(r.posGtLabels!)).toEqual([1, 2]);
    expect(r.negInds.length).toBe(6); // min(20 - 2, 3 * 2)
  });
  it('is reproducible for a seed', () => {
    const mk = () => new AssignResult(1, Int32Array.from({ length: 60 }, (_, i) => (i % 2 ? 1 : 0)), new Float32Array(60), null);
    const a = new RandomSampler({ num: 10, pos_fraction: 0.5, add_gt_as_proposals: false, seed: 3 }).sample(mk(), boxes(60), Float32Array.from([0, 0, 1, 1]));
    const b = new RandomSampler({ num: 10, pos_fraction: 0.5, add_gt_as_proposals: false, seed: 3 }).sample(mk(), boxes(60), Float32Array.from([0, 0, 1, 1]));
    expect(Array.from(a.posInds)).toEqual(Array.from(b.posInds));
  });
});
