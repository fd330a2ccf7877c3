import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bbIou,
  frPyObjects,
  rleArea,
  rleDecode,
  rleEncode,
  rleFrBbox,
  rleFrPoly,
  rleFrString,
  rleIou,
  rleMerge,
  rleToBbox,
  rleToString,
  segmToRle,
} from './mask.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Column-major h×w mask with the rectangle x∈[x0,x1), y∈[y0,y1) set. */
function rect(h: number, w: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let x = x0; x < x1; x++) for (let y = y0; y < y1; y++) m[x * h + y] = 1;
  return m;
}

describe('RLE encode/decode (maskApi.c rleEncode/rleDecode)', () => {
  it('encodes column-major runs starting with zeros', () => {
    // 3×2 mask, column-major [0,1,1, 1,0,0] → runs 1 zero, 3 ones, 2 zeros
    const r = rleEncode([0, 1, 1, 1, 0, 0], 3, 2);
    expect(Array.from(r.cnts)).toEqual([1, 3, 2]);
    expect(rleArea(r)).toBe(3);
    expect(Array.from(rleDecode(r))).toEqual([0, 1, 1, 1, 0, 0]);
  });
  it('a mask that starts with a one has a leading zero count', () => {
    expect(Array.from(rleEncode([1, 1, 0, 0], 2, 2).cnts)).toEqual([0, 2, 2]);
  });
  it('decode rejects counts that do not add up to h*w', () => {
    expect(() => rleDecode({ h: 2, w: 2, cnts: Uint32Array.from([1, 1]) })).toThrowError(/expected h\*w = 4/);
  });
});

describe('compressed RLE strings (LEB128-like, rleToString/rleFrString)', () => {
  it('round-trips the pycocotools strings of the golden files', () => {
    const gt = JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/golden/coco/case08_segm/gt.json'), 'utf8')) as {
      annotations: Array<{ segmentation: unknown; area: number; bbox: number[] }>;
    };
    const compressed = gt.annotations.filter((a) => typeof (a.segmentation as { counts?: unknown }).counts === 'string');
    expect(compressed.length).toBeGreaterThan(0);
    for (const a of compressed) {
      const seg = a.segmentation as { size: [number, number]; counts: string };
      const r = rleFrString(seg.counts, seg.size[0], seg.size[1]);
      expect(rleToString(r)).toBe(seg.counts);
      // area and bbox of these annotations were written by pycocotools' area()/toBbox()
      expect(rleArea(r)).toBe(a.area);
      expect(rleToBbox(r)).toEqual(a.bbox);
    }
  });
  it('encodes small counts as single characters, from the fourth on as deltas', () => {
    // counts [1, 3, 2, 5]: chr(48+1), chr(48+3), chr(48+2), then 5 − 3 = 2 → chr(48+2)
    expect(rleToString({ h: 4, w: 3, cnts: Uint32Array.from([1, 3, 2, 5]) })).toBe('1322');
    // a negative delta (5 − 40 = −35) needs the continuation bit: round trip
    const r = { h: 10, w: 10, cnts: Uint32Array.from([40, 10, 5, 45]) };
    expect(Array.from(rleFrString(rleToString(r), 10, 10).cnts)).toEqual([40, 10, 5, 45]);
  });
  it('large counts round trip', () => {
    const r = { h: 4000, w: 3000, cnts: Uint32Array.from([5_000_000, 1_000_000, 6_000_000]) };
    expect(Array.from(rleFrString(rleToString(r), 4000, 3000).cnts)).toEqual([5_000_000, 1_000_000, 6_000_000]);
  });
});

describe('polygons and boxes (rleFrPoly, rleFrBbox)', () => {
  it('an integer box rasterises to exactly its pixels', () => {
    const r = rleFrBbox([10, 5, 7, 4], 30, 20);
    expect(rleArea(r)).toBe(28);
    expect(rleToBbox(r)).toEqual([10, 5, 7, 4]);
    expect(Array.from(rleDecode(r))).toEqual(Array.from(rect(30, 20, 10, 5, 17, 9)));
  });
  it('a polygon square equals the box', () => {
    const r = rleFrPoly([2, 2, 2, 6, 6, 6, 6, 2], 10, 10);
    expect(rleArea(r)).toBe(16);
    expect(rleToBbox(r)).toEqual([2, 2, 4, 4]);
  });
  it('multi-part polygons are merged (annToRLE)', () => {
    const r = segmToRle(
      [
        [0, 0, 0, 2, 2, 2, 2, 0],
        [5, 5, 5, 8, 8, 8, 8, 5],
      ],
      10,
      10,
    );
    expect(rleArea(r)).toBe(4 + 9);
  });
  it('frPyObjects: lists give one RLE per object, single objects one RLE', () => {
    const polys = frPyObjects([[0, 0, 0, 2, 2, 2, 2, 0], [5, 5, 5, 8, 8, 8, 8, 5]], 10, 10) as ReturnType<typeof rleFrPoly>[];
    expect(polys.map(rleArea)).toEqual([4, 9]);
    const boxes = frPyObjects([[0, 0, 2, 2], [1, 1, 3, 3]], 10, 10) as ReturnType<typeof rleFrPoly>[];
    expect(boxes.map(rleArea)).toEqual([4, 9]);
    expect(rleArea(frPyObjects([1, 1, 3, 3], 10, 10) as ReturnType<typeof rleFrPoly>)).toBe(9);
    expect(rleArea(frPyObjects({ size: [2, 2], counts: [1, 2, 1] }, 2, 2) as ReturnType<typeof rleFrPoly>)).toBe(2);
  });
  it('uncompressed RLE takes the image size; unsupported input is rejected', () => {
    const r = segmToRle({ size: [2, 2], counts: [1, 2, 1] }, 2, 2);
    expect(rleArea(r)).toBe(2);
    expect(() => segmToRle('x', 2, 2)).toThrowError(/input type is not supported/);
  });
});

describe('merge, bbox and IoU', () => {
  const a = rleEncode(rect(10, 10, 0, 0, 4, 4), 10, 10);
  const b = rleEncode(rect(10, 10, 2, 2, 6, 6), 10, 10);
  it('union and intersection by pixel counts', () => {
    expect(rleArea(rleMerge([a, b]))).toBe(16 + 16 - 4);
    expect(rleArea(rleMerge([a, b], true))).toBe(4);
    expect(rleArea(rleMerge([a]))).toBe(16);
    expect(rleMerge([a, { h: 5, w: 5, cnts: Uint32Array.from([25]) }]).h).toBe(0);
  });
  it('toBbox takes the full height when a run wraps a column', () => {
    // column-major 3×3 with pixels (y=2, x=0) and (y=0, x=1): one run crossing the column boundary
    const r = rleEncode([0, 0, 1, 1, 0, 0, 0, 0, 0], 3, 3);
    expect(rleToBbox(r)).toEqual([0, 0, 2, 3]);
  });
  it('mask IoU and the crowd rule (intersection over detection area)', () => {
    const out = new Float64Array(1);
    rleIou([a], [b], [0], out);
    expect(out[0]).toBeCloseTo(4 / 28, 15);
    rleIou([a], [b], [1], out);
    expect(out[0]).toBeCloseTo(4 / 16, 15);
    rleIou([a], [{ h: 5, w: 20, cnts: Uint32Array.from([100]) }], [0], out);
    expect(out[0]).toBe(0);
  });
  it('box IoU (bbIou) matches a hand computation, crowd divides by the detection area', () => {
    const out = new Float64Array(2);
    // det [0,0,4,4], gts [2,2,4,4] and crowd [2,2,4,4]: intersection 4
    bbIou([0, 0, 4, 4], [2, 2, 4, 4, 2, 2, 4, 4], 1, 2, [0, 1], out);
    expect(out[0]).toBeCloseTo(4 / 28, 15);
    expect(out[1]).toBeCloseTo(4 / 16, 15);
    bbIou([0, 0, 1, 1], [1, 0, 1, 1], 1, 1, null, out);
    expect(out[0]).toBe(0);
  });
});

describe('parity with pycocotools 2.0.11 on seeded random polygons and boxes (fixtures/)', () => {
  interface Case {
    h: number;
    w: number;
    poly: number[];
    box: number[];
    poly_rle: string;
    box_rle: string;
    poly_area: number;
    poly_bbox: number[];
    union: string;
    intersection: string;
    iou: number;
    iou_crowd: number;
  }
  const cases = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/pycocotools_masks.json'), 'utf8')) as Case[];
  it('frPyObjects, toString, area, toBbox, merge and iou agree bit for bit', () => {
    expect(cases.length).toBe(100);
    for (const [i, c] of cases.entries()) {
      const p = rleFrPoly(c.poly, c.h, c.w);
      const b = rleFrBbox(c.box, c.h, c.w);
      expect(rleToString(p), `case ${i} polygon`).toBe(c.poly_rle);
      expect(rleToString(b), `case ${i} box`).toBe(c.box_rle);
      expect(rleArea(p)).toBe(c.poly_area);
      expect(rleToBbox(p)).toEqual(c.poly_bbox);
      expect(rleToString(rleMerge([p, b]))).toBe(c.union);
      expect(rleToString(rleMerge([p, b], true))).toBe(c.intersection);
      const o = new Float64Array(1);
      rleIou([p], [b], [0], o);
      expect(o[0], `case ${i} iou`).toBe(c.iou);
      rleIou([p], [b], [1], o);
      expect(o[0], `case ${i} crowd iou`).toBe(c.iou_crowd);
    }
  });
});
