import { describe, expect, it } from 'vitest';
import { Rng } from '../../../utils/rng.js';
import type { Image, Results } from '../types.js';
import { CutOut } from './cut_out.js';

function scripted(values: number[]): Rng {
  const q = [...values];
  const next = (): number => {
    if (q.length === 0) throw new Error('rng script exhausted');
    return q.shift()!;
  };
  return { randint: next } as unknown as Rng;
}
const sample = (): Results => ({ img: { data: new Uint8Array(10 * 6 * 3).fill(9), width: 10, height: 6, channels: 3 }, gt_bboxes: Float32Array.of(0, 0, 5, 5) });
/** Filled pixels as 'x,y'. */
const holes = (img: Image) => {
  const out: string[] = [];
  for (let i = 0; i < img.width * img.height; i++) if (img.data[i * 3] !== 9) out.push(`${i % img.width},${Math.floor(i / img.width)}`);
  return out;
};

describe('CutOut', () => {
  it('fills the drawn rectangles, clipped at the image border; boxes untouched; input not modified', () => {
    const s = sample();
    const before = s.img!;
    // n = 2; hole 1 at (1, 2) with shape (3, 2); hole 2 at (8, 5) with shape (3, 2) → clipped to x∈[8,10), y∈[5,6).
    const r = new CutOut({ n_holes: [1, 3], cutout_shape: [[3, 2], [1, 1]], fill_in: [0, 1, 2] }).apply(s, { rng: scripted([2, 1, 2, 0, 8, 5, 0]) });
    expect(holes(r.img!)).toEqual(['1,2', '2,2', '3,2', '1,3', '2,3', '3,3', '8,5', '9,5']);
    expect(Array.from(r.img!.data.subarray((2 * 10 + 1) * 3, (2 * 10 + 1) * 3 + 3))).toEqual([0, 1, 2]);
    expect(Array.from(r.gt_bboxes!)).toEqual([0, 0, 5, 5]);
    expect(before.data.every((v) => v === 9)).toBe(true);
  });

  it('cutout_ratio scales with the image (int(ratio·w), int(ratio·h))', () => {
    // one hole at (0, 0), ratio (0.25, 0.5) → 2×3 pixels.
    const r = new CutOut({ n_holes: 1, cutout_ratio: [0.25, 0.5] }).apply(sample(), { rng: scripted([1, 0, 0, 0]) });
    expect(holes(r.img!)).toEqual(['0,0', '1,0', '0,1', '1,1', '0,2', '1,2']);
  });

  it('deterministic per seed; options validated', () => {
    const t = new CutOut({ n_holes: 3, cutout_shape: [2, 2] });
    expect(Array.from(t.apply(sample(), { rng: new Rng(1) }).img!.data)).toEqual(Array.from(t.apply(sample(), { rng: new Rng(1) }).img!.data));
    expect(() => new CutOut({ n_holes: 1 })).toThrow(/Either cutout_shape or cutout_ratio should be specified/);
    expect(() => new CutOut({ n_holes: 1, cutout_shape: [1, 1], cutout_ratio: [0.1, 0.1] })).toThrow(expect.objectContaining({ code: 'DATA_BAD_AUG_OPTION' }));
    expect(() => new CutOut({ n_holes: [3, 2], cutout_shape: [1, 1] })).toThrow(expect.objectContaining({ configPath: 'n_holes' }));
    expect(() => new CutOut({ n_holes: 1, cutout_shape: [1] as never })).toThrow(expect.objectContaining({ configPath: 'cutout_shape' }));
  });
});
