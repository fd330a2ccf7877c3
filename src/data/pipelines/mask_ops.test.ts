import { describe, expect, it } from 'vitest';
import { flipMasks, poly2mask, polygonToRleCounts, resizeMasks, rleCountsFromString, rleDecode } from './mask_ops.js';

describe('COCO RLE', () => {
  it('decodes compressed counts (5 bits + continuation per value; from the 4th on, deltas to i-2)', () => {
    // counts [1, 2, 1]: '1' (48+1), '2', '1'; [1, 1, 1, 1]: 4th stored as 1 - counts[2] = 0 → '0'
    expect(rleCountsFromString('121')).toEqual([1, 2, 1]);
    expect(rleCountsFromString('1110')).toEqual([1, 1, 1, 1]);
    // 40 = 0b1_01000: low 5 bits 8 | 0x20 continuation → char 48+40='X', then 1 → '1'
    expect(rleCountsFromString('X1')).toEqual([40]);
  });
  it('expands column-major runs into a row-major bitmap', () => {
    // 2x2, column-major [0, 1, 1, 0] → rows: [0, 1], [1, 0]
    expect(Array.from(rleDecode({ size: [2, 2], counts: [1, 2, 1] }))).toEqual([0, 1, 1, 0]);
    expect(Array.from(rleDecode({ size: [2, 2], counts: '121' }))).toEqual([0, 1, 1, 0]);
    expect(Array.from(rleDecode({ size: [2, 2], counts: '1110' }))).toEqual([0, 0, 1, 1]);
  });
});

describe('poly2mask (pycocotools rleFrPoly)', () => {
  it('rasterises a rectangle [1,1]-[4,3] to columns 1..3, rows 1..2 (area w*h)', () => {
    // Hand-walked boundary: y-crossings at (x,y) = (1..3, 1) and (1..3, 3) → counts 6,2,3,2,3,2,7 on 5x5.
    expect(polygonToRleCounts([1, 1, 4, 1, 4, 3, 1, 3], 5, 5)).toEqual([6, 2, 3, 2, 3, 2, 7]);
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
    expect(Array.from(poly2mask({ size: [2, 2], counts: [1, 2, 1] }, 2, 2))).toEqual([0, 1, 1, 0]);
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
