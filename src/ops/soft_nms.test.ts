import { describe, expect, it } from 'vitest';
import { softNms } from './soft_nms.js';

describe('softNms', () => {
  // IoU(box0, box1) = 81 / 100
  const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 10, 10, 20, 20, 30, 30]);
  const scores = new Float32Array([0.9, 0.8, 0.7]);

  it('linear decay multiplies overlapping scores by 1 - IoU (hand computed)', () => {
    const { dets, inds } = softNms(boxes, scores, 0.3);
    expect(Array.from(inds)).toEqual([0, 2, 1]);
    expect(dets[14]).toBeCloseTo(0.8 * (1 - 0.81), 6);
  });

  it('gaussian decay uses exp(-IoU^2 / sigma); naive drops; min_score prunes', () => {
    const g = softNms(boxes, scores, 0.3, { method: 'gaussian', sigma: 0.5 });
    expect(g.dets[14]).toBeCloseTo(0.8 * Math.exp(-(0.81 * 0.81) / 0.5), 6);
    expect(Array.from(softNms(boxes, scores, 0.5, { method: 'naive' }).inds)).toEqual([0, 2]);
    expect(Array.from(softNms(boxes, scores, 0.3, { minScore: 0.2 }).inds)).toEqual([0, 2]);
  });

  it('rejects an unknown method', () => {
    expect(() => softNms(boxes, scores, 0.3, { method: 'cubic' as 'linear' })).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_ARGUMENT' }));
  });
});
