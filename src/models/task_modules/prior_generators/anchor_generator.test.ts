import { describe, expect, it } from 'vitest';
import { AnchorGenerator } from './anchor_generator.js';
import { MlvlPointGenerator } from './point_generator.js';

function rows(a: Float32Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * 4, i * 4 + 4)));
}

describe('AnchorGenerator', () => {
  it('RetinaNet stride-8 base anchors (octave 4, 3 scales, ratios [0.5, 1, 2]) as mmdet', () => {
    const g = new AnchorGenerator({ strides: [8], ratios: [0.5, 1, 2], octave_base_scale: 4, scales_per_octave: 3 });
    // hand computation: h_ratio = sqrt(r), w_ratio = 1/h_ratio, w = 8 * w_ratio * s, h = 8 * h_ratio * s,
    // s = 4 * 2^(i/3); anchor = [-w/2, -h/2, w/2, h/2]
    const expected: number[][] = [];
    for (const r of [0.5, 1, 2]) {
      for (const i of [0, 1, 2]) {
        const s = 4 * 2 ** (i / 3);
        const w = (8 / Math.sqrt(r)) * s;
        const h = 8 * Math.sqrt(r) * s;
        expected.push([-w / 2, -h / 2, w / 2, h / 2]);
      }
    }
    const got = rows(g.baseAnchors[0], 9);
    expect(got[0][0]).toBeCloseTo(-22.6274, 3);
    expect(got[0][1]).toBeCloseTo(-11.3137, 3);
    expect(got[3]).toEqual(expected[3].map((v) => expect.closeTo(v, 4)));
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 3)));
  });

  it('grid priors are ordered (y, x, anchor) with shifts x*stride, y*stride', () => {
    const g = new AnchorGenerator({ strides: [16], ratios: [1], scales: [2] });
    const a = g.gridPriors([[2, 3]])[0];
    expect(a.length).toBe(2 * 3 * 4);
    // base anchor: 32x32 around (0,0)
    expect(rows(a, 6)).toEqual([
      [-16, -16, 16, 16],
      [0, -16, 32, 16],
      [16, -16, 48, 16],
      [-16, 0, 16, 32],
      [0, 0, 32, 32],
      [16, 0, 48, 32],
    ]);
  });

  it('center_offset 0.5 centres anchors in cells; scale_major=false orders scale-major', () => {
    const g = new AnchorGenerator({ strides: [4], ratios: [1, 4], scales: [1, 2], center_offset: 0.5, scale_major: false });
    // order: (s=1,r=1), (s=1,r=4), (s=2,r=1), (s=2,r=4); centre (2,2)
    expect(rows(g.baseAnchors[0], 4)).toEqual([
      [0, 0, 4, 4],
      [1, -2, 3, 6],
      [-2, -2, 6, 6],
      [0, -6, 4, 10],
    ]);
  });

  it('valid flags mark cells inside the pad shape only', () => {
    const g = new AnchorGenerator({ strides: [8], ratios: [1, 2], scales: [1] });
    const [v] = g.validFlags([[3, 4]], [20, 17]); // ceil(20/8)=3 rows, ceil(17/8)=3 cols
    const cells = Array.from({ length: 12 }, (_, c) => v[c * 2]);
    expect(cells).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
    expect(v[1]).toBe(1);
  });

  it('rejects scales together with octave_base_scale', () => {
    expect(() => new AnchorGenerator({ strides: [8], ratios: [1], scales: [1], octave_base_scale: 4, scales_per_octave: 3 })).toThrow(/cannot be set at the same time/);
  });
});

describe('MlvlPointGenerator', () => {
  it('places points at cell centres (offset 0.5) with strides', () => {
    const g = new MlvlPointGenerator({ strides: [8, 16] });
    const [p0, p1] = g.gridPriors([[2, 2], [1, 1]], true);
    expect(Array.from(p0)).toEqual([4, 4, 8, 8, 12, 4, 8, 8, 4, 12, 8, 8, 12, 12, 8, 8]);
    expect(Array.from(p1)).toEqual([8, 8, 16, 16]);
  });
});
