import { describe, expect, it } from 'vitest';
import type { BitmapMasks, PolygonMasks } from '../../../structures/det_types.js';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { Mosaic } from './mosaic.js';

function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { uniform: next, randint: next } as unknown as Rng;
}

/** A w×h image of grey `v` with one pixel of 250 at (x, y), box [x, y, x+1, y+1] labelled `label`, and its mask. */
function patch(w: number, h: number, v: number, x: number, y: number, label: number): Results {
  const data = new Uint8Array(w * h * 3).fill(v);
  data.fill(250, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const m = new Uint8Array(w * h);
  m[y * w + x] = 1;
  return {
    img: { data, width: w, height: h, channels: 3 },
    img_shape: [h, w, 3],
    gt_bboxes: Float32Array.of(x, y, x + 1, y + 1),
    gt_labels: Int32Array.of(label),
    gt_masks: { kind: 'bitmap', height: h, width: w, masks: [m] } satisfies BitmapMasks,
  };
}
function sample(): Results {
  return { ...patch(4, 4, 10, 1, 2, 0), mix_results: [patch(4, 4, 20, 0, 0, 1), patch(4, 4, 30, 3, 3, 2), patch(4, 4, 40, 2, 1, 3)] };
}
const px = (img: Image, x: number, y: number) => img.data[(y * img.width + x) * 3]!;

describe('Mosaic', () => {
  it('centre at (w, h): the four images fill the four quadrants; boxes and masks are offset', () => {
    // prob draw 0.3, centre ratios 1.0, 1.0 → (cx, cy) = (4, 4) on an 8×8 canvas.
    const r = new Mosaic({ img_scale: [4, 4] }).apply(sample(), { rng: scripted([0.3, 1, 1]) });
    const img = r.img!;
    expect([img.width, img.height]).toEqual([8, 8]);
    expect(r.img_shape).toEqual([8, 8, 3]);
    expect([px(img, 0, 0), px(img, 7, 0), px(img, 0, 7), px(img, 7, 7)]).toEqual([10, 20, 30, 40]);
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 2, 2, 3, 4, 0, 5, 1, 3, 7, 4, 8, 6, 5, 7, 6]);
    expect(Array.from(r.gt_labels!)).toEqual([0, 1, 2, 3]);
    // Each box's pixel is the bright one, and each mask marks exactly it.
    const m = r.gt_masks as BitmapMasks;
    for (let i = 0; i < 4; i++) {
      const [x, y] = [r.gt_bboxes![i * 4]!, r.gt_bboxes![i * 4 + 1]!];
      expect(px(img, x, y)).toBe(250);
      expect(m.masks[i]!.indexOf(1)).toBe(y * 8 + x);
    }
  });

  it('off-centre: sub-images are cropped at the centre lines; boxes are clipped and dropped when outside', () => {
    // centre (3, 5): trunc(0.75 * 4) = 3, trunc(1.25 * 4) = 5.
    const s = sample();
    s.gt_bboxes = Float32Array.of(0, 0, 2, 2);
    s.mix_results![1]!.gt_bboxes = Float32Array.of(0, 3, 1, 4);
    const r = new Mosaic({ img_scale: [4, 4] }).apply(s, { rng: scripted([0, 0.75, 1.25]) });
    // top_left paste [0,1,3,5] from crop [1,0,4,4] → offset (−1, +1): [0,0,2,2] → [−1,1,1,3] → [0,1,1,3].
    // top_right paste [3,1,7,5], crop [0,0,4,4] → (+3, +1): [0,0,1,1] → [3,1,4,2].
    // bottom_left paste [0,5,3,8], crop [1,0,4,3] → (−1, +5): [0,3,1,4] → [−1,8,0,9] → [0,8,0,8] → outside, dropped.
    // bottom_right paste [3,5,7,8], crop [0,0,4,3] → (+3, +5): [2,1,3,2] → [5,6,6,7].
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 1, 1, 3, 3, 1, 4, 2, 5, 6, 6, 7]);
    expect(Array.from(r.gt_labels!)).toEqual([0, 1, 3]);
    expect((r.gt_masks as BitmapMasks).masks.length).toBe(3);
    const img = r.img!;
    expect([px(img, 0, 0), px(img, 7, 0), px(img, 0, 1), px(img, 3, 1), px(img, 5, 6)]).toEqual([114, 114, 10, 250, 250]);
    expect(px(img, 7, 5)).toBe(114); // right of the bottom-right image
  });

  it('resizes larger images keeping the ratio; polygon masks scale with them', () => {
    const s = sample();
    const big = patch(8, 8, 20, 4, 4, 1);
    big.gt_bboxes = Float32Array.of(2, 2, 6, 6);
    s.mix_results![0] = big;
    for (const p of [s, ...s.mix_results!]) p.gt_masks = { kind: 'polygon', height: p.img!.height, width: p.img!.width, polygons: [[Float64Array.of(0, 0, 2, 0, 2, 2)]] } satisfies PolygonMasks;
    const r = new Mosaic({ img_scale: [4, 4] }).apply(s, { rng: scripted([0, 1, 1]) });
    // 8×8 → 4×4 (factor 0.5) pasted at (4, 0): [2,2,6,6] → [1,1,3,3] + (4, 0).
    expect(Array.from(r.gt_bboxes!.subarray(4, 8))).toEqual([5, 1, 7, 3]);
    const m = r.gt_masks as PolygonMasks;
    expect([m.width, m.height]).toEqual([8, 8]);
    expect(Array.from(m.polygons[1]![0]!)).toEqual([4, 0, 5, 0, 5, 1]);
    expect(Array.from(m.polygons[3]![0]!)).toEqual([4, 4, 6, 4, 6, 6]);
  });

  it('min_bbox_size filter (skip_filter=false) and gt_bboxes_ignore follow', () => {
    const s = sample();
    s.bbox_fields = ['gt_bboxes', 'gt_bboxes_ignore'];
    s.gt_bboxes_ignore = Float32Array.of(0, 0, 1, 1);
    const r = new Mosaic({ img_scale: [4, 4], min_bbox_size: 1, skip_filter: false }).apply(s, { rng: scripted([0, 1, 1]) });
    expect(r.gt_bboxes!.length).toBe(0); // every 1-pixel box has w = h = 1, not > 1
    expect(r.gt_labels!.length).toBe(0);
    expect(Array.from(r.gt_bboxes_ignore as Float32Array)).toEqual([0, 0, 1, 1]);
  });

  it('prob, get_indexes, determinism and errors', () => {
    const s = sample();
    expect(new Mosaic({ prob: 0.5 }).apply(s, { rng: scripted([0.7]) }).img).toBe(s.img);
    const idx = new Mosaic().get_indexes({ length: 5 }, { rng: new Rng(1) });
    expect(idx).toHaveLength(3);
    expect(idx.every((i) => Number.isInteger(i) && i >= 0 && i < 5)).toBe(true);
    const run = (seed: number) => new Mosaic({ img_scale: [4, 4] }).apply(sample(), { rng: new Rng(seed) });
    expect(Array.from(run(9).img!.data)).toEqual(Array.from(run(9).img!.data));
    for (let seed = 0; seed < 20; seed++) {
      const r = run(seed);
      const b = r.gt_bboxes!;
      for (let i = 0; i < b.length; i += 4) if (b[i + 2]! > b[i]! && b[i + 3]! > b[i + 1]!) expect(px(r.img!, b[i]!, b[i + 1]!)).toBe(250);
    }
    expect(() => new Mosaic().apply({ ...sample(), mix_results: [] }, { rng: new Rng(0) })).toThrow(expect.objectContaining({ code: 'DATA_NO_MIX_RESULTS' }));
    expect(() => new Mosaic({ img_scale: [0, 4] })).toThrow(expect.objectContaining({ configPath: 'img_scale' }));
    expect(() => new Mosaic({ prob: 1.5 })).toThrow(/got 1.5/);
  });
});
