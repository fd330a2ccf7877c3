import { describe, expect, it } from 'vitest';
import type { BitmapMasks, PolygonMasks } from '../../../structures/det_types.js';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { RandomAffine } from './random_affine.js';

/** An Rng whose uniform draws are scripted: rotation°, scale, shear x°, shear y°, translate x, translate y (ratios). */
function scripted(values: number[]): Rng {
  const q = [...values];
  return {
    uniform: () => {
      if (q.length === 0) throw new Error('rng script exhausted');
      return q.shift()!;
    },
  } as unknown as Rng;
}

/** 8×8 image of 10 with a bright 2×2 square at x∈[1,3), y∈[2,4); box 0 around it, box 1 at the right edge. */
function sample(): Results {
  const data = new Uint8Array(8 * 8 * 3).fill(10);
  for (let y = 2; y < 4; y++) for (let x = 1; x < 3; x++) data.fill(250, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
  const m = new Uint8Array(64);
  for (let y = 2; y < 4; y++) for (let x = 1; x < 3; x++) m[y * 8 + x] = 1;
  return {
    img: { data, width: 8, height: 8, channels: 3 },
    img_shape: [8, 8, 3],
    bbox_fields: ['gt_bboxes'],
    gt_bboxes: Float32Array.of(1, 2, 3, 4, 6, 4, 8, 6),
    gt_labels: Int32Array.of(0, 1),
    gt_masks: { kind: 'bitmap', height: 8, width: 8, masks: [m, new Uint8Array(64)] } satisfies BitmapMasks,
  };
}
const px = (img: Image, x: number, y: number) => img.data[(y * img.width + x) * 3]!;

describe('RandomAffine', () => {
  it('pure translation (2, −1): pixels, boxes and masks move together; the box pushed out is dropped with its label', () => {
    const r = new RandomAffine().apply(sample(), { rng: scripted([0, 1, 0, 0, 0.25, -0.125]) });
    const img = r.img!;
    expect([img.width, img.height]).toEqual([8, 8]);
    // Bright square x∈[1,3), y∈[2,4) → x∈[3,5), y∈[1,3).
    expect([px(img, 3, 1), px(img, 4, 2), px(img, 2, 1), px(img, 5, 2), px(img, 3, 3)]).toEqual([250, 250, 10, 10, 10]);
    // Uncovered columns 0–1 and the last row take border_val.
    expect([px(img, 0, 4), px(img, 1, 4), px(img, 4, 7)]).toEqual([114, 114, 114]);
    // Box 0 [1,2,3,4] → [3,1,5,3]; box 1 [6,4,8,6] → [8,3,10,5] → clipped [8,3,8,5] → outside.
    expect(Array.from(r.gt_bboxes!)).toEqual([3, 1, 5, 3]);
    expect(Array.from(r.gt_labels!)).toEqual([0]);
    const m = r.gt_masks as BitmapMasks;
    expect(m.masks.length).toBe(1);
    expect(Array.from(m.masks[0]!.keys()).filter((i) => m.masks[0]![i])).toEqual([1 * 8 + 3, 1 * 8 + 4, 2 * 8 + 3, 2 * 8 + 4]);
  });

  it('90° rotation about the origin then translation by the width', () => {
    // M = T(8, 0) · R(90°): (x, y) → (8 − y, x).
    const r = new RandomAffine({ max_rotate_degree: 90 }).apply(sample(), { rng: scripted([90, 1, 0, 0, 1, 0]) });
    const b = Array.from(r.gt_bboxes!).map((v) => Math.round(v * 1e4) / 1e4);
    // Box 0 corners (1,2),(1,4),(3,4),(3,2) → (6,1),(4,1),(4,3),(6,3) → [4,1,6,3]; box 1 → [2,6,4,8].
    expect(b).toEqual([4, 1, 6, 3, 2, 6, 4, 8]);
    // As cv2.warpPerspective, pixels are warped by their integer indices: destination (X, Y) samples
    // source (Y, 8 − X), so the square x∈{1,2}, y∈{2,3} lands on x∈{5,6}, y∈{1,2} (mmdet's half-pixel
    // offset between boxes and pixels under rotation).
    const img = r.img!;
    expect([px(img, 5, 1), px(img, 6, 2), px(img, 4, 1), px(img, 7, 2)]).toEqual([250, 250, 10, 10]);
  });

  it('scaling ×2 about the origin, and polygon masks through the matrix', () => {
    const s = sample();
    s.gt_masks = { kind: 'polygon', height: 8, width: 8, polygons: [[Float64Array.of(1, 2, 3, 2, 3, 4)], [Float64Array.of(6, 4, 8, 4, 8, 6)]] } satisfies PolygonMasks;
    const r = new RandomAffine().apply(s, { rng: scripted([0, 2, 0, 0, 0, 0]) });
    // Box 0 → [2,4,6,8]; box 1 → [12,8,16,12] → clipped [8,8,8,8] → outside.
    expect(Array.from(r.gt_bboxes!)).toEqual([2, 4, 6, 8]);
    const m = r.gt_masks as PolygonMasks;
    expect(m.polygons.length).toBe(1);
    expect(Array.from(m.polygons[0]![0]!)).toEqual([2, 4, 6, 4, 6, 8]);
    // Destination (x, y) samples source (x/2, y/2): the square covers x∈[2,6), y∈[4,8) (bilinear edges blend).
    expect([px(r.img!, 3, 5), px(r.img!, 4, 6), px(r.img!, 0, 5)]).toEqual([250, 250, 10]);
    expect(px(r.img!, 1, 5)).toBe(130); // samples (0.5, 2.5): half grey, half bright
  });

  it('border shrinks the output (YOLOX: −img_scale/2) and boxes follow', () => {
    // border (−2, −2): output 4×4; translation (−2, −2) via ratios −0.5.
    const r = new RandomAffine({ border: [-2, -2] }).apply(sample(), { rng: scripted([0, 1, 0, 0, -0.5, -0.5]) });
    expect(r.img_shape).toEqual([4, 4, 3]);
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 0, 1, 2, 4, 2, 4, 4].slice(0, 4));
    expect([px(r.img!, 0, 0), px(r.img!, 0, 1), px(r.img!, 1, 0)]).toEqual([250, 250, 10]);
  });

  it('the filter (skip_filter=false) compares with the scaled original box', () => {
    // Scale 0.5: box 0 → [0.5,1,1.5,2] (1×1 ≤ min_bbox_size 2) dropped; box 1 → [3,2,4,3] also 1×1 dropped.
    const r = new RandomAffine({ skip_filter: false }).apply(sample(), { rng: scripted([0, 0.5, 0, 0, 0, 0]) });
    expect(r.gt_bboxes!.length).toBe(0);
    const r2 = new RandomAffine({ skip_filter: false, min_bbox_size: 0.5 }).apply(sample(), { rng: scripted([0, 0.5, 0, 0, 0, 0]) });
    expect(Array.from(r2.gt_labels!)).toEqual([0, 1]);
  });

  it('is deterministic for a seed; bright square and its box stay together under random warps', () => {
    const run = (seed: number) => new RandomAffine({ scaling_ratio_range: [0.9, 1.1], max_translate_ratio: 0.05 }).apply(sample(), { rng: new Rng(seed) });
    expect(Array.from(run(2).img!.data)).toEqual(Array.from(run(2).img!.data));
    for (let seed = 0; seed < 10; seed++) {
      const r = run(seed);
      const k = Array.from(r.gt_labels!).indexOf(0);
      expect(k).toBe(0);
      const b = r.gt_bboxes!;
      expect(px(r.img!, Math.floor((b[0]! + b[2]!) / 2), Math.floor((b[1]! + b[3]!) / 2))).toBeGreaterThan(150);
      const m = (r.gt_masks as BitmapMasks).masks[0]!;
      expect(m.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    }
  });

  it('an image without boxes still gets its (empty) masks on the new canvas', () => {
    const s: Results = { ...sample(), gt_bboxes: new Float32Array(0), gt_labels: new Int32Array(0), gt_masks: { kind: 'bitmap', height: 8, width: 8, masks: [] } };
    const r = new RandomAffine({ border: [-2, -1] }).apply(s, { rng: scripted([0, 1, 0, 0, 0, 0]) });
    expect(r.img_shape).toEqual([4, 6, 3]);
    expect([r.gt_masks!.height, r.gt_masks!.width]).toEqual([4, 6]);
  });

  it('validates options', () => {
    expect(() => new RandomAffine({ max_translate_ratio: 2 })).toThrow(expect.objectContaining({ configPath: 'max_translate_ratio' }));
    expect(() => new RandomAffine({ scaling_ratio_range: [0, 1] })).toThrow(expect.objectContaining({ configPath: 'scaling_ratio_range' }));
    expect(() => new RandomAffine({ border_val: [1] }).apply(sample(), { rng: new Rng(0) })).toThrow(expect.objectContaining({ configPath: 'border_val' }));
  });
});
