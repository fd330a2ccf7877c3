import { describe, expect, it } from 'vitest';
import { collate } from './collate.js';
import type { Image, Results } from './pipelines/types.js';

const img = (h: number, w: number, v: number): Image => ({ data: new Float32Array(h * w * 3).fill(v), height: h, width: w, channels: 3 });
const meta = (h: number, w: number, sf: number, flip: boolean) => ({ filename: 'a.png', img_shape: [h, w, 3], scale_factor: sf, flip, flip_direction: flip ? 'horizontal' : null });

/** A MultiScaleFlipAug output: every key a list over augmentations. */
function ttaSample(base: number): Results {
  return {
    img: [img(2, 3, base), img(2, 3, base + 1), img(4, 6, base + 2)],
    img_metas: [meta(2, 3, 1, false), meta(2, 3, 1, true), meta(4, 6, 2, false)],
  } as unknown as Results;
}

describe('collate with test-time augmentations', () => {
  it('collates each augmentation of every image into batch.augs, each padded on its own', () => {
    const b = collate([ttaSample(10), ttaSample(20)], 4);
    expect(b.augs).toHaveLength(3);
    expect(b.augs!.map((a) => a.imgShape)).toEqual([[2, 4, 4, 3], [2, 4, 4, 3], [2, 4, 8, 3]]);
    // augmentation 1 of image 1: value 21 at its top-left, 0 in the padding
    const a1 = b.augs![1]!;
    expect(a1.img[(1 * 4 * 4 + 0) * 3]).toBe(21);
    expect(a1.img[(1 * 4 * 4 + 3) * 3]).toBe(0);
    expect(a1.samples.map((s) => [s.meta.flip, s.meta.scale_factor])).toEqual([[true, [1, 1, 1, 1]], [true, [1, 1, 1, 1]]]);
    expect(b.augs![2]!.samples[0]!.meta.scale_factor).toEqual([2, 2, 2, 2]);
    // the batch itself is the first augmentation
    expect(b.img).toBe(b.augs![0]!.img);
    expect(b.samples[0]!.meta.flip).toBe(false);
  });

  it('one augmentation gives a plain batch; differing counts are a DATA_BAD_BATCH error', () => {
    const one = { img: [img(2, 2, 1)], img_metas: [meta(2, 2, 1, false)] } as unknown as Results;
    const b = collate([one]);
    expect(b.augs).toBeUndefined();
    expect(b.imgShape).toEqual([1, 2, 2, 3]);
    expect(() => collate([ttaSample(0), one])).toThrow(expect.objectContaining({ code: 'DATA_BAD_BATCH' }));
  });
});

describe('collate into a recycled buffer', () => {
  const plain = (h: number, w: number, v: number, pad?: number): Results =>
    ({ img: img(h, w, v), img_metas: meta(h, w, 1, false), ...(pad === undefined ? {} : { img_pad_val: pad }) }) as unknown as Results;

  it('overwrites every stale element: the same batch as a fresh array (zero and non-zero padding)', () => {
    for (const pad of [undefined, 7]) {
      const samples = [plain(3, 5, 1, pad), plain(6, 2, 2, pad)];
      const fresh = collate(samples, 4);
      const stale = new Float32Array(1000).fill(Number.NaN);
      const reused = collate(samples, 4, (n) => new Float32Array(stale.buffer, 0, n));
      expect(reused.img.buffer).toBe(stale.buffer);
      expect(reused.imgShape).toEqual([2, 8, 8, 3]);
      expect(Array.from(reused.img)).toEqual(Array.from(fresh.img));
      // hand check: image 1 (6×2, value 2) at row 5 col 1; padding right of it and below image 0
      const p = pad ?? 0;
      expect(reused.img[(1 * 64 + 5 * 8 + 1) * 3]).toBe(2);
      expect(reused.img[(1 * 64 + 5 * 8 + 2) * 3]).toBe(p);
      expect(reused.img[(0 * 64 + 3 * 8 + 0) * 3]).toBe(p);
    }
  });

  it('a `take` that returns null gets a fresh array', () => {
    const b = collate([plain(2, 2, 3)], 1, () => null);
    expect(Array.from(b.img)).toEqual(new Array(12).fill(3));
  });
});
