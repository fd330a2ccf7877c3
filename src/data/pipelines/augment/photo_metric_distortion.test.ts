import { describe, expect, it } from 'vitest';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { PhotoMetricDistortion } from './photo_metric_distortion.js';

/** An Rng whose randint/uniform/permutation return the scripted values in order. */
function scripted(values: Array<number | number[]>): Rng {
  const q = [...values];
  const next = (): never => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift() as never;
  };
  return { randint: next, uniform: next, permutation: next } as unknown as Rng;
}
const one = (b: number, g: number, r: number): Results => ({ img: { data: Uint8Array.of(b, g, r), width: 1, height: 1, channels: 3 }, img_fields: ['img'] });

describe('PhotoMetricDistortion', () => {
  it('mode 1, every step on: brightness, contrast, HSV saturation and hue, back to BGR (hand computed)', () => {
    const t = new PhotoMetricDistortion();
    // brightness +10; mode 1; contrast ×0.5; saturation ×0.5; hue +30°; (no late contrast); no swap.
    const r = t.apply(one(50, 100, 200), { rng: scripted([1, 10, 1, 1, 0.5, 1, 0.5, 1, 30, 0]) });
    // (50,100,200) +10 → (60,110,210) ×0.5 → (30,55,105): V = 105, S = 75/105, H = 60·(55−30)/75 = 20°.
    // S ×0.5, H → 50°: sextant 0, f = 5/6 → b = V(1−S), g = V(1−S(1−f)), r = V.
    const v = 105;
    const s = (0.5 * 75) / 105;
    const expected = [v * (1 - s), v * (1 - s * (1 - 5 / 6)), v];
    const out = Array.from(r.img!.data);
    expected.forEach((e, k) => expect(out[k]).toBeCloseTo(e, 3));
    expect(r.img!.data).toBeInstanceOf(Float32Array);
  });

  it('mode 0: contrast after the HSV round trip, then a channel permutation; no clipping', () => {
    // no brightness; mode 0; no saturation; no hue; contrast ×3; swap with permutation [2, 0, 1].
    const r = new PhotoMetricDistortion().apply(one(10, 100, 200), { rng: scripted([0, 0, 0, 0, 1, 3, 1, [2, 0, 1]]) });
    const out = Array.from(r.img!.data);
    [600, 30, 300].forEach((e, k) => expect(out[k]).toBeCloseTo(e, 2)); // (30, 300, 600) permuted, above 255 kept
  });

  it('hue wraps into [0, 360]', () => {
    // pure blue (255, 0, 0): H = 240; +150 → 390 → 30°: sextant 0, f = 0.5 → (0, 127.5, 255).
    const r = new PhotoMetricDistortion().apply(one(255, 0, 0), { rng: scripted([0, 0, 0, 1, 150, 0, 0]) });
    const out = Array.from(r.img!.data);
    [0, 127.5, 255].forEach((e, k) => expect(out[k]).toBeCloseTo(e, 2));
  });

  it('identity ranges keep the pixels (up to the drawn channel order); deterministic per seed', () => {
    const t = new PhotoMetricDistortion({ brightness_delta: 0, contrast_range: [1, 1], saturation_range: [1, 1], hue_delta: 0 });
    const data = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const mk = (): Results => ({ img: { data: data.slice(), width: 4, height: 3, channels: 3 } });
    for (let seed = 0; seed < 8; seed++) {
      const out = mk() && t.apply(mk(), { rng: new Rng(seed) }).img!;
      // Find the channel order from pixel 1 and check every pixel uses it.
      const perm = [0, 1, 2].map((k) => [0, 1, 2].find((j) => Math.abs(out.data[3 + k]! - data[3 + j]!) < 1e-3)!);
      for (let p = 0; p < 12; p++) for (let k = 0; k < 3; k++) expect(out.data[p * 3 + k]!).toBeCloseTo(data[p * 3 + perm[k]!]!, 3);
    }
    const a = new PhotoMetricDistortion().apply(mk(), { rng: new Rng(11) }).img!;
    const b = new PhotoMetricDistortion().apply(mk(), { rng: new Rng(11) }).img!;
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('does not change the input image; rejects several img fields and bad ranges', () => {
    const s = one(1, 2, 3);
    const before = s.img!;
    new PhotoMetricDistortion().apply(s, { rng: new Rng(0) });
    expect(Array.from(before.data)).toEqual([1, 2, 3]);
    expect(() => new PhotoMetricDistortion().apply({ ...one(1, 2, 3), img_fields: ['img', 'x'] }, { rng: new Rng(0) })).toThrow(/Only single img_fields/);
    expect(() => new PhotoMetricDistortion({ contrast_range: [1.5, 0.5] })).toThrow(expect.objectContaining({ code: 'DATA_BAD_AUG_OPTION', configPath: 'contrast_range' }));
    const gray: Image = { data: new Uint8Array(4), width: 2, height: 2, channels: 1 };
    expect(() => new PhotoMetricDistortion().apply({ img: gray }, { rng: new Rng(0) })).toThrow(expect.objectContaining({ code: 'DATA_BAD_IMAGE' }));
  });
});
