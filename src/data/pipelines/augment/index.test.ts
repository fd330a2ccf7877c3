import { describe, expect, it } from 'vitest';
import { Registry } from '../../../registry/registry.js';
import { Rng } from '../../../utils/rng.js';
import { MultiImageMixDataset } from '../../dataset_wrappers/multi_image_mix_dataset.js';
import type { DetDataset } from '../../types.js';
import type { BitmapMasks } from '../../../structures/det_types.js';
import type { Image, Results, Transform } from '../types.js';
import { AUGMENT_TRANSFORMS, MixUp, Mosaic, RandomAffine, registerAugmentTransforms } from './index.js';

const NAMES = ['PhotoMetricDistortion', 'Expand', 'MinIoURandomCrop', 'RandomCrop', 'Mosaic', 'MixUp', 'RandomAffine', 'YOLOXHSVRandomAug', 'CutOut'];

describe('AUGMENT_TRANSFORMS registration', () => {
  const reg = new Registry('pipeline');
  registerAugmentTransforms(reg);

  it('registers every transform under its mmdet name', () => {
    expect(reg.keys().sort()).toEqual([...NAMES].sort());
    expect(AUGMENT_TRANSFORMS.map((c) => c.type).sort()).toEqual([...NAMES].sort());
  });

  it('builds each from a config with mmdet defaults', () => {
    const extra: Record<string, Record<string, unknown>> = { RandomCrop: { crop_size: [4, 4] }, CutOut: { n_holes: 1, cutout_shape: [2, 2] } };
    for (const name of NAMES) {
      const t = reg.build<Transform>({ type: name, ...extra[name] });
      expect((t.constructor as unknown as { type: string }).type).toBe(name);
      expect(t.toString()).toContain(name);
    }
    expect(reg.build<Mosaic>({ type: 'Mosaic' }).img_scale).toEqual([640, 640]);
    expect(reg.build<RandomAffine>({ type: 'RandomAffine' }).border_val).toEqual([114, 114, 114]);
  });

  it('config errors name the full key path and the file', () => {
    const ctx = { path: 'data.train.pipeline[2]', file: 'cfg.ts' };
    expect(() => reg.build({ type: 'RandomCrop', crop_size: [2, 2], crop_typ: 'absolute' }, undefined, ctx)).toThrow(
      expect.objectContaining({ code: 'CONFIG_UNEXPECTED_KEY', configPath: 'data.train.pipeline[2].crop_typ', file: 'cfg.ts', message: "RandomCrop.__init__() got an unexpected keyword argument 'crop_typ'" }),
    );
    expect(() => reg.build({ type: 'Expand', prob: 3 }, undefined, ctx)).toThrow(expect.objectContaining({ code: 'DATA_BAD_AUG_OPTION', configPath: 'data.train.pipeline[2].prob' }));
  });
});

/** A dataset of 16×16 images (background 0) each with a bright 6×6 square and its box. */
function squares(n: number): DetDataset & { get_ann_info(i: number): { bboxes: Float32Array } } {
  const box = (i: number) => [1 + (i % 3) * 4, 1 + (i % 2) * 8, 7 + (i % 3) * 4, 7 + (i % 2) * 8];
  return {
    length: n,
    CLASSES: ['square'],
    flag: new Uint8Array(n),
    get_ann_info: (i) => ({ bboxes: Float32Array.from(box(i)) }),
    async getItem(i): Promise<Results> {
      const b = box(i);
      const data = new Uint8Array(16 * 16 * 3);
      for (let y = b[1]!; y < b[3]!; y++) for (let x = b[0]!; x < b[2]!; x++) data.fill(250, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3);
      const mask = new Uint8Array(16 * 16);
      for (let y = b[1]!; y < b[3]!; y++) mask.fill(1, y * 16 + b[0]!, y * 16 + b[2]!);
      return {
        img: { data, width: 16, height: 16, channels: 3 },
        img_shape: [16, 16, 3],
        img_fields: ['img'],
        bbox_fields: ['gt_bboxes'],
        mask_fields: ['gt_masks'],
        gt_bboxes: Float32Array.from(b),
        gt_labels: Int32Array.of(0),
        gt_masks: { kind: 'bitmap', height: 16, width: 16, masks: [mask] },
      };
    },
  };
}
const px = (img: Image, x: number, y: number) => img.data[(Math.min(Math.max(y, 0), img.height - 1) * img.width + Math.min(Math.max(x, 0), img.width - 1)) * 3]!;

describe('YOLOX-style MultiImageMixDataset pipeline (Mosaic → RandomAffine → MixUp), with masks', () => {
  const build = () =>
    new MultiImageMixDataset({
      dataset: squares(6),
      pipeline: [new Mosaic({ img_scale: [16, 16] }), new RandomAffine({ border: [-8, -8], scaling_ratio_range: [0.8, 1.2] }), new MixUp({ img_scale: [16, 16], ratio_range: [0.8, 1.6] })],
    });

  it('keeps every box on its (blended) bright square and is deterministic per seed', async () => {
    const ds = build();
    for (let seed = 0; seed < 8; seed++) {
      const r = await ds.getItem(seed % 6, { rng: new Rng(seed) });
      const img = r.img!;
      expect([img.width, img.height]).toEqual([16, 16]);
      expect(r.img_shape).toEqual([16, 16, 3]);
      const b = r.gt_bboxes!;
      expect(r.gt_labels!.length * 4).toBe(b.length);
      for (let i = 0; i < b.length; i += 4) {
        expect(b[i]! >= 0 && b[i + 1]! >= 0 && b[i + 2]! <= 16 && b[i + 3]! <= 16).toBe(true);
        // A square cut by the image border can be a sliver; check boxes of at least 2×2 pixels.
        if (b[i + 2]! - b[i]! < 2 || b[i + 3]! - b[i + 1]! < 2) continue;
        // On its square the centre is ≥ 125 (250 blended 50/50); off it, background 0 / pad 114 give ≤ 57
        // unless the other image happens to be bright there.
        expect(px(img, Math.floor((b[i]! + b[i + 2]!) / 2), Math.floor((b[i + 1]! + b[i + 3]!) / 2))).toBeGreaterThanOrEqual(100);
      }
    }
    // Masks went through the same steps: one per box, on the image canvas, over bright pixels.
    for (let seed = 0; seed < 8; seed++) {
      const r = await ds.getItem(seed % 6, { rng: new Rng(seed) });
      const m = r.gt_masks as BitmapMasks;
      expect([m.height, m.width, m.masks.length]).toEqual([16, 16, r.gt_labels!.length]);
      for (const mk of m.masks) {
        let sum = 0;
        let n = 0;
        mk.forEach((v, i) => {
          if (v) {
            sum += r.img!.data[i * 3]!;
            n++;
          }
        });
        if (n >= 4) expect(sum / n).toBeGreaterThanOrEqual(100);
      }
    }
    const a = await build().getItem(3, { rng: new Rng(42) });
    const c = await build().getItem(3, { rng: new Rng(42) });
    expect(Array.from(a.img!.data)).toEqual(Array.from(c.img!.data));
    expect(Array.from(a.gt_bboxes!)).toEqual(Array.from(c.gt_bboxes!));
  });
});
