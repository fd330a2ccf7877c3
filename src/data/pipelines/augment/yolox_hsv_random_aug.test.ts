import { describe, expect, it } from 'vitest';
import { Rng } from '../../../utils/rng.js';
import type { Results } from '../types.js';
import { YOLOXHSVRandomAug } from './yolox_hsv_random_aug.js';

/** Scripted Rng: three uniform(−1, 1) gains, then three randint(0, 2) keep flags. */
function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { uniform: next, randint: next } as unknown as Rng;
}
const px = (...bgr: number[]): Results => ({ img: { data: Uint8Array.from(bgr), width: bgr.length / 3, height: 1, channels: 3 } });

describe('YOLOXHSVRandomAug', () => {
  it('hue gain (OpenCV units, mod 180): red + 60 → green, blue + 60 → red', () => {
    const t = new YOLOXHSVRandomAug({ hue_delta: 100 });
    // gains 0.6·100 = 60 (kept), S and V gains dropped by the coin flips.
    const r = t.apply(px(0, 0, 255, 255, 0, 0), { rng: scripted([0.6, 1, 1, 1, 0, 0]) });
    expect(Array.from(r.img!.data)).toEqual([0, 255, 0, 0, 0, 255]); // H 0 → 60 (green); 120 → 180 ≡ 0 (red)
  });

  it('value gain is truncated to an integer and clipped; saturation clipped at 0', () => {
    const t = new YOLOXHSVRandomAug({ saturation_delta: 100, value_delta: 110 });
    // V gain trunc(−0.5·110) = −55; S gain trunc(−0.999·100) = −99 (grey has S = 0 → stays 0).
    const r = t.apply(px(100, 100, 100, 250, 250, 250), { rng: scripted([0.3, -0.999, -0.5, 0, 1, 1]) });
    expect(Array.from(r.img!.data)).toEqual([45, 45, 45, 195, 195, 195]);
    const up = new YOLOXHSVRandomAug({ value_delta: 110 }).apply(px(200, 200, 200), { rng: scripted([0, 0, 0.9, 0, 0, 1]) });
    expect(Array.from(up.img!.data)).toEqual([255, 255, 255]); // 200 + 99 clipped to 255
  });

  it('zero gains keep saturated colours exactly; the input is not modified; deterministic per seed', () => {
    const s = px(0, 0, 255, 0, 255, 255);
    const r = new YOLOXHSVRandomAug().apply(s, { rng: scripted([0.5, 0.5, 0.5, 0, 0, 0]) });
    expect(Array.from(r.img!.data)).toEqual([0, 0, 255, 0, 255, 255]);
    const s2 = px(10, 20, 30, 40, 50, 60);
    const orig = s2.img!;
    const a = new YOLOXHSVRandomAug().apply(s2, { rng: new Rng(5) });
    const b = new YOLOXHSVRandomAug().apply(px(10, 20, 30, 40, 50, 60), { rng: new Rng(5) });
    expect(Array.from(a.img!.data)).toEqual(Array.from(b.img!.data));
    expect(Array.from(orig.data)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('needs a uint8 BGR image', () => {
    const f: Results = { img: { data: new Float32Array(3), width: 1, height: 1, channels: 3 } };
    expect(() => new YOLOXHSVRandomAug().apply(f, { rng: new Rng(0) })).toThrow(expect.objectContaining({ code: 'DATA_BAD_IMAGE' }));
  });
});
