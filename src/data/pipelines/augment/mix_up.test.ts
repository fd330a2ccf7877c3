import { describe, expect, it } from 'vitest';
import type { BitmapMasks, PolygonMasks } from '../../../structures/det_types.js';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { MixUp } from './mix_up.js';

function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { uniform: next, randint: next } as unknown as Rng;
}
function img(w: number, h: number, v: number, bright: Array<[number, number]> = []): Image {
  const data = new Uint8Array(w * h * 3).fill(v);
  for (const [x, y] of bright) data.fill(250, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { data, width: w, height: h, channels: 3 };
}
const px = (im: Image, x: number, y: number) => im.data[(y * im.width + x) * 3]!;

describe('MixUp', () => {
  it('same-size images, no jitter, no flip: pixels blended 50/50, boxes appended', () => {
    const s: Results = {
      img: img(4, 4, 100),
      gt_bboxes: Float32Array.of(0, 0, 1, 1),
      gt_labels: Int32Array.of(0),
      mix_results: [{ img: img(4, 4, 201), gt_bboxes: Float32Array.of(1, 1, 3, 3), gt_labels: Int32Array.of(5) }],
    };
    // jitter 1.0; flip draw 0.2 ≤ 0.5 → no flip; no crop offsets (same size).
    const r = new MixUp({ img_scale: [4, 4] }).apply(s, { rng: scripted([1, 0.2]) });
    expect(r.img!.data.every((v) => v === 150)).toBe(true); // trunc(0.5·100 + 0.5·201)
    expect(r.img!.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 0, 1, 1, 1, 1, 3, 3]);
    expect(Array.from(r.gt_labels!)).toEqual([0, 5]);
    expect(r.img_shape).toEqual([4, 4, 3]);
  });

  it('flip and random crop: boxes flipped (x1 = W − x2), shifted by the offset, clipped, dropped when outside', () => {
    const s: Results = {
      img: img(3, 3, 0),
      gt_bboxes: new Float32Array(0),
      gt_labels: new Int32Array(0),
      mix_results: [{ img: img(5, 5, 0, [[1, 3]]), gt_bboxes: Float32Array.of(0, 0, 2, 1, 0, 2, 2, 4), gt_labels: Int32Array.of(1, 2) }],
    };
    // jitter 1; flip draw 0.9 > 0.5 → flip; y offset 1, x offset 1 (padded 5×5 → crop 3×3).
    const r = new MixUp({ img_scale: [5, 5] }).apply(s, { rng: scripted([1, 0.9, 1, 1]) });
    // [0,0,2,1] → flip [3,0,5,1] → shift [2,−1,4,0] → clip [2,0,3,0] → outside (y2 = 0), dropped.
    // [0,2,2,4] → flip [3,2,5,4] → shift [2,1,4,3] → clip [2,1,3,3].
    expect(Array.from(r.gt_bboxes!)).toEqual([2, 1, 3, 3]);
    expect(Array.from(r.gt_labels!)).toEqual([2]);
    // The bright pixel (1, 3) → flipped (3, 3) → cropped (2, 2), blended with 0: trunc(125).
    expect(px(r.img!, 2, 2)).toBe(125);
    expect(px(r.img!, 1, 2)).toBe(0);
  });

  it('scale jitter scales the mixed-in boxes', () => {
    const s: Results = {
      img: img(8, 8, 0),
      gt_bboxes: new Float32Array(0),
      gt_labels: new Int32Array(0),
      mix_results: [{ img: img(4, 2, 0), gt_bboxes: Float32Array.of(1, 0, 2, 1), gt_labels: Int32Array.of(1) }],
    };
    // fit 4×2 into (8, 8): ×2 → 8×4 on the top of a 114 canvas; jitter 0.5 → ×1 overall, canvas 8×8 → 4×4
    // (rows 0–1 image, rows 2–3 pad_val); zero-padded to 8×8, no offsets.
    const r = new MixUp({ img_scale: [8, 8] }).apply(s, { rng: scripted([0.5, 0]) });
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 0, 2, 1]);
    // The padded area (beyond the 4×4 jittered canvas) is 0 before blending.
    expect(px(r.img!, 6, 6)).toBe(0);
    expect(px(r.img!, 3, 3)).toBe(57); // trunc(0.5 · 114) from the pad_val canvas
    expect(px(r.img!, 3, 1)).toBe(0);
  });

  it('filter (skip_filter=false) drops mixed-in boxes that became too small', () => {
    const s: Results = {
      img: img(4, 4, 0),
      gt_bboxes: new Float32Array(0),
      gt_labels: new Int32Array(0),
      mix_results: [{ img: img(4, 4, 0), gt_bboxes: Float32Array.of(0, 0, 4, 4, 0, 0, 1, 1), gt_labels: Int32Array.of(1, 2) }],
    };
    const r = new MixUp({ img_scale: [4, 4], skip_filter: false, min_bbox_size: 2 }).apply(s, { rng: scripted([1, 0]) });
    expect(Array.from(r.gt_labels!)).toEqual([1]);
  });

  it('returns the sample unchanged when the other image has no boxes; get_indexes looks for boxes', () => {
    const s: Results = { img: img(4, 4, 9), gt_bboxes: Float32Array.of(0, 0, 1, 1), gt_labels: Int32Array.of(0), mix_results: [{ img: img(4, 4, 0), gt_bboxes: new Float32Array(0), gt_labels: new Int32Array(0) }] };
    const r = new MixUp().apply(s, { rng: new Rng(0) });
    expect(r.img).toBe(s.img);
    const ds = { length: 10, get_ann_info: (i: number) => ({ bboxes: i === 7 ? Float32Array.of(0, 0, 1, 1) : new Float32Array(0) }) };
    expect(new MixUp({ max_iters: 3 }).get_indexes(ds, { rng: scripted([2, 7, 1]) })).toEqual([7]);
    expect(new MixUp({ max_iters: 2 }).get_indexes(ds, { rng: scripted([2, 3]) })).toEqual([3]);
  });

  it('carries masks through fit, jitter, flip and crop: bitmaps like the pixels, polygons like the boxes', () => {
    const bright = (w: number, h: number, x: number, y: number) => {
      const m = new Uint8Array(w * h);
      m[y * w + x] = 1;
      return m;
    };
    const make = (kind: 'bitmap' | 'polygon'): Results => ({
      img: img(3, 3, 0),
      gt_bboxes: Float32Array.of(0, 0, 1, 1),
      gt_labels: Int32Array.of(0),
      gt_masks: kind === 'bitmap' ? { kind, height: 3, width: 3, masks: [bright(3, 3, 0, 0)] } : { kind, height: 3, width: 3, polygons: [[Float64Array.of(0, 0, 1, 0, 1, 1)]] },
      mix_results: [
        {
          img: img(5, 5, 0, [[1, 3]]),
          gt_bboxes: Float32Array.of(1, 3, 2, 4),
          gt_labels: Int32Array.of(2),
          gt_masks: kind === 'bitmap' ? { kind, height: 5, width: 5, masks: [bright(5, 5, 1, 3)] } : { kind, height: 5, width: 5, polygons: [[Float64Array.of(1, 3, 2, 3, 2, 4)]] },
        },
      ],
    });
    // As the flip/crop case above: flip, offsets (1, 1); box [1,3,2,4] → flip [3,3,4,4] → [2,2,3,3].
    const rb = new MixUp({ img_scale: [5, 5] }).apply(make('bitmap'), { rng: scripted([1, 0.9, 1, 1]) });
    expect(Array.from(rb.gt_bboxes!)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const mb = rb.gt_masks as BitmapMasks;
    expect([mb.height, mb.width, mb.masks.length]).toEqual([3, 3, 2]);
    expect(mb.masks[0]!.indexOf(1)).toBe(0);
    expect(mb.masks[1]!.indexOf(1)).toBe(2 * 3 + 2); // where the bright pixel went
    expect(px(rb.img!, 2, 2)).toBe(125);
    const rp = new MixUp({ img_scale: [5, 5] }).apply(make('polygon'), { rng: scripted([1, 0.9, 1, 1]) });
    const mp = rp.gt_masks as PolygonMasks;
    expect(Array.from(mp.polygons[1]![0]!)).toEqual([3, 2, 2, 2, 2, 3]); // x → 5 − x − 1, y → y − 1
  });

  it('needs mix_results with one sample', () => {
    expect(() => new MixUp().apply({ img: img(4, 4, 0) }, { rng: new Rng(0) })).toThrow(expect.objectContaining({ code: 'DATA_NO_MIX_RESULTS' }));
    expect(() => new MixUp().apply({ img: img(4, 4, 0), mix_results: [] }, { rng: new Rng(0) })).toThrow(/MixUp only support 2 images now !/);
  });

  it('is deterministic for a seed', () => {
    const make = (): Results => ({
      img: img(6, 5, 40),
      gt_bboxes: Float32Array.of(0, 0, 2, 2),
      gt_labels: Int32Array.of(0),
      mix_results: [{ img: img(7, 4, 200, [[3, 2]]), gt_bboxes: Float32Array.of(2, 1, 5, 3), gt_labels: Int32Array.of(1) }],
    });
    const a = new MixUp({ img_scale: [6, 6] }).apply(make(), { rng: new Rng(4) });
    const b = new MixUp({ img_scale: [6, 6] }).apply(make(), { rng: new Rng(4) });
    expect(Array.from(a.img!.data)).toEqual(Array.from(b.img!.data));
    expect(Array.from(a.gt_bboxes!)).toEqual(Array.from(b.gt_bboxes!));
  });
});
