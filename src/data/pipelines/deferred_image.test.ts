import { describe, expect, it } from 'vitest';
import { Rng } from '../../utils/rng.js';
import { collate } from '../collate.js';
import { DeferredImage } from './deferred_image.js';
import { impad } from './image_ops.js';
import { Normalize } from './normalize.js';
import { Pad } from './pad.js';
import type { Image, Results } from './types.js';

function randomU8(h: number, w: number, c: number, seed: number): Image & { data: Uint8Array } {
  const rng = new Rng(seed);
  return { data: Uint8Array.from({ length: h * w * c }, () => Math.floor(rng.random() * 256)), height: h, width: w, channels: c };
}

/** The eager path: Normalize of a float32 copy (no table, no deferral), then impad. */
function eager(img: Image, norm: Normalize, padTo?: [number, number, number | number[]]): Image {
  const r = norm.apply({ img: { ...img, data: Float32Array.from(img.data) }, img_fields: ['img'] });
  const out = r.img as Image;
  return padTo === undefined ? out : impad(out, padTo[0], padTo[1], padTo[2]);
}

describe('DeferredImage (Normalize → Pad → collate fused)', () => {
  const norm = new Normalize({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true });

  it('Normalize of uint8 defers, and its pixels equal the eager float path bit for bit', () => {
    const img = randomU8(5, 7, 3, 1);
    const out = norm.apply({ img, img_fields: ['img'] }).img as Image;
    expect(out).toBeInstanceOf(DeferredImage);
    expect(out.data).toEqual(eager(img, norm).data);
    // Hand check of one pixel: RGB channel 0 reads the BGR source's channel 2.
    const v = img.data[2]!;
    expect(out.data[0]).toBe(Math.fround(Math.fround(v - Math.fround(123.675)) * (1 / Math.fround(58.395))));
  });

  it('Pad (size_divisor and pad_val) grows the canvas lazily, equal to eager padding', () => {
    const img = randomU8(5, 7, 3, 2);
    const r = new Pad({ size_divisor: 4, pad_val: { img: [1, 2, 3] } }).apply(norm.apply({ img, img_fields: ['img'] }));
    const out = r.img as Image;
    expect(out).toBeInstanceOf(DeferredImage);
    expect([out.height, out.width]).toEqual([8, 8]);
    expect(r.pad_shape).toEqual([8, 8, 3]);
    expect(out.data).toEqual(eager(img, norm, [8, 8, [1, 2, 3]]).data);
    // Padding again with another value pads the materialised pixels (old fill kept inside).
    const again = impad(out, 9, 10, 7);
    expect(again).not.toBeInstanceOf(DeferredImage);
    expect(again.data).toEqual(impad(eager(img, norm, [8, 8, [1, 2, 3]]), 9, 10, 7).data);
  });

  it('a 1-channel image and to_rgb=false also match the eager path', () => {
    const img = randomU8(4, 3, 1, 3);
    const n1 = new Normalize({ mean: [100], std: [30], to_rgb: false });
    const out = impad(n1.apply({ img, img_fields: ['img'] }).img as Image, 6, 5, 0.5);
    expect(out.data).toEqual(eager(img, n1, [6, 5, 0.5]).data);
  });

  it('collate writes deferred images into a wider batch exactly as it copies eager ones', () => {
    const a = randomU8(5, 7, 3, 4);
    const b = randomU8(9, 4, 3, 5);
    const pad = new Pad({ size_divisor: 4 });
    const sample = (img: Image): Results => ({ ...pad.apply(norm.apply({ img, img_fields: ['img'] })), img_pad_val: 0.25, img_metas: {} });
    const eagerSample = (img: Image): Results => ({ img: eager(img, norm, [Math.ceil(img.height / 4) * 4, Math.ceil(img.width / 4) * 4, 0]), img_pad_val: 0.25, img_metas: {} });
    const lazy = collate([sample(a), sample(b)], 8);
    const ref = collate([eagerSample(a), eagerSample(b)], 8);
    expect(lazy.imgShape).toEqual([2, 16, 8, 3]);
    expect(lazy.img).toEqual(ref.img);
  });

  it('structuredClone and spreading read the pixels (a plain copy)', () => {
    const img = randomU8(2, 2, 3, 6);
    const out = norm.apply({ img, img_fields: ['img'] }).img as Image;
    expect(structuredClone(out).data).toEqual(eager(img, norm).data);
    expect({ ...out }.data).toEqual(eager(img, norm).data);
  });
});
