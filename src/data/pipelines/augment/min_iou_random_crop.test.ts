import { describe, expect, it } from 'vitest';
import type { BitmapMasks } from '../../../structures/det_types.js';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { MinIoURandomCrop } from './min_iou_random_crop.js';

/** An Rng whose choice/uniform return the scripted values in order. */
function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { uniform: next, choice: next } as unknown as Rng;
}

/** 20×20 image; box 0 = [2,2,8,8] is a bright square, box 1 = [12,12,18,18]. */
function sample(): Results {
  const data = new Uint8Array(20 * 20 * 3).fill(10);
  for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) data.fill(255, (y * 20 + x) * 3, (y * 20 + x) * 3 + 3);
  const masks = [new Uint8Array(400), new Uint8Array(400)];
  masks[0]![5 * 20 + 5] = 1;
  masks[1]![15 * 20 + 15] = 1;
  return {
    img: { data, width: 20, height: 20, channels: 3 },
    img_shape: [20, 20, 3],
    img_fields: ['img'],
    bbox_fields: ['gt_bboxes'],
    gt_bboxes: Float32Array.of(2, 2, 8, 8, 12, 12, 18, 18),
    gt_labels: Int32Array.of(3, 4),
    gt_masks: { kind: 'bitmap', height: 20, width: 20, masks } satisfies BitmapMasks,
  };
}
const px = (img: Image, x: number, y: number) => img.data[(y * img.width + x) * 3]!;

describe('MinIoURandomCrop', () => {
  it('mode 1 returns the sample unchanged', () => {
    const s = sample();
    const r = new MinIoURandomCrop().apply(s, { rng: scripted([1]) });
    expect(r.img).toBe(s.img);
    expect(r.gt_bboxes).toBe(s.gt_bboxes);
  });

  it('keeps boxes whose centre is in the patch (clipped, shifted) with labels and masks; crops the image', () => {
    // mode 0; w = 10.7, h = 9.9; left = 1.5, top = 1.2 → patch [1, 1, 12, 11].
    const r = new MinIoURandomCrop().apply(sample(), { rng: scripted([0, 10.7, 9.9, 1.5, 1.2]) });
    expect(r.img_shape).toEqual([10, 11, 3]);
    // Box 0 [2,2,8,8] → [1,1,7,7]; box 1's centre (15, 15) is outside → dropped.
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 1, 7, 7]);
    expect(Array.from(r.gt_labels!)).toEqual([3]);
    const m = r.gt_masks as BitmapMasks;
    expect([m.masks.length, m.height, m.width]).toEqual([1, 10, 11]);
    expect(m.masks[0]![4 * 11 + 4]).toBe(1);
    expect([px(r.img!, 1, 1), px(r.img!, 6, 6), px(r.img!, 7, 7), px(r.img!, 0, 0)]).toEqual([255, 255, 10, 10]);
  });

  it('clips a box that crosses the patch border when bbox_clip_border', () => {
    // patch [4, 4, 14, 14]: box 0 centre (5,5) inside → [4,4,8,8] − 4 = [0,0,4,4]; box 1 centre (15,15) out.
    const r = new MinIoURandomCrop().apply(sample(), { rng: scripted([0, 10, 10, 4, 4]) });
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 0, 4, 4]);
    const r2 = new MinIoURandomCrop({ bbox_clip_border: false }).apply(sample(), { rng: scripted([0, 10, 10, 4, 4]) });
    expect(Array.from(r2.gt_bboxes!)).toEqual([-2, -2, 4, 4]);
  });

  it('rejects patches below the IoU threshold, with a bad aspect ratio or without box centres', () => {
    const r = new MinIoURandomCrop().apply(sample(), {
      rng: scripted([
        0.1,
        ...[10, 4], // h / w = 0.4 < 0.5 → rejected before drawing the offset
        ...[6, 6, 12.5, 1], // patch [12, 1, 18, 7]: IoU with both boxes is 0 < 0.1 → rejected
        ...[18, 18, 1, 1], // patch [1, 1, 19, 19]: IoUs 36/324 = 0.11 and 0.11 ≥ 0.1, both centres inside → accepted
      ]),
    });
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 1, 7, 7, 11, 11, 17, 17]);
    expect(Array.from(r.gt_labels!)).toEqual([3, 4]);
  });

  it('is deterministic for a seed; every result stays inside its image and the bright box stays bright', () => {
    const run = (seed: number) => new MinIoURandomCrop().apply(sample(), { rng: new Rng(seed) });
    expect(Array.from(run(5).gt_bboxes!)).toEqual(Array.from(run(5).gt_bboxes!));
    for (let seed = 0; seed < 30; seed++) {
      const r = run(seed);
      const { width: w, height: h } = r.img!;
      const b = r.gt_bboxes!;
      expect(r.gt_labels!.length * 4).toBe(b.length);
      expect((r.gt_masks as BitmapMasks).masks.length).toBe(r.gt_labels!.length);
      for (let i = 0; i < b.length; i += 4) expect(b[i]! >= 0 && b[i + 1]! >= 0 && b[i + 2]! <= w && b[i + 3]! <= h).toBe(true);
      const k = Array.from(r.gt_labels!).indexOf(3);
      if (k >= 0) expect(px(r.img!, Math.floor((b[k * 4]! + b[k * 4 + 2]!) / 2), Math.floor((b[k * 4 + 1]! + b[k * 4 + 3]!) / 2))).toBe(255);
    }
  });

  it('without gt boxes any valid patch is taken; the image and the empty masks are cropped', () => {
    const s: Results = { ...sample(), gt_bboxes: new Float32Array(0), gt_labels: new Int32Array(0), gt_masks: { kind: 'bitmap', height: 20, width: 20, masks: [] } };
    const r = new MinIoURandomCrop().apply(s, { rng: scripted([0.9, 10, 10, 4, 4]) });
    expect(r.img_shape).toEqual([10, 10, 3]);
    expect([r.gt_masks!.height, r.gt_masks!.width]).toEqual([10, 10]);
    expect([px(r.img!, 0, 0), px(r.img!, 4, 4)]).toEqual([255, 10]); // source (4, 4) in the square, (8, 8) not
  });

  it('needs bbox_fields and a single img field', () => {
    const s = sample();
    delete s.bbox_fields;
    expect(() => new MinIoURandomCrop().apply(s, { rng: new Rng(0) })).toThrow(expect.objectContaining({ code: 'DATA_NO_BBOX_FIELDS' }));
    expect(() => new MinIoURandomCrop().apply({ ...sample(), img_fields: ['img', 'img2'] }, { rng: new Rng(0) })).toThrow(/Only single img_fields is allowed/);
    expect(() => new MinIoURandomCrop({ min_crop_size: 0 })).toThrow(expect.objectContaining({ configPath: 'min_crop_size' }));
  });
});
