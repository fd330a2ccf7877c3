import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { collate } from '../collate.js';
import { DeferredImage } from './deferred_image.js';
import { FlippedImage } from './flipped_image.js';
import { imflip, imresize } from './image_ops.js';
import { Normalize } from './normalize.js';
import { Pad } from './pad.js';
import { RandomFlip } from './random_flip.js';
import { Resize } from './resize.js';
import { ResizedImage } from './resized_image.js';
import type { FlipDirection, Image, Results } from './types.js';

function randomU8(h: number, w: number, c: number, seed: number): Image & { data: Uint8Array } {
  const rng = new Rng(seed);
  return { data: Uint8Array.from({ length: h * w * c }, () => Math.floor(rng.random() * 256)), height: h, width: w, channels: c };
}

describe('ResizedImage (Resize → Normalize → Pad → collate fused)', () => {
  const norm = new Normalize({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true });

  it('a uint8 bilinear resize defers; its pixels are imresize’s (up, down, odd sizes, 1 channel)', () => {
    const img = randomU8(9, 13, 3, 1);
    for (const [w, h] of [[33, 22], [5, 4], [13, 30], [7, 9]] as Array<[number, number]>) {
      const r = ResizedImage.resize(img, w, h);
      expect(r).toBeInstanceOf(ResizedImage);
      expect([r.width, r.height, r.channels]).toEqual([w, h, 3]);
      expect(r.data).toEqual(imresize(img, w, h).data);
    }
    const grey = randomU8(6, 5, 1, 2);
    expect(ResizedImage.resize(grey, 11, 8).data).toEqual(imresize(grey, 11, 8).data);
    expect(img.data).toEqual(randomU8(9, 13, 3, 1).data); // the source is never modified
  });

  it('the exact 2× downscale, the same size and float images are resized at once, as before', () => {
    const even = randomU8(8, 6, 3, 3);
    expect(ResizedImage.resize(even, 3, 4)).not.toBeInstanceOf(ResizedImage);
    expect(ResizedImage.resize(even, 3, 4).data).toEqual(imresize(even, 3, 4).data);
    expect(ResizedImage.resize(even, 6, 8)).not.toBeInstanceOf(ResizedImage);
    const f32 = { ...even, data: Float32Array.from(even.data) };
    expect(ResizedImage.resize(f32, 10, 7)).not.toBeInstanceOf(ResizedImage);
    expect(() => ResizedImage.resize(even, 0, 4)).toThrow(/target size must be positive/);
  });

  it('rows read downwards, upwards or at random equal the materialised rows', () => {
    const img = randomU8(7, 10, 3, 4);
    for (const [w, h] of [[23, 17], [6, 4]] as Array<[number, number]>) {
      const r = new ResizedImage(img, w, h);
      const want = imresize(img, w, h).data;
      const rowLen = w * 3;
      const order = [...Array.from({ length: h }, (_, y) => y), ...Array.from({ length: h }, (_, y) => h - 1 - y), 3, 0, h - 1, 2, 2];
      const read = r.rowReader();
      const row = new Uint8Array(rowLen);
      for (const y of order) {
        read(y, row, 0);
        expect(row).toEqual(want.subarray(y * rowLen, (y + 1) * rowLen));
      }
      // Once `data` was read, a new reader copies the materialised rows.
      expect(r.data).toEqual(want);
      const copy = r.rowReader();
      for (const y of [h - 1, 0, 1]) {
        copy(y, row, 0);
        expect(row).toEqual(want.subarray(y * rowLen, (y + 1) * rowLen));
      }
    }
  });

  it('Resize → RandomFlip → Normalize → Pad → collate gives the batch of the eager path', () => {
    const resize = new Resize({ img_scale: [40, 24], keep_ratio: true });
    const pad = new Pad({ size_divisor: 8 });
    const ctx = { rng: new Rng(0) };
    const a = randomU8(9, 14, 3, 5);
    const b = randomU8(12, 7, 3, 6);
    const base = (img: Image): Results => ({ img, img_fields: ['img'], img_shape: [img.height, img.width, 3], bbox_fields: [] });
    for (const dir of [null, 'horizontal', 'vertical', 'diagonal'] as Array<FlipDirection | null>) {
      const flip = dir === null ? null : new RandomFlip({ flip_ratio: 1, direction: dir });
      const lazy = (img: Image): Results => {
        const r = resize.apply(base(img), ctx);
        expect(r.img).toBeInstanceOf(ResizedImage);
        const f = flip === null ? r : flip.apply(r, ctx);
        if (flip !== null) expect(f.img).toBeInstanceOf(FlippedImage);
        const n = norm.apply(f);
        expect(n.img).toBeInstanceOf(DeferredImage);
        return { ...pad.apply(n), img_pad_val: 0.5, img_metas: {} };
      };
      const eager = (img: Image): Results => {
        const [w, h] = [resize.apply(base(img), ctx).img!.width, resize.apply(base(img), ctx).img!.height];
        let px = imresize(img, w, h);
        if (dir !== null) px = imflip(px, dir);
        return { ...pad.apply(norm.apply(base(px))), img_pad_val: 0.5, img_metas: {} };
      };
      const got = collate([lazy(a), lazy(b)], 16);
      const want = collate([eager(a), eager(b)], 16);
      expect(got.imgShape).toEqual(want.imgShape);
      expect(got.img).toEqual(want.img);
    }
  });
});
