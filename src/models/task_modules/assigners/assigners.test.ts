import { describe, expect, it } from 'vitest';
import { MaxIoUAssigner } from './max_iou_assigner.js';
import { ATSSAssigner } from './atss_assigner.js';

const f = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

describe('MaxIoUAssigner (mmdet tests/test_utils/test_assigner.py cases)', () => {
  const bboxes = f([
    [0, 0, 10, 10],
    [10, 10, 20, 20],
    [5, 5, 15, 15],
    [32, 32, 38, 42],
  ]);
  const gts = f([
    [0, 0, 10, 9],
    [0, 10, 10, 19],
  ]);
  it('assigns positives, negatives and low-quality matches', () => {
    const a = new MaxIoUAssigner({ pos_iou_thr: 0.5, neg_iou_thr: 0.5 });
    const r = a.assign(bboxes, gts, null, Int32Array.from([2, 3]));
    // mmdet test_max_iou_assigner: expected_gt_inds = [1, 0, 2, 0]
    expect(Array.from(r.gtInds)).toEqual([1, 0, 2, 0]);
    expect(Array.from(r.labels!)).toEqual([2, -1, 3, -1]);
  });
  it('ignores boxes overlapping ignore regions (iof > ignore_iof_thr)', () => {
    const a = new MaxIoUAssigner({ pos_iou_thr: 0.5, neg_iou_thr: 0.5, ignore_iof_thr: 0.5, ignore_wrt_candidates: false });
    const ignore = f([[30, 30, 40, 40]]);
    const withIgnored = f([...Array.from({ length: 3 }, (_, i) => Array.from(bboxes.subarray(4 * i, 4 * i + 4))), [30, 32, 40, 42]]);
    const r = a.assign(withIgnored, gts, ignore);
    // mmdet test_max_iou_assigner_with_ignore: expected_gt_inds = [1, 0, 2, -1]
    expect(Array.from(r.gtInds)).toEqual([1, 0, 2, -1]);
  });
  it('with no gts every box is negative; with no boxes nothing is assigned', () => {
    const a = new MaxIoUAssigner({ pos_iou_thr: 0.5, neg_iou_thr: 0.5 });
    expect(Array.from(a.assign(bboxes, new Float32Array(0)).gtInds)).toEqual([0, 0, 0, 0]);
    expect(a.assign(new Float32Array(0), gts).gtInds.length).toBe(0);
  });
  it('gt_max_assign_all assigns every box tied at a gt\'s best IoU; off, only the first', () => {
    const boxes = f([
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [100, 100, 110, 110],
    ]);
    const gt = f([[0, 0, 20, 20]]); // IoU 0.25 with the first two
    const all = new MaxIoUAssigner({ pos_iou_thr: 0.5, neg_iou_thr: 0.1, min_pos_iou: 0.2 });
    expect(Array.from(all.assign(boxes, gt).gtInds)).toEqual([1, 1, 0]);
    const first = new MaxIoUAssigner({ pos_iou_thr: 0.5, neg_iou_thr: 0.1, min_pos_iou: 0.2, gt_max_assign_all: false });
    // the second box stays ignored (-1): 0.1 <= IoU < 0.5 and not claimed
    expect(Array.from(first.assign(boxes, gt).gtInds)).toEqual([1, -1, 0]);
  });
  it('a neg_iou_thr range marks only boxes inside it negative', () => {
    const a = new MaxIoUAssigner({ pos_iou_thr: 0.85, neg_iou_thr: [0.1, 0.5], match_low_quality: false });
    const r = a.assign(bboxes, gts);
    // IoUs with best gt: box0 0.9, box1 0, box2 ~0.16 (gt1), box3 0 → box0 positive, box2 negative, others -1
    expect(Array.from(r.gtInds)).toEqual([1, -1, 0, -1]);
  });
});

describe('ATSSAssigner', () => {
  it('selects candidates above mean+std of the topk IoUs whose centre lies inside the gt', () => {
    // one level of 5 anchors on a line; gt covers the first three
    const anchors = f([
      [0, 0, 10, 10],
      [5, 0, 15, 10],
      [10, 0, 20, 10],
      [40, 0, 50, 10],
      [80, 0, 90, 10],
    ]);
    const gt = f([[0, 0, 14, 10]]);
    const a = new ATSSAssigner({ topk: 3 });
    const r = a.assign(anchors, [5], gt, null, Int32Array.from([4]));
    // centre of gt x=7: closest anchors 1 (x=10), 0 (x=5), 2 (x=15) → IoUs 10/14, 9/15, 4/20
    const ious = [10 / 14, 9 / 15, 4 / 20];
    const mean = (ious[0] + ious[1] + ious[2]) / 3;
    const std = Math.sqrt(ious.reduce((s, v) => s + (v - mean) ** 2, 0) / 2);
    const thr = mean + std;
    const expected = [0, 1, 2].map((i) => (ious[i] >= thr ? 1 : 0));
    expect(Array.from(r.gtInds.subarray(0, 3))).toEqual(expected);
    expect(Array.from(r.gtInds.subarray(3))).toEqual([0, 0]);
    expect(r.labels![0]).toBe(expected[0] ? 4 : -1);
  });
  it('assigns nothing positive without gts', () => {
    const a = new ATSSAssigner({ topk: 9 });
    expect(Array.from(a.assign(f([[0, 0, 1, 1]]), [1], new Float32Array(0)).gtInds)).toEqual([0]);
  });
});
