import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { tempDir, writeImage } from '../../testing/data.js';
import { Rng } from '../../utils/rng.js';
import { Collect } from './collect.js';
import { Compose } from './compose.js';
import { LoadImageFromFile } from './load_image_from_file.js';
import { MultiScaleFlipAug } from './multi_scale_flip_aug.js';
import { Normalize } from './normalize.js';
import { Pad } from './pad.js';
import { RandomFlip } from './random_flip.js';
import { bboxFlipArray as bboxFlip } from '../../structures/bbox_array.js';
import { Resize } from './resize.js';
import type { Image, Results } from './types.js';

const ctx = (seed = 0) => ({ rng: new Rng(seed) });
const img = (w: number, h: number, c = 3): Image => ({ data: new Uint8Array(w * h * c).fill(7), width: w, height: h, channels: c });
function res(w: number, h: number, boxes: number[] = []): Results {
  return { img: img(w, h), img_shape: [h, w, 3], ori_shape: [h, w, 3], img_fields: ['img'], bbox_fields: ['gt_bboxes'], mask_fields: [], seg_fields: [], gt_bboxes: Float32Array.from(boxes) };
}

describe('Resize', () => {
  it('keep_ratio: 500x375 → 1067x800, scale_factor from actual sizes, boxes scaled', () => {
    const r = new Resize({ img_scale: [1333, 800], keep_ratio: true }).apply(res(500, 375, [0, 0, 500, 375, 100, 50, 200, 150]), ctx());
    expect(r.img_shape).toEqual([800, 1067, 3]);
    expect(r.pad_shape).toEqual([800, 1067, 3]);
    const sf = r.scale_factor as Float32Array;
    expect(sf[0]).toBeCloseTo(1067 / 500, 6);
    expect(sf[1]).toBeCloseTo(800 / 375, 6);
    expect(Array.from(r.gt_bboxes!).map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 0, 1067, 800, 213.4, 106.667, 426.8, 320]);
    expect(r.keep_ratio).toBe(true);
    expect(r.scale).toEqual([1333, 800]);
    expect(r.scale_idx).toBe(0);
  });
  it('without keep_ratio resizes to exactly (w, h); clips boxes to the border', () => {
    const r = new Resize({ img_scale: [100, 50], keep_ratio: false }).apply(res(50, 50, [40, 10, 60, 20]), ctx());
    expect(r.img_shape).toEqual([50, 100, 3]);
    expect(Array.from(r.gt_bboxes!)).toEqual([80, 10, 100, 20]); // x2 = 120 clipped to 100
    const r2 = new Resize({ img_scale: [100, 50], keep_ratio: false, bbox_clip_border: false }).apply(res(50, 50, [40, 10, 60, 20]), ctx());
    expect(r2.gt_bboxes![2]).toBe(120);
  });
  it("multiscale 'range' draws the long and the short edge within the scales", () => {
    const t = new Resize({ img_scale: [[133, 64], [133, 80]], multiscale_mode: 'range' });
    for (let s = 0; s < 20; s++) {
      const r = t.apply(res(40, 30), ctx(s));
      expect(r.scale![0]).toBe(133);
      expect(r.scale![1]).toBeGreaterThanOrEqual(64);
      expect(r.scale![1]).toBeLessThanOrEqual(80);
      expect(r.scale_idx).toBeNull();
    }
  });
  it("'value' picks one of the scales; ratio_range scales the only one", () => {
    const v = new Resize({ img_scale: [[100, 60], [200, 120]], multiscale_mode: 'value' }).apply(res(40, 30), ctx(3));
    expect([[100, 60], [200, 120]]).toContainEqual(v.scale);
    const r = new Resize({ img_scale: [100, 60], ratio_range: [0.5, 1.5] }).apply(res(40, 30), ctx(1));
    expect(r.scale![0]).toBeGreaterThanOrEqual(50);
    expect(r.scale![0]).toBeLessThanOrEqual(150);
    expect(() => new Resize({ img_scale: [[1, 2], [3, 4]], ratio_range: [0.5, 1.5] })).toThrow(/ratio_range/);
  });
  it('a preset float scale_factor gives scale = int(side * factor); scale and scale_factor together fail', () => {
    const r = new Resize({ keep_ratio: true }).apply({ ...res(40, 30), scale_factor: 0.5 }, ctx());
    expect(r.img_shape).toEqual([15, 20, 3]);
    expect(() => new Resize({ img_scale: [10, 10] }).apply({ ...res(40, 30), scale: [10, 10], scale_factor: 1.0 }, ctx())).toThrow(/cannot be both set/);
  });
});

describe('RandomFlip', () => {
  it('flips boxes at the borders: x1 = W - x2, x2 = W - x1 (and y with H)', () => {
    const b = Float32Array.from([0, 2, 3, 5]);
    expect(Array.from(bboxFlip(b, 8, 10, 'horizontal'))).toEqual([7, 2, 10, 5]);
    expect(Array.from(bboxFlip(b, 8, 10, 'vertical'))).toEqual([0, 3, 3, 6]);
    expect(Array.from(bboxFlip(b, 8, 10, 'diagonal'))).toEqual([7, 3, 10, 6]);
  });
  it('flip_ratio 1 always flips, 0 never; sets flip and flip_direction', () => {
    const on = new RandomFlip({ flip_ratio: 1 }).apply(res(10, 8, [0, 2, 3, 5]), ctx());
    expect(on.flip).toBe(true);
    expect(on.flip_direction).toBe('horizontal');
    expect(Array.from(on.gt_bboxes!)).toEqual([7, 2, 10, 5]);
    const off = new RandomFlip({ flip_ratio: 0 }).apply(res(10, 8, [0, 2, 3, 5]), ctx());
    expect(off.flip).toBe(false);
    expect(off.flip_direction).toBeNull();
  });
  it('flip_ratio 0.5 flips about half the time (seeded)', () => {
    const t = new RandomFlip({ flip_ratio: 0.5 });
    let n = 0;
    for (let s = 0; s < 400; s++) if (t.apply(res(4, 4), ctx(s)).flip) n++;
    expect(n).toBeGreaterThan(160);
    expect(n).toBeLessThan(240);
  });
  it('list of ratios picks directions with those probabilities', () => {
    const t = new RandomFlip({ flip_ratio: [0.3, 0.7], direction: ['horizontal', 'vertical'] });
    const c = { horizontal: 0, vertical: 0, none: 0 };
    for (let s = 0; s < 500; s++) c[(t.apply(res(4, 4), ctx(s)).flip_direction ?? 'none') as keyof typeof c]++;
    expect(c.none).toBe(0);
    expect(c.horizontal).toBeGreaterThan(100);
    expect(c.horizontal).toBeLessThan(200);
    expect(() => new RandomFlip({ flip_ratio: [0.3, 0.3], direction: 'horizontal' })).toThrow();
  });
  it('a preset flip (MultiScaleFlipAug) is respected', () => {
    const r = new RandomFlip({}).apply({ ...res(10, 8, [0, 2, 3, 5]), flip: true, flip_direction: 'vertical' }, ctx());
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 3, 3, 6]);
  });
});

describe('Normalize / Pad / Collect', () => {
  it('normalizes with BGR→RGB swap: (v - mean) / std', () => {
    const r: Results = { img: { data: Uint8Array.from([10, 20, 30]), width: 1, height: 1, channels: 3 }, img_fields: ['img'] };
    const out = new Normalize({ mean: [1, 2, 3], std: [2, 4, 8], to_rgb: true }).apply(r);
    // RGB = [30, 20, 10] → [(30-1)/2, (20-2)/4, (10-3)/8]
    expect(Array.from(out.img!.data)).toEqual([14.5, 4.5, 0.875]);
    expect(out.img_norm_cfg).toEqual({ mean: [1, 2, 3], std: [2, 4, 8], to_rgb: true });
  });
  it('pads to a multiple of size_divisor and pads bitmap masks too', () => {
    const r: Results = { ...res(50, 33), mask_fields: ['gt_masks'], gt_masks: { kind: 'bitmap', height: 33, width: 50, masks: [new Uint8Array(33 * 50).fill(1)] } };
    const out = new Pad({ size_divisor: 32 }).apply(r);
    expect(out.pad_shape).toEqual([64, 64, 3]);
    expect(out.img_shape).toEqual([33, 50, 3]);
    expect(out.pad_size_divisor).toBe(32);
    expect(out.gt_masks!.height).toBe(64);
    const m = out.gt_masks!.kind === 'bitmap' ? out.gt_masks!.masks[0]! : new Uint8Array();
    expect(m.reduce((a, b) => a + b, 0)).toBe(33 * 50);
    expect(new Pad({ size: [40, 60], pad_val: { img: 3 } }).apply(res(50, 33)).img!.data[60 * 39 * 3]).toBe(3);
    expect(() => new Pad({})).toThrow(/size/);
  });
  it('Collect keeps keys and gathers meta; a missing key is named', () => {
    const r: Results = { ...res(4, 4), filename: 'a.png', ori_filename: 'a.png', pad_shape: [4, 4, 3], scale_factor: 1, flip: false, flip_direction: null, img_norm_cfg: { mean: [0], std: [1], to_rgb: false } };
    const out = new Collect({ keys: ['img', 'gt_bboxes'] }).apply(r);
    expect(Object.keys(out).sort()).toEqual(['gt_bboxes', 'img', 'img_metas']);
    expect(Object.keys(out.img_metas as object)).toEqual(['filename', 'ori_filename', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor', 'flip', 'flip_direction', 'img_norm_cfg']);
    expect(() => new Collect({ keys: ['gt_labels'] }).apply(r)).toThrow(/gt_labels/);
  });
});

describe('MultiScaleFlipAug and Compose', () => {
  it('runs transforms per scale × flip and returns lists', async () => {
    const t = new MultiScaleFlipAug({ img_scale: [[20, 20], [40, 40]], flip: true, transforms: [{ type: 'Resize', keep_ratio: true }, { type: 'RandomFlip' }] });
    const out = (await t.apply(res(10, 10, [0, 0, 2, 2]), ctx()))!;
    expect(out.img_shape).toEqual([[20, 20, 3], [20, 20, 3], [40, 40, 3], [40, 40, 3]]);
    expect(out.flip).toEqual([false, true, false, true]);
    expect(() => new MultiScaleFlipAug({ transforms: [] })).toThrow(/only one/);
  });
  it('a failing transform is named with the image file; null stops the pipeline', async () => {
    const c = new Compose([{ type: 'Resize', img_scale: [10, 10] }, { type: 'Collect', keys: ['nope'] }]);
    const err = await c.apply({ ...res(4, 4), filename: '/x/cat.png' }, ctx()).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('DATA_PIPELINE_FAILED');
    expect((err as Error).message).toMatch(/Collect failed on \/x\/cat.png/);
    const dropper = { apply: () => null, toString: () => 'Drop' };
    expect(await new Compose([dropper]).apply(res(4, 4), ctx())).toBeNull();
    expect(() => new Compose([{ type: 'Rezise' }], 'data.train.pipeline')).toThrow(/Resize/);
    expect(() => new Compose([{ type: 'Pad', size_divisor: 32 }, { type: 'Resize', img_scale: [[1, 2], [3, 4]], ratio_range: [0.5, 1.5] }], 'data.train.pipeline')).toThrow(
      expect.objectContaining({ configPath: 'data.train.pipeline[1].img_scale' }),
    );
  });
});

describe('LoadImageFromFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = tempDir();
    await writeImage(join(dir, 'a.png'), 3, 2, (x, y) => [x * 10, y * 10, 200]);
    // 3 wide x 2 high stored, EXIF orientation 6 (rotate 90° clockwise to display) → 2 wide x 3 high
    const raw = Buffer.from([0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150, 200, 200, 200, 250, 250, 250]);
    writeFileSync(join(dir, 'rot.jpg'), await sharp(raw, { raw: { width: 3, height: 2, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer());
    writeFileSync(join(dir, 'bad.png'), 'not an image');
  });
  it('decodes BGR uint8 and writes the shapes', async () => {
    const r = await new LoadImageFromFile().apply({ img_info: { filename: 'a.png', width: 3, height: 2 }, img_prefix: dir });
    expect(r.img_shape).toEqual([2, 3, 3]);
    expect(r.ori_filename).toBe('a.png');
    expect(r.filename).toBe(join(dir, 'a.png'));
    // pixel (x=2, y=1) is RGB (20, 10, 200) → BGR (200, 10, 20)
    expect(Array.from(r.img!.data.subarray(15, 18))).toEqual([200, 10, 20]);
    const f = await new LoadImageFromFile({ to_float32: true, channel_order: 'rgb' }).apply({ img_info: { filename: 'a.png', width: 3, height: 2 }, img_prefix: dir });
    expect(f.img!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f.img!.data.subarray(15, 18))).toEqual([20, 10, 200]);
  });
  it('applies EXIF orientation for color, not for unchanged', async () => {
    const r = await new LoadImageFromFile().apply({ img_info: { filename: 'rot.jpg', width: 3, height: 2 }, img_prefix: dir });
    expect(r.img_shape).toEqual([3, 2, 3]);
    const u = await new LoadImageFromFile({ color_type: 'unchanged' }).apply({ img_info: { filename: 'rot.jpg', width: 3, height: 2 }, img_prefix: dir });
    expect(u.img_shape).toEqual([2, 3, 3]);
  });
  it('corrupt and missing files give errors naming the file', async () => {
    const c = new Compose([{ type: 'LoadImageFromFile' }]);
    const bad = await c.apply({ img_info: { filename: 'bad.png', width: 1, height: 1 }, img_prefix: dir }, ctx()).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/LoadImageFromFile failed on .*bad\.png/);
    expect(((bad as { cause: { code: string } }).cause).code).toBe('DATA_IMAGE_DECODE');
    const missing = await c.apply({ img_info: { filename: 'none.png', width: 1, height: 1 }, img_prefix: dir }, ctx()).catch((e: unknown) => e);
    expect((missing as { file: string }).file).toBe(join(dir, 'none.png'));
    expect(((missing as { cause: { code: string } }).cause).code).toBe('DATA_IMAGE_NOT_FOUND');
  });
});

describe('DefaultFormatBundle / ImageToTensor', () => {
  it('makes the image float32 HWC and fills default metas', async () => {
    const { DefaultFormatBundle } = await import('./default_format_bundle.js');
    const { ImageToTensor } = await import('./image_to_tensor.js');
    const r = new DefaultFormatBundle().apply({ img: { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 } });
    expect(r.img!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(r.img!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.pad_shape).toEqual([1, 2, 3]);
    expect(r.scale_factor).toBe(1);
    expect(r.img_norm_cfg).toEqual({ mean: [0, 0, 0], std: [1, 1, 1], to_rgb: false });
    const t = new ImageToTensor({ keys: ['img'] }).apply({ img: { data: Uint8Array.from([7]), width: 1, height: 1, channels: 1 } });
    expect(t.img!.data).toBeInstanceOf(Float32Array);
  });
});

describe('semantic segmentation maps (with_seg)', () => {
  it('loads the map unchanged, resizes it nearest, flips it and pads it with 255', async () => {
    const dir = tempDir();
    const { writeFileSync: write } = await import('node:fs');
    // 4x2 map with class ids 0..7, stored as a 1-channel PNG
    write(join(dir, 'seg.png'), await sharp(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]), { raw: { width: 4, height: 2, channels: 1 } }).png().toBuffer());
    const { LoadAnnotations } = await import('./load_annotations.js');
    let r: Results = { ...res(4, 2), seg_prefix: dir, ann_info: { bboxes: new Float32Array(0), labels: new Int32Array(0), seg_map: 'seg.png' } };
    r = (await new LoadAnnotations({ with_bbox: false, with_label: false, with_seg: true }).apply(r))!;
    expect(r.seg_fields).toEqual(['gt_semantic_seg']);
    expect(Array.from(r.gt_semantic_seg!.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    r = new Resize({ img_scale: [8, 4], keep_ratio: false }).apply(r, ctx());
    expect(Array.from(r.gt_semantic_seg!.data.subarray(0, 8))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    r = new RandomFlip({ flip_ratio: 1 }).apply(r, ctx());
    expect(Array.from(r.gt_semantic_seg!.data.subarray(0, 8))).toEqual([3, 3, 2, 2, 1, 1, 0, 0]);
    r = new Pad({ size: [5, 8] }).apply(r);
    expect(r.gt_semantic_seg!.height).toBe(5);
    expect(Array.from(r.gt_semantic_seg!.data.subarray(32, 40))).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
  });
});
