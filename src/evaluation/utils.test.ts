import { describe, expect, it } from 'vitest';
import { asciiTable, float32Mean, formatFixed, linspace, pairwiseSum, pyFloatStr, pyRound } from './utils.js';

describe('Python-compatible formatting', () => {
  it("f'{x:.3f}' rounds exact ties to even, like CPython", () => {
    expect(formatFixed(0.0625, 3)).toBe('0.062'); // toFixed gives 0.063
    expect(formatFixed(0.1875, 3)).toBe('0.188');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(0.4306930693069307, 3)).toBe('0.431');
    expect(formatFixed(-1, 3)).toBe('-1.000');
    expect(formatFixed(0.9995, 3)).toBe('1.000'); // 0.9995 is just above the tie in binary (CPython: '1.000')
    expect(formatFixed(Number.NaN, 3)).toBe('nan');
    expect(pyRound(0.0625, 3)).toBe(0.062);
  });
  it('str(float)', () => {
    expect(pyFloatStr(0.5)).toBe('0.5');
    expect(pyFloatStr(1)).toBe('1.0');
    expect(pyFloatStr(1e-5)).toBe('1e-05');
    expect(pyFloatStr(0.7000000000000001)).toBe('0.7000000000000001');
  });
});

describe('AsciiTable (terminaltables)', () => {
  it('pads cells, borders the heading and optionally the footing row', () => {
    expect(asciiTable([['a', 'bb'], [1, null], ['mAP', '']], true)).toBe(
      ['+-----+------+', '| a   | bb   |', '+-----+------+', '| 1   | None |', '+-----+------+', '| mAP |      |', '+-----+------+'].join('\n'),
    );
  });
});

describe('numpy arithmetic', () => {
  it('linspace(.5, .95, 10) equals numpy (0.75 exact, last element = stop)', () => {
    const t = linspace(0.5, 0.95, 10);
    expect(t[5]).toBe(0.75);
    expect(t[9]).toBe(0.95);
    expect(t[1]).toBe(0.55); // 1 * 0.049999999999999996 + 0.5
    expect(linspace(0, 1, 101)[7]).toBe(0.07);
  });
  it('pairwise sum: exact sums agree with a plain sum; blocks of 8 for n ≥ 8', () => {
    const xs = Array.from({ length: 300 }, (_, i) => i * 0.25);
    expect(pairwiseSum(xs)).toBe(xs.reduce((a, b) => a + b, 0));
    // 1e16 + eight 1s: a plain left-to-right sum loses every 1; numpy's np.add.reduce gives 1e16 + 8
    const ys = [1e16, 1, 1, 1, 1, 1, 1, 1, 1];
    expect(ys.reduce((a, b) => a + b, 0)).toBe(1e16);
    expect(pairwiseSum(ys)).toBe(1e16 + 8);
  });
  it('float32 mean', () => {
    // np.mean(np.array([0.1, 0.2], dtype=np.float32)).item()
    expect(float32Mean([Math.fround(0.1), Math.fround(0.2)])).toBe(0.15000000596046448);
  });
});
