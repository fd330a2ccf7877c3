/**
 * Parity with the originals: `cv2.resize` (what mmcv's `imresize` calls) and pycocotools' polygon
 * rasterisation / RLE decoding, on seeded inputs. Reference outputs: `cv2_pycocotools_cases.json`
 * (OpenCV 5.0.0, pycocotools 2.0.11, numpy; see its `about`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imresize } from './image_ops.js';
import { poly2mask } from './mask_ops.js';
import { Normalize } from './normalize.js';

interface Cases {
  normalize: { w: number; h: number; img: string; out: string; mean: number[]; std: number[] };
  resize: Array<{ w: number; h: number; nw: number; nh: number; img: string; linear_u8: string; linear_f32: string; nearest_u8: string }>;
  polys: Array<{ h: number; w: number; segm: number[][]; counts: string; mask: string }>;
}
const cases = JSON.parse(readFileSync(new URL('./cv2_pycocotools_cases.json', import.meta.url), 'utf8')) as Cases;
const u8 = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const f32 = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe('imresize vs cv2.resize', () => {
  for (const c of cases.resize) {
    it(`${c.w}x${c.h} → ${c.nw}x${c.nh}`, () => {
      const img = { data: u8(c.img), width: c.w, height: c.h, channels: 3 };
      const lin = imresize(img, c.nw, c.nh).data;
      const ref = u8(c.linear_u8);
      let diff = 0;
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs(lin[i]! - ref[i]!)).toBeLessThanOrEqual(1);
        if (lin[i] !== ref[i]) diff++;
      }
      // uint8: OpenCV fixed-point rounding reproduced; ±1 on under 1 % of values (upscales only).
      expect(diff / ref.length).toBeLessThan(0.01);
      if (c.nw < c.w) expect(diff).toBe(0);
      const lf = imresize({ ...img, data: Float32Array.from(img.data) }, c.nw, c.nh).data;
      const rf = f32(c.linear_f32);
      for (let i = 0; i < rf.length; i++) expect(Math.abs(lf[i]! - rf[i]!)).toBeLessThan(1e-3);
      expect(Array.from(imresize(img, c.nw, c.nh, 'nearest').data)).toEqual(Array.from(u8(c.nearest_u8)));
    });
  }
});

describe('Normalize vs mmcv imnormalize_', () => {
  it('is bit-identical', () => {
    const c = cases.normalize;
    const out = new Normalize({ mean: c.mean, std: c.std, to_rgb: true }).apply({ img: { data: u8(c.img), width: c.w, height: c.h, channels: 3 }, img_fields: ['img'] });
    expect(Array.from(out.img!.data)).toEqual(Array.from(f32(c.out)));
  });
});

describe('poly2mask vs pycocotools', () => {
  it('gives the same pixels for polygons (merged) and for the compressed RLE', () => {
    for (const p of cases.polys) {
      const ref = Array.from(u8(p.mask));
      expect(Array.from(poly2mask(p.segm, p.h, p.w))).toEqual(ref);
      expect(Array.from(poly2mask({ size: [p.h, p.w], counts: p.counts }, p.h, p.w))).toEqual(ref);
    }
  });
});
