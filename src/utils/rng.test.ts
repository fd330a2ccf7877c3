import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is reproducible from a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xa);
  });
  it('restores a saved state', () => {
    const a = new Rng(7);
    a.random();
    const s = a.getState();
    const next = [a.random(), a.random()];
    a.setState(s);
    expect([a.random(), a.random()]).toEqual(next);
  });
  it('has a uniform mean near 0.5 and randint within bounds', () => {
    const r = new Rng(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += r.random();
    expect(sum / 20000).toBeGreaterThan(0.49);
    expect(sum / 20000).toBeLessThan(0.51);
    for (let i = 0; i < 1000; i++) {
      const v = r.randint(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThan(7);
    }
    expect(r.permutation(10).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
