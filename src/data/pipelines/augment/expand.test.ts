import { describe, expect, it } from 'vitest';
import type { BitmapMasks, PolygonMasks } from '../../../structures/det_types.js';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { Expand } from './expand.js';

function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { uniform: next } as unknown as Rng;
}

/** 4×3 image (w×h) of 0 with a bright pixel at (1, 1); box [1,1,2,2] around it. */
function sample(): Results {
  const data = new Uint8Array(4 * 3 * 3);
  data.fill(255, (1 * 4 + 1) * 3, (1 * 4 + 1) * 3 + 3);
  const mask = new Uint8Array(12);
  mask[1 * 4 + 1] = 1;
  return {
    img: { data, width: 4, height: 3, channels: 3 },
    img_shape: [3, 4, 3],
    img_fields: ['img'],
    bbox_fields: ['gt_bboxes'],
    mask_fields: ['gt_masks'],
    seg_fields: ['gt_semantic_seg'],
    gt_bboxes: Float32Array.of(1, 1, 2, 2),
    gt_labels: Int32Array.of(0),
    gt_masks: { kind: 'bitmap', height: 3, width: 4, masks: [mask] } satisfies BitmapMasks,
    gt_semantic_seg: { data: new Uint8Array(12).fill(5), width: 4, height: 3, channels: 1 },
  };
}
const at = (img: Image, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

describe('Expand', () => {
  it('places the image at the drawn offset on a mean-filled canvas; boxes, masks and maps follow', () => {
    // apply (0.1 ≤ 0.5); ratio 2 → 8×6; left = int(3.7) = 3, top = int(1.2) = 1.
    const r = new Expand({ mean: [10, 20, 30], to_rgb: true, seg_ignore_label: 255 }).apply(sample(), { rng: scripted([0.1, 2, 3.7, 1.2]) });
    const img = r.img!;
    expect([img.width, img.height]).toEqual([8, 6]);
    expect(r.img_shape).toEqual([6, 8, 3]);
    expect(at(img, 0, 0)).toEqual([30, 20, 10]); // RGB mean reversed to BGR
    expect(at(img, 3, 1)).toEqual([0, 0, 0]); // image origin
    expect(at(img, 4, 2)).toEqual([255, 255, 255]); // the bright pixel moved by (3, 1)
    expect(at(img, 6, 3)).toEqual([0, 0, 0]); // last image pixel
    expect(at(img, 7, 3)).toEqual([30, 20, 10]);
    expect(at(img, 6, 4)).toEqual([30, 20, 10]);
    expect(Array.from(r.gt_bboxes!)).toEqual([4, 2, 5, 3]);
    const m = r.gt_masks as BitmapMasks;
    expect([m.width, m.height]).toEqual([8, 6]);
    expect(m.masks[0]!.indexOf(1)).toBe(2 * 8 + 4);
    const seg = r.gt_semantic_seg as Image;
    expect([seg.data[0], seg.data[1 * 8 + 3], seg.data[3 * 8 + 6]]).toEqual([255, 5, 5]);
  });

  it('shifts polygon masks', () => {
    const s = sample();
    s.gt_masks = { kind: 'polygon', height: 3, width: 4, polygons: [[Float64Array.of(1, 1, 2, 1, 2, 2)]] } satisfies PolygonMasks;
    const r = new Expand().apply(s, { rng: scripted([0, 2, 3, 1]) });
    const m = r.gt_masks as PolygonMasks;
    expect([m.width, m.height]).toEqual([8, 6]);
    expect(Array.from(m.polygons[0]![0]!)).toEqual([4, 2, 5, 2, 5, 3]);
  });

  it('does nothing when the draw exceeds prob', () => {
    const s = sample();
    const r = new Expand({ prob: 0.5 }).apply(s, { rng: scripted([0.9]) });
    expect(r.img).toBe(s.img);
    expect(r.gt_bboxes).toBe(s.gt_bboxes);
  });

  it('is deterministic for a seed and the bright pixel follows its box', () => {
    const run = (seed: number) => new Expand({ prob: 1 }).apply(sample(), { rng: new Rng(seed) });
    expect(Array.from(run(3).img!.data)).toEqual(Array.from(run(3).img!.data));
    for (let seed = 0; seed < 10; seed++) {
      const r = run(seed);
      expect(at(r.img!, r.gt_bboxes![0]!, r.gt_bboxes![1]!)).toEqual([255, 255, 255]);
    }
  });

  it('validates options', () => {
    expect(() => new Expand({ ratio_range: [4, 1] })).toThrow(expect.objectContaining({ code: 'DATA_BAD_AUG_OPTION', configPath: 'ratio_range' }));
    expect(() => new Expand({ prob: 2 })).toThrow(/prob should be in range \[0,1\]/);
    expect(() => new Expand({ mean: [1, 2] }).apply(sample(), { rng: scripted([0, 2, 0, 0]) })).toThrow(expect.objectContaining({ configPath: 'mean' }));
  });
});
