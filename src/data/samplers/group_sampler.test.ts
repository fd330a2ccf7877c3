import { describe, expect, it } from 'vitest';
import { GroupSampler, RandomSampler } from './group_sampler.js';

describe('GroupSampler', () => {
  const flag = Uint8Array.from([0, 1, 1, 0, 1, 1, 1]); // 2 portrait, 5 landscape
  it('length = Σ ceil(group / spg) × spg and every batch is one group', () => {
    const s = new GroupSampler(flag, 2, 3);
    expect(s.length).toBe(2 + 6);
    const idx = s.indices(0);
    expect(idx.length).toBe(8);
    for (let b = 0; b < idx.length; b += 2) expect(flag[idx[b]!]).toBe(flag[idx[b + 1]!]);
    expect(new Set(idx).size).toBe(7); // all images, one re-drawn
  });
  it('order depends only on (seed, epoch)', () => {
    const a = new GroupSampler(flag, 2, 3);
    const b = new GroupSampler(flag, 2, 3);
    expect(a.indices(4)).toEqual(b.indices(4));
    expect(a.indices(4)).not.toEqual(a.indices(5));
    expect(new GroupSampler(flag, 2, 4).indices(4)).not.toEqual(a.indices(4));
    expect(new RandomSampler(10, 1).indices(2)).toEqual(new RandomSampler(10, 1).indices(2));
  });
});
