import { describe, expect, it } from 'vitest';
import { rleDecode, rleEncode, rleFrPoly, rleFrString, rleFromObject, toRleObject } from './mask.js';
import { bitmapToRle, cropAndResizePolygons, polygonToBitmap, rleToBitmap } from './mask_structures.js';

/** Rows of a row-major `h × w` mask as strings of 0/1. */
function rows(m: ArrayLike<number>, h: number, w: number): string[] {
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => (m[y * w + x] ? '1' : '0')).join(''));
}

describe('row-major bitmaps ↔ RLE', () => {
  it('bitmapToRle walks columns of a row-major mask (= rleEncode of the transposed mask)', () => {
    // 2x3 row-major [[0,1,1],[1,1,0]] → column-major 0,1, 1,1, 1,0 → runs 1 zero, 4 ones, 1 zero
    const m = Uint8Array.from([0, 1, 1, 1, 1, 0]);
    expect(Array.from(bitmapToRle(m, 2, 3).cnts)).toEqual([1, 4, 1]);
    expect(Array.from(rleEncode(Uint8Array.from([0, 1, 1, 1, 1, 0]), 2, 3).cnts)).toEqual([1, 4, 1]);
    // a mask starting with a one has a leading zero count
    expect(Array.from(bitmapToRle(Uint8Array.from([1, 1]), 1, 2).cnts)).toEqual([0, 2]);
  });
  it('rleToBitmap is rleDecode transposed to row-major, and inverts bitmapToRle', () => {
    const m = Uint8Array.from([0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1]); // 3x4
    const r = bitmapToRle(m, 3, 4);
    expect(Array.from(rleToBitmap(r))).toEqual(Array.from(m));
    const col = rleDecode(r);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expect(col[x * 3 + y]).toBe(m[y * 4 + x]);
    expect(() => rleToBitmap({ h: 2, w: 2, cnts: Uint32Array.from([3, 3]) })).toThrowError(/sum past/);
  });
  it('compressed strings: 5 bits + continuation per value, from the 4th on deltas to i-2', () => {
    // [1, 1, 1, 1]: 4th stored as 1 - counts[2] = 0 → '0'; 40 = 0b1_01000: low 5 bits 8 | 0x20 → 'X', then '1'
    expect(Array.from(rleFrString('1110', 2, 2).cnts)).toEqual([1, 1, 1, 1]);
    expect(Array.from(rleFrString('X1', 40, 1).cnts)).toEqual([40]);
    expect(rows(rleToBitmap(rleFromObject({ size: [2, 2], counts: '1110' })), 2, 2)).toEqual(['00', '11']); // column-major 0,1,0,1
    expect(toRleObject(bitmapToRle(Uint8Array.from([0, 1, 1, 1, 1, 0]), 2, 3))).toEqual({ size: [2, 3], counts: '141' });
  });
});

describe('polygon_to_bitmap (pycocotools frPoly)', () => {
  it('a rectangle [1,1]-[4,3] covers x 1..3, y 1..2: pixel centres inside', () => {
    // hand-walked boundary: y-crossings at (x,y) = (1..3, 1) and (1..3, 3) → counts 6,2,3,2,3,2,7 on 5x5
    expect(Array.from(rleFrPoly([1, 1, 4, 1, 4, 3, 1, 3], 5, 5).cnts)).toEqual([6, 2, 3, 2, 3, 2, 7]);
    expect(rows(polygonToBitmap([[1, 1, 4, 1, 4, 3, 1, 3]], 5, 5), 5, 5)).toEqual(['00000', '01110', '01110', '00000', '00000']);
  });
  it('unites an instance’s polygons; no polygons is an empty mask', () => {
    const m = polygonToBitmap([[0, 0, 1, 0, 1, 1, 0, 1], Float64Array.from([3, 3, 4, 3, 4, 4, 3, 4])], 5, 5);
    expect(rows(m, 5, 5)).toEqual(['10000', '00000', '00000', '00010', '00000']);
    expect(Array.from(polygonToBitmap([], 2, 2))).toEqual([0, 0, 0, 0]);
  });
});

describe('PolygonMasks.crop_and_resize', () => {
  // gt 0: the square [4,4]-[12,12] of a 16x16 image; gt 1: a triangle
  const square = [Float64Array.from([4, 4, 12, 4, 12, 12, 4, 12])];
  const tri = [Float64Array.from([0, 0, 14, 0, 0, 14])];

  it('shifts by the box corner, scales by out / box side, rasterises at out size (hand-computed)', () => {
    const t = cropAndResizePolygons([square, tri], Float32Array.from([0, 0, 16, 16, 2, 2, 10, 10, 4, 4, 12, 12]), [0, 0, 0], 4, 4);
    // box 0..16, scale 1/4: square → [1,1]-[3,3] → pixels 1..2
    expect(rows(t.subarray(0, 16), 4, 4)).toEqual(['0000', '0110', '0110', '0000']);
    // box 2..10, scale 1/2: square → [1,1]-[5,5], clipped by the 4x4 canvas → pixels 1..3
    expect(rows(t.subarray(16, 32), 4, 4)).toEqual(['0000', '0111', '0111', '0111']);
    // the box-aligned RoI: the whole target is foreground
    expect(Array.from(t.subarray(32))).toEqual(new Array(16).fill(1));
  });
  it('uses each box’s own instance (inds) and max(side, 1) for degenerate boxes', () => {
    const t = cropAndResizePolygons([square, tri], Float32Array.from([0, 0, 16, 16, 5, 5, 5, 5]), [1, 0], 4, 4);
    // triangle (0,0),(14,0),(0,14) at scale 1/4 → x + y < 3.5; pixel (i, j) has its centre inside iff i + j + 1 < 3.5
    expect(rows(t.subarray(0, 16), 4, 4)).toEqual(['1110', '1100', '1000', '0000']);
    // zero-size box at (5,5): side 1, scale 4 → square → [-4,-4]-[28,28]: everything
    expect(Array.from(t.subarray(16))).toEqual(new Array(16).fill(1));
  });
});
