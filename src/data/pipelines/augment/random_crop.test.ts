import { describe, expect, it } from 'vitest';
import type { BitmapMasks, PolygonMasks } from '../../../structures/det_types.js';
import { DetkitError } from '../../../utils/errors.js';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { RandomCrop } from './random_crop.js';

/** An Rng whose randint/uniform/random return the scripted values in order. */
function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { random: next, uniform: next, randint: next } as unknown as Rng;
}

/** A w×h grey (10) BGR image with a bright (255) rectangle [x1, x2) × [y1, y2). */
function image(w: number, h: number, bright?: [number, number, number, number]): Image {
  const data = new Uint8Array(w * h * 3).fill(10);
  if (bright) for (let y = bright[1]; y < bright[3]; y++) for (let x = bright[0]; x < bright[2]; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { data, width: w, height: h, channels: 3 };
}

const px = (img: Image, x: number, y: number) => img.data[(y * img.width + x) * 3]!;

/** 10×8 image; boxes A (inside the crop), B (outside), C (across the crop border); masks per box. */
function sample(): Results {
  const bitmap = (b: number[]): Uint8Array => {
    const m = new Uint8Array(80);
    for (let y = b[1]!; y < b[3]!; y++) for (let x = b[0]!; x < b[2]!; x++) if (x < 10 && y < 8) m[y * 10 + x] = 1;
    return m;
  };
  const boxes = [
    [6, 5, 8, 7],
    [0, 0, 3, 3],
    [4, 3, 12, 9],
  ];
  return {
    img: image(10, 8, [6, 5, 8, 7]),
    img_shape: [8, 10, 3],
    img_fields: ['img'],
    bbox_fields: ['gt_bboxes'],
    mask_fields: ['gt_masks'],
    seg_fields: [],
    gt_bboxes: Float32Array.from(boxes.flat()),
    gt_labels: Int32Array.of(0, 1, 2),
    gt_masks: { kind: 'bitmap', height: 8, width: 10, masks: boxes.map(bitmap) } satisfies BitmapMasks,
  };
}

describe('RandomCrop', () => {
  it('crops at the bottom-right border: boxes shifted and clipped, the box outside dropped with its label and mask', () => {
    // crop (h=4, w=5); offsets drawn h first: offset_h = 4 (max), offset_w = 5 (max) → window x∈[5,10), y∈[4,8).
    const r = new RandomCrop({ crop_size: [4, 5] }).apply(sample(), { rng: scripted([4, 5]) })!;
    expect(r.img_shape).toEqual([4, 5, 3]);
    expect(r.img!.width).toBe(5);
    expect(r.img!.height).toBe(4);
    // A [6,5,8,7] → [1,1,3,3]; B dropped; C [4,3,12,9] → [-1,-1,7,5] → clipped [0,0,5,4].
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 1, 3, 3, 0, 0, 5, 4]);
    expect(Array.from(r.gt_labels!)).toEqual([0, 2]);
    const m = r.gt_masks as BitmapMasks;
    expect([m.height, m.width, m.masks.length]).toEqual([4, 5, 2]);
    // Mask A covers exactly its box in crop coordinates.
    const onA: string[] = [];
    m.masks[0]!.forEach((v, i) => v && onA.push(`${i % 5},${Math.floor(i / 5)}`));
    expect(onA).toEqual(['1,1', '2,1', '1,2', '2,2']);
    // The bright square moved with its box.
    expect([px(r.img!, 1, 1), px(r.img!, 2, 2), px(r.img!, 0, 0), px(r.img!, 3, 3)]).toEqual([255, 255, 10, 10]);
  });

  it('crops at the top-left corner', () => {
    const r = new RandomCrop({ crop_size: [4, 5] }).apply(sample(), { rng: scripted([0, 0]) })!;
    // A [6,5,8,7] → [6,5,8,7] clipped to [5,4,5,4] → empty → dropped; B stays; C [4,3,12,9] → [4,3,5,4].
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 0, 3, 3, 4, 3, 5, 4]);
    expect(Array.from(r.gt_labels!)).toEqual([1, 2]);
    expect((r.gt_masks as BitmapMasks).masks.length).toBe(2);
  });

  it('bbox_clip_border=false keeps the box coordinates outside the crop', () => {
    const r = new RandomCrop({ crop_size: [4, 5], bbox_clip_border: false }).apply(sample(), { rng: scripted([4, 5]) })!;
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 1, 3, 3, -5, -4, -2, -1, -1, -1, 7, 5]);
    expect(Array.from(r.gt_labels!)).toEqual([0, 1, 2]);
  });

  it('returns null when no gt box is left, unless allow_negative_crop', () => {
    const s = (): Results => {
      const r: Results = { ...sample(), gt_bboxes: Float32Array.of(0, 0, 3, 3), gt_labels: Int32Array.of(1), mask_fields: [] };
      delete r.gt_masks;
      return r;
    };
    expect(new RandomCrop({ crop_size: [4, 5] }).apply(s(), { rng: scripted([4, 5]) })).toBeNull();
    const r = new RandomCrop({ crop_size: [4, 5], allow_negative_crop: true }).apply(s(), { rng: scripted([4, 5]) })!;
    expect(r.gt_bboxes!.length).toBe(0);
    expect(r.gt_labels!.length).toBe(0);
  });

  it('recompute_bbox takes the boxes from the cropped masks; polygon masks are shifted', () => {
    const s = sample();
    s.gt_masks = {
      kind: 'polygon',
      height: 8,
      width: 10,
      polygons: [[Float64Array.of(6, 5, 8, 5, 7, 7)], [Float64Array.of(0, 0, 3, 0, 3, 3)], [Float64Array.of(4, 3, 9, 3, 9, 7)]],
    } satisfies PolygonMasks;
    const r = new RandomCrop({ crop_size: [4, 5], recompute_bbox: true }).apply(s, { rng: scripted([4, 5]) })!;
    const m = r.gt_masks as PolygonMasks;
    expect([m.height, m.width]).toEqual([4, 5]);
    expect(Array.from(m.polygons[0]![0]!)).toEqual([1, 1, 3, 1, 2, 3]);
    expect(Array.from(r.gt_bboxes!)).toEqual([1, 1, 3, 3, -1, -1, 4, 3]);
  });

  it('crops gt_bboxes_ignore and segmentation maps with the same window', () => {
    const s = sample();
    s.bbox_fields = ['gt_bboxes', 'gt_bboxes_ignore'];
    s.gt_bboxes_ignore = Float32Array.of(5, 4, 6, 6, 0, 0, 1, 1);
    s.seg_fields = ['gt_semantic_seg'];
    s.gt_semantic_seg = { data: Uint8Array.from({ length: 80 }, (_, i) => i), width: 10, height: 8, channels: 1 };
    const r = new RandomCrop({ crop_size: [4, 5] }).apply(s, { rng: scripted([4, 5]) })!;
    expect(Array.from(r.gt_bboxes_ignore as Float32Array)).toEqual([0, 0, 1, 2]);
    const seg = r.gt_semantic_seg as Image;
    expect([seg.width, seg.height, seg.data[0]]).toEqual([5, 4, 45]);
  });

  it('crop sizes per crop_type', () => {
    const c = (cfg: ConstructorParameters<typeof RandomCrop>[0], rng: Rng) => new RandomCrop(cfg).getCropSize(8, 10, { rng });
    expect(c({ crop_size: [20, 3] }, scripted([]))).toEqual([8, 3]);
    expect(c({ crop_size: [0.5, 0.35], crop_type: 'relative' }, scripted([]))).toEqual([4, 4]); // int(10*0.35+0.5) = 4
    expect(c({ crop_size: [0.5, 0.5], crop_type: 'relative_range' }, scripted([0.5, 1]))).toEqual([6, 10]); // h: 0.75*8
    expect(c({ crop_size: [3, 9], crop_type: 'absolute_range' }, scripted([5, 9]))).toEqual([5, 9]);
    // absolute_range draws inside [min(h, lo), min(h, hi)] with a real generator.
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const [h, w] = c({ crop_size: [3, 9], crop_type: 'absolute_range' }, rng);
      expect(h >= 3 && h <= 8 && w >= 3 && w <= 9).toBe(true);
    }
  });

  it('is deterministic for a seed and keeps image, boxes and masks consistent', () => {
    const run = (seed: number) => new RandomCrop({ crop_size: [0.6, 0.6], crop_type: 'relative_range', allow_negative_crop: true }).apply(sample(), { rng: new Rng(seed) })!;
    expect(Array.from(run(7).gt_bboxes!)).toEqual(Array.from(run(7).gt_bboxes!));
    expect(Array.from(run(7).img!.data)).toEqual(Array.from(run(7).img!.data));
    for (let seed = 0; seed < 20; seed++) {
      const r = run(seed);
      const labels = Array.from(r.gt_labels!);
      const m = r.gt_masks as BitmapMasks;
      expect(m.masks.length).toBe(labels.length);
      expect([m.height, m.width]).toEqual([r.img!.height, r.img!.width]);
      const a = labels.indexOf(0);
      if (a >= 0) {
        // Box A is the bright square: its pixels are bright in the crop.
        const b = r.gt_bboxes!.subarray(a * 4, a * 4 + 4);
        expect(px(r.img!, Math.floor((b[0]! + b[2]!) / 2), Math.floor((b[1]! + b[3]!) / 2))).toBe(255);
      }
    }
  });

  it('rejects bad options with coded errors', () => {
    expect(() => new RandomCrop({ crop_size: [4, 5], crop_type: 'middle' as never })).toThrow(/Invalid crop_type middle/);
    expect(() => new RandomCrop({ crop_size: [0, 5] })).toThrow(DetkitError);
    expect(() => new RandomCrop({ crop_size: [1.5, 0.5], crop_type: 'relative' })).toThrow(expect.objectContaining({ code: 'DATA_BAD_AUG_OPTION', configPath: 'crop_size' }));
    expect(() => new RandomCrop({ crop_size: [4, 5] }).apply({}, { rng: new Rng(0) })).toThrow(expect.objectContaining({ code: 'DATA_NO_IMG' }));
  });
});
