import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { collate } from '../collate.js';
import { DeferredImage } from './deferred_image.js';
import { FlippedImage } from './flipped_image.js';
import { imflip, impad } from './image_ops.js';
import { Normalize } from './normalize.js';
import { Pad } from './pad.js';
import { RandomFlip } from './random_flip.js';
import type { FlipDirection, Image, Results } from './types.js';

function randomU8(h: number, w: number, c: number, seed: number): Image & { data: Uint8Array } {
  const rng = new Rng(seed);
  return { data: Uint8Array.from({ length: h * w * c }, () => Math.floor(rng.random() * 256)), height: h, width: w, channels: c };
}

/** A plain copy of an image (reading a lazy image's pixels): the eager path's input. */
const plain = (img: Image): Image => ({ data: img.data.slice(), height: img.height, width: img.width, channels: img.channels });

const DIRS: FlipDirection[] = ['horizontal', 'vertical', 'diagonal'];

describe('FlippedImage (RandomFlip → Normalize → Pad → collate fused)', () => {
  const norm = new Normalize({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true });

  it('a uint8 flip defers; its pixels are imflip’s; flips compose and flipping back gives the source', () => {
    const img = randomU8(5, 7, 3, 1);
    for (const dir of DIRS) {
      const f = FlippedImage.flip(img, dir);
      expect(f).toBeInstanceOf(FlippedImage);
      expect(f.data).toEqual(imflip(img, dir).data);
    }
    // Hand check: the first pixel of a horizontal flip is the source's last pixel of row 0.
    expect(Array.from(FlippedImage.flip(img, 'horizontal').data.subarray(0, 3))).toEqual(Array.from(img.data.subarray(18, 21)));
    expect(FlippedImage.flip(FlippedImage.flip(img, 'horizontal'), 'horizontal')).toBe(img);
    expect(FlippedImage.flip(FlippedImage.flip(img, 'horizontal'), 'vertical').data).toEqual(imflip(img, 'diagonal').data);
    expect(img.data).toEqual(randomU8(5, 7, 3, 1).data); // the source is never modified
  });

  it('float32 images and deferred (normalized) images are flipped at once, as before', () => {
    const f32 = { ...randomU8(3, 4, 3, 2), data: Float32Array.from(randomU8(3, 4, 3, 2).data) };
    const out = FlippedImage.flip(f32, 'horizontal');
    expect(out).not.toBeInstanceOf(FlippedImage);
    expect(out.data).toEqual(imflip(f32, 'horizontal').data);
    const deferred = norm.apply({ img: randomU8(3, 4, 3, 3), img_fields: ['img'] }).img as Image;
    expect(FlippedImage.flip(deferred, 'vertical').data).toEqual(imflip(plain(deferred), 'vertical').data);
  });

  it('Normalize of a flipped image reads it mirrored: bit-identical to normalizing the flipped copy, also padded', () => {
    for (const c of [3, 1]) {
      const n = c === 3 ? norm : new Normalize({ mean: [100], std: [30], to_rgb: false });
      const img = randomU8(5, 7, c, 4 + c);
      for (const dir of DIRS) {
        const lazy = n.apply({ img: FlippedImage.flip(img, dir), img_fields: ['img'] }).img as Image;
        expect(lazy).toBeInstanceOf(DeferredImage);
        const ref = n.apply({ img: imflip(img, dir), img_fields: ['img'] }).img as Image;
        expect(lazy.data).toEqual(ref.data);
        expect(impad(lazy, 8, 9, 0.5).data).toEqual(impad(plain(ref), 8, 9, 0.5).data);
      }
    }
  });

  it('RandomFlip → Normalize → Pad → collate gives the batch of the eager flip', () => {
    const pad = new Pad({ size_divisor: 4 });
    const flip = new RandomFlip({ flip_ratio: 1, direction: 'horizontal' });
    const a = randomU8(5, 7, 3, 8);
    const b = randomU8(9, 4, 3, 9);
    const base = (img: Image): Results => ({ img, img_fields: ['img'], img_shape: [img.height, img.width, 3], bbox_fields: [] });
    const ctx = { rng: new Rng(0) };
    const lazy = (img: Image): Results => ({ ...pad.apply(norm.apply(flip.apply(base(img), ctx))), img_pad_val: 0.25, img_metas: {} });
    const eager = (img: Image): Results => ({ ...pad.apply(norm.apply(base(imflip(img, 'horizontal')))), img_pad_val: 0.25, img_metas: {} });
    const flipped = flip.apply(base(a), ctx);
    expect(flipped.img).toBeInstanceOf(FlippedImage);
    expect(flipped.flip).toBe(true);
    const got = collate([lazy(a), lazy(b)], 8);
    const want = collate([eager(a), eager(b)], 8);
    expect(got.imgShape).toEqual([2, 16, 8, 3]);
    expect(got.img).toEqual(want.img);
  });
});
