/**
 * Parity of the colour and warp kernels with OpenCV on seeded inputs. Reference outputs:
 * `cv2_cases.json` (made by `gen_cv2_cases.py` with OpenCV 4.6 / numpy; see its `tools`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bgr2hsvFloat, bgr2hsvU8, hsv2bgrFloat, hsv2bgrU8 } from './colorspace.js';
import { warpPerspective } from './warp_perspective.js';

interface Cases {
  tools: Record<string, string>;
  hsv: Record<'bgr_u8' | 'bgr2hsv_u8' | 'hsv_u8' | 'hsv2bgr_u8' | 'bgr_f32' | 'bgr2hsv_f32' | 'hsv_f32' | 'hsv2bgr_f32', string>;
  warp: { img_u8: string; img_f32: string; height: number; width: number; cases: Array<{ matrix: number[]; dsize: [number, number]; u8: string; f32: string }> };
}
const cases = JSON.parse(readFileSync(new URL('./cv2_cases.json', import.meta.url), 'utf8')) as Cases;
const u8 = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const f32 = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('HSV conversions vs cv2.cvtColor', () => {
  it('uint8 BGR2HSV is bit-identical', () => {
    expect(Array.from(bgr2hsvU8(u8(cases.hsv.bgr_u8)))).toEqual(Array.from(u8(cases.hsv.bgr2hsv_u8)));
  });
  it('uint8 HSV2BGR within one grey level', () => {
    expect(maxAbsDiff(hsv2bgrU8(u8(cases.hsv.hsv_u8)), u8(cases.hsv.hsv2bgr_u8))).toBeLessThanOrEqual(1);
  });
  it('float32 BGR2HSV (values outside [0, 255] as PhotoMetricDistortion makes them)', () => {
    const ours = bgr2hsvFloat(f32(cases.hsv.bgr_f32));
    const ref = f32(cases.hsv.bgr2hsv_f32);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i]! - ref[i]!)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ref[i]!)));
  });
  it('float32 HSV2BGR (hue outside [0, 360), saturation above 1, negative values)', () => {
    const ours = hsv2bgrFloat(f32(cases.hsv.hsv_f32));
    const ref = f32(cases.hsv.hsv2bgr_f32);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i]! - ref[i]!)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ref[i]!)));
  });
});

describe('warpPerspective vs cv2.warpPerspective (RandomAffine matrices, border 114)', () => {
  const { width, height } = cases.warp;
  cases.warp.cases.forEach((c, k) => {
    it(`case ${k}: uint8 within one grey level, float32 within 1e-3`, () => {
      const [dw, dh] = c.dsize;
      const outU8 = warpPerspective({ data: u8(cases.warp.img_u8), width, height, channels: 3 }, c.matrix, dw, dh, [114, 114, 114]);
      expect(maxAbsDiff(outU8.data, u8(c.u8))).toBeLessThanOrEqual(1);
      const outF = warpPerspective({ data: f32(cases.warp.img_f32), width, height, channels: 3 }, c.matrix, dw, dh, [114, 114, 114]);
      expect(maxAbsDiff(outF.data, f32(c.f32))).toBeLessThanOrEqual(1e-3);
    });
  });
});
