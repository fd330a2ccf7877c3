import { describe, expect, it } from 'vitest';
import type { ImageMeta } from '../../structures/det_types.js';
import { augTestBboxes, bboxMapping, bboxMappingBack, mergeAugBboxes, mergeAugMasks, mergeAugProposals, mergeAugRcnnBboxes, type AugCandidates } from './merge_augs.js';

function meta(h: number, w: number, sf: number, flip: boolean, dir: ImageMeta['flip_direction'] = flip ? 'horizontal' : null): ImageMeta {
  return {
    filename: 'a.png',
    ori_filename: 'a.png',
    ori_shape: [Math.round(h / sf), Math.round(w / sf), 3],
    img_shape: [h, w, 3],
    pad_shape: [h, w, 3],
    scale_factor: [sf, sf, sf, sf],
    flip,
    flip_direction: dir,
  };
}

const cand = (boxes: number[], scores: number[], labels: number[]): AugCandidates => ({
  bboxes: Float32Array.from(boxes),
  scores: Float32Array.from(scores),
  labels: Int32Array.from(labels),
});

describe('bbox_mapping_back', () => {
  const box = Float32Array.from([10, 20, 30, 60]);

  it('undoes the scale only, when not flipped', () => {
    expect([...bboxMappingBack(box, [200, 100], [2, 4, 2, 4], false)]).toEqual([5, 5, 15, 15]);
  });

  it('undoes a horizontal flip (x′ = w − x) then the scale', () => {
    // w = 100: x1 = 100 - 30 = 70, x2 = 100 - 10 = 90; then / 2 (x) and / 4 (y)
    expect([...bboxMappingBack(box, [200, 100], [2, 4, 2, 4], true, 'horizontal')]).toEqual([35, 5, 45, 15]);
  });

  it('undoes vertical and diagonal flips', () => {
    // h = 200: y1 = 200 - 60 = 140, y2 = 200 - 20 = 180
    expect([...bboxMappingBack(box, [200, 100], [1, 1, 1, 1], true, 'vertical')]).toEqual([10, 140, 30, 180]);
    expect([...bboxMappingBack(box, [200, 100], [1, 1, 1, 1], true, 'diagonal')]).toEqual([70, 140, 90, 180]);
  });

  it('is the inverse of flipping and scaling a box', () => {
    // original box (3, 4, 7, 9) in a 50x40 (h x w) image, resized x1.5 then flipped: w' = 60
    const sf = 1.5;
    const flipped = Float32Array.from([60 - 7 * sf, 4 * sf, 60 - 3 * sf, 9 * sf]);
    const back = bboxMappingBack(flipped, [75, 60], [sf, sf, sf, sf], true, 'horizontal');
    [3, 4, 7, 9].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 5));
  });
});

describe('merge_aug_bboxes / aug_test_bboxes', () => {
  it('concatenates the mapped-back boxes of every augmentation with their scores and labels', () => {
    const m = mergeAugBboxes([cand([0, 0, 10, 10], [0.9], [1]), cand([20, 0, 40, 20], [0.8], [0])], [meta(50, 50, 1, false), meta(100, 100, 2, true)]);
    // second: flip in w=100 → (60, 0, 80, 20), / 2 → (30, 0, 40, 10)
    expect([...m.bboxes]).toEqual([0, 0, 10, 10, 30, 0, 40, 10]);
    expect([...m.scores]).toEqual([Math.fround(0.9), Math.fround(0.8)]);
    expect([...m.labels]).toEqual([1, 0]);
  });

  it('flip TTA of a mirror-symmetric detection set gives the same boxes as no TTA', () => {
    // Two objects mirrored about x = 50 in a 100-wide image, plus one centred object.
    const c = cand([10, 10, 30, 40, 70, 10, 90, 40, 40, 50, 60, 70], [0.9, 0.9, 0.7], [0, 0, 1]);
    const plain = augTestBboxes([c], [meta(100, 100, 1, false)], { nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 100 }, 2, true);
    const tta = augTestBboxes([c, c], [meta(100, 100, 1, false), meta(100, 100, 1, true)], { nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 100 }, 2, true);
    expect(tta.map((a) => [...a])).toEqual(plain.map((a) => [...a]));
    expect(plain[0].length / 5).toBe(2);
    expect(plain[1].length / 5).toBe(1);
  });

  it('two scales of one object merge into one box in original pixels; max_per_img and rescale=false', () => {
    // scale 1: (10, 10, 20, 20) score .6; scale 2: (20, 20, 40, 40) → (10, 10, 20, 20) score .8
    const augs = [cand([10, 10, 20, 20], [0.6], [0]), cand([20, 20, 40, 40, 100, 100, 120, 120], [0.8, 0.5], [0, 0])];
    const metas = [meta(100, 100, 1, false), meta(200, 200, 2, false)];
    const res = augTestBboxes(augs, metas, { nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 100 }, 1, true);
    expect([...res[0]]).toEqual([10, 10, 20, 20, Math.fround(0.8), 50, 50, 60, 60, Math.fround(0.5)]);
    const top1 = augTestBboxes(augs, metas, { max_per_img: 1 }, 1, true);
    expect(top1[0].length).toBe(5);
    // rescale=false: in the first augmentation's scale (× its scale_factor)
    const scaled = augTestBboxes(augs, [meta(300, 300, 3, false), meta(200, 200, 2, false)], { max_per_img: 1 }, 1, false);
    expect([...scaled[0].subarray(0, 4)]).toEqual([30, 30, 60, 60]);
  });

  it('no candidates give empty per-class arrays', () => {
    const res = augTestBboxes([cand([], [], []), cand([], [], [])], [meta(10, 10, 1, false), meta(10, 10, 1, true)], {}, 3, true);
    expect(res.map((a) => a.length)).toEqual([0, 0, 0]);
  });
});

describe('bbox_mapping (two-stage: original image → augmentation)', () => {
  it('scales then flips in the augmented image, and bbox_mapping_back undoes it', () => {
    // (3, 4, 7, 9) × 2 → (6, 8, 14, 18); horizontal flip in w = 40: (40 − 14, 8, 40 − 6, 18)
    const box = Float32Array.from([3, 4, 7, 9]);
    expect([...bboxMapping(box, [30, 40], [2, 2, 2, 2], true, 'horizontal')]).toEqual([26, 8, 34, 18]);
    expect([...bboxMapping(box, [30, 40], [2, 2, 2, 2], false)]).toEqual([6, 8, 14, 18]);
    // vertical in h = 30: y' = 30 − 18, 30 − 8
    expect([...bboxMapping(box, [30, 40], [2, 2, 2, 2], true, 'vertical')]).toEqual([6, 12, 14, 22]);
    const there = bboxMapping(box, [30, 40], [2, 3, 2, 3], true, 'diagonal');
    expect([...bboxMappingBack(there, [30, 40], [2, 3, 2, 3], true, 'diagonal')]).toEqual([3, 4, 7, 9]);
  });

  it('maps every 4-column group of class-specific rows', () => {
    const rows = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...bboxMapping(rows, [10, 10], [1, 1, 1, 1], true)]).toEqual([7, 2, 9, 4, 3, 6, 5, 8]);
  });
});

describe('merge_aug_proposals', () => {
  const nms07 = { nms: { type: 'nms' as const, iou_threshold: 0.7 } };
  it('maps back, concatenates, suppresses across augmentations and keeps max_per_img by score', () => {
    // aug 0 (identity, 100 x 100): A (10,10,30,30) .9, B (60,60,80,80) .4
    // aug 1 (flip, ×2, 200 x 200): (140,20,180,60) .8 → unflip: (20,20,60,60) → /2: (10,10,30,30) = A, suppressed by A (.9)
    //                              (0,100,40,140) .6 → unflip: (160,100,200,140) → /2: (80,50,100,70) = C
    const p0 = Float32Array.from([10, 10, 30, 30, 0.9, 60, 60, 80, 80, 0.4]);
    const p1 = Float32Array.from([140, 20, 180, 60, 0.8, 0, 100, 40, 140, 0.6]);
    const metas = [meta(100, 100, 1, false), meta(200, 200, 2, true)];
    const out = mergeAugProposals([p0, p1], metas, { ...nms07, max_per_img: 10 });
    expect([...out]).toEqual([10, 10, 30, 30, Math.fround(0.9), 80, 50, 100, 70, Math.fround(0.6), 60, 60, 80, 80, Math.fround(0.4)]);
    expect([...mergeAugProposals([p0, p1], metas, { ...nms07, max_per_img: 2 })]).toHaveLength(10);
  });

  it('needs nms.iou_threshold (RPN_BAD_PROPOSAL_CFG)', () => {
    expect(() => mergeAugProposals([new Float32Array(5)], [meta(10, 10, 1, false)], {})).toThrow(expect.objectContaining({ code: 'RPN_BAD_PROPOSAL_CFG' }));
  });
});

describe('merge_aug_bboxes (R-CNN) and merge_aug_masks', () => {
  it('averages the mapped-back boxes and the scores of each proposal', () => {
    // one proposal, 2 classes (8 box columns). aug 0 identity in 100 x 100; aug 1 flipped ×2 in 200 x 200
    const b0 = Float32Array.from([10, 10, 30, 30, 0, 0, 4, 4]);
    // aug 1 class 0: (150,20,186,64) → unflip (14,20,50,64) → /2 (7,10,25,32); class 1: (190,0,200,8) → (0,0,10,8) → (0,0,5,4)
    const b1 = Float32Array.from([150, 20, 186, 64, 190, 0, 200, 8]);
    const s0 = Float32Array.from([0.5, 0.3, 0.2]);
    const s1 = Float32Array.from([0.7, 0.1, 0.2]);
    const { bboxes, scores } = mergeAugRcnnBboxes([b0, b1], [s0, s1], [meta(100, 100, 1, false), meta(200, 200, 2, true)]);
    expect([...bboxes]).toEqual([8.5, 10, 27.5, 31, 0, 0, 4.5, 4]);
    expect(scores[0]).toBeCloseTo(0.6, 6);
    expect(scores[1]).toBeCloseTo(0.2, 6);
    expect(scores[2]).toBeCloseTo(0.2, 6);
  });

  it('flips each augmentation\'s maps back, then averages', () => {
    // one 2x2 map per augmentation: identity [[1, 0], [0, 0]]; horizontal flip [[0, 1], [0, 0]] → [[1, 0], [0, 0]];
    // vertical flip [[0, 0], [1, 0]] → [[1, 0], [0, 0]]; diagonal [[0, 0], [0, 1]] → [[1, 0], [0, 0]]
    const id = meta(10, 10, 1, false);
    const h = meta(10, 10, 1, true, 'horizontal');
    const v = meta(10, 10, 1, true, 'vertical');
    const d = meta(10, 10, 1, true, 'diagonal');
    const maps = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]].map((a) => Float32Array.from(a));
    expect([...mergeAugMasks(maps, [id, h, v, d], 2)]).toEqual([1, 0, 0, 0]);
    // two detections, no flip: plain mean
    const a = Float32Array.from([0, 0.5, 1, 1, 0.2, 0.2, 0.2, 0.2]);
    const b = Float32Array.from([1, 0.5, 0, 1, 0.4, 0.4, 0.4, 0.4]);
    expect([...mergeAugMasks([a, b], [id, id], 2)].map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0.5, 0.5, 0.5, 1, 0.3, 0.3, 0.3, 0.3]);
  });
});
