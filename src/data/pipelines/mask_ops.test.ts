import { describe, expect, it } from 'vitest';
import { flipMasks, poly2mask, resizeMasks } from './mask_ops.js';

describe('poly2mask (pycocotools rleFrPoly)', () => {
  it('rasterises a rectangle [1,1]-[4,3] to columns 1..3, rows 1..2 (area w*h)', () => {
    const m = poly2mask([[1, 1, 4, 1, 4, 3, 1, 3]], 5, 5);
    const on: string[] = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) if (m[y * 5 + x]) on.push(`${x},${y}`);
    expect(on).toEqual(['1,1', '2,1', '3,1', '1,2', '2,2', '3,2']);
  });
  it('merges several polygons (union) and accepts RLE dicts', () => {
    const m = poly2mask([[0, 0, 1, 0, 1, 1, 0, 1], [3, 3, 4, 3, 4, 4, 3, 4]], 5, 5);
    expect(m[0]).toBe(1);
    expect(m[3 * 5 + 3]).toBe(1);
    expect(m.reduce((a, b) => a + b, 0)).toBe(2);
    // column-major runs 1 zero, 2 ones, 1 zero → rows [0, 1], [1, 0]; compressed '121' is the same RLE
    expect(Array.from(poly2mask({ size: [2, 2], counts: [1, 2, 1] }, 2, 2))).toEqual([0, 1, 1, 0]);
    expect(Array.from(poly2mask({ size: [2, 2], counts: '121' }, 2, 2))).toEqual([0, 1, 1, 0]);
    expect(Array.from(poly2mask([], 2, 2))).toEqual([0, 0, 0, 0]);
  });
});

describe('mask geometry', () => {
  it('flips polygons with W - x / H - y and bitmaps by mirroring', () => {
    const p = flipMasks({ kind: 'polygon', height: 8, width: 10, polygons: [[Float64Array.from([0, 2, 3, 2, 3, 5])]] }, 'diagonal');
    expect(p.kind === 'polygon' && Array.from(p.polygons[0]![0]!)).toEqual([10, 6, 7, 6, 7, 3]);
    const b = flipMasks({ kind: 'bitmap', height: 1, width: 3, masks: [Uint8Array.from([1, 0, 0])] }, 'horizontal');
    expect(b.kind === 'bitmap' && Array.from(b.masks[0]!)).toEqual([0, 0, 1]);
  });
  it('resizes polygons by scaling vertices', () => {
    const r = resizeMasks({ kind: 'polygon', height: 10, width: 20, polygons: [[Float64Array.from([2, 2, 4, 4, 2, 4])]] }, 20, 10);
    expect(r.kind === 'polygon' && Array.from(r.polygons[0]![0]!)).toEqual([1, 4, 2, 8, 1, 8]);
  });
});
