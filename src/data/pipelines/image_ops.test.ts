import { describe, expect, it } from 'vitest';
import { imflip, impad, impadToMultiple, imresize, rescaleSize } from './image_ops.js';
import type { Image } from './types.js';

const u8 = (w: number, h: number, c: number, v: number[]): Image => ({ data: Uint8Array.from(v), width: w, height: h, channels: c });
const f32 = (w: number, h: number, c: number, v: number[]): Image => ({ data: Float32Array.from(v), width: w, height: h, channels: c });

describe('rescaleSize (mmcv rescale_size)', () => {
  it('fits (1333, 800) with int(x*f + 0.5)', () => {
    // f = min(1333/500, 800/375) = 2.1333..; w = int(1066.67 + .5) = 1067, h = int(800 + .5) = 800
    const [w, h, f] = rescaleSize(500, 375, [1333, 800]);
    expect([w, h]).toEqual([1067, 800]);
    expect(f).toBeCloseTo(800 / 375, 12);
  });
  it('takes the long edge limit for portrait images, in either order', () => {
    // 375x500 portrait: f = min(1333/500, 800/375) = 2.1333 → (800, 1067)
    expect(rescaleSize(375, 500, [800, 1333]).slice(0, 2)).toEqual([800, 1067]);
  });
  it('a scalar factor rounds half up', () => {
    expect(rescaleSize(5, 3, 0.5).slice(0, 2)).toEqual([3, 2]); // int(2.5+.5)=3, int(1.5+.5)=2
  });
});

describe('imresize (cv2 INTER_LINEAR)', () => {
  it('float upsampling uses half-pixel centres and clamps at the edges', () => {
    // src x = (dx+.5)*0.5-.5 → -0.25(clamp 0), 0.25, 0.75, 1.25(clamp 1)
    const out = imresize(f32(2, 1, 1, [0, 100]), 4, 1);
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100]);
  });
  it('uint8 uses 11-bit fixed-point weights (cv2 gives 0,25,75,100 here too)', () => {
    expect(Array.from(imresize(u8(2, 1, 1, [0, 100]), 4, 1).data)).toEqual([0, 25, 75, 100]);
  });
  it('exact 2x downscale averages 2x2 blocks (cv2 switches to INTER_AREA)', () => {
    const out = imresize(u8(4, 2, 1, [0, 10, 20, 30, 1, 11, 21, 31]), 2, 1);
    // (0+10+1+11+2)>>2 = 6, (20+30+21+31+2)>>2 = 26
    expect(Array.from(out.data)).toEqual([6, 26]);
  });
  it('keeps channels interleaved', () => {
    const out = imresize(f32(2, 1, 2, [0, 200, 100, 0]), 4, 1);
    expect(Array.from(out.data)).toEqual([0, 200, 25, 150, 75, 50, 100, 0]);
  });
  it('nearest picks floor(dx * src/dst)', () => {
    expect(Array.from(imresize(u8(3, 1, 1, [1, 2, 3]), 2, 1, 'nearest').data)).toEqual([1, 2]);
    expect(Array.from(imresize(u8(2, 1, 1, [1, 2]), 4, 1, 'nearest').data)).toEqual([1, 1, 2, 2]);
  });
});

describe('imflip / impad', () => {
  const img = u8(3, 2, 1, [1, 2, 3, 4, 5, 6]);
  it('flips horizontally, vertically and diagonally', () => {
    expect(Array.from(imflip(img, 'horizontal').data)).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(imflip(img, 'vertical').data)).toEqual([4, 5, 6, 1, 2, 3]);
    expect(Array.from(imflip(img, 'diagonal').data)).toEqual([6, 5, 4, 3, 2, 1]);
    const rgb = u8(2, 1, 3, [1, 2, 3, 4, 5, 6]);
    expect(Array.from(imflip(rgb, 'horizontal').data)).toEqual([4, 5, 6, 1, 2, 3]);
  });
  it('pads at the bottom/right with pad_val', () => {
    const p = impad(img, 3, 4, 9);
    expect(Array.from(p.data)).toEqual([1, 2, 3, 9, 4, 5, 6, 9, 9, 9, 9, 9]);
    expect(() => impad(img, 1, 4)).toThrow(/smaller/);
  });
  it('pads to a multiple of the divisor', () => {
    const p = impadToMultiple(u8(33, 50, 1, new Array(33 * 50).fill(1)), 32);
    expect([p.height, p.width]).toEqual([64, 64]);
  });
});
