import { describe, expect, it } from 'vitest';
import { imshowDetBboxes } from './visualization.js';

describe('imshowDetBboxes', () => {
  const black = () => ({ data: new Uint8Array(40 * 30 * 3), width: 40, height: 30, channels: 3 });
  const px = (img: { data: Uint8Array | Float32Array; width: number }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
  it('draws the box outline in the class colour (BGR in, BGR out) and leaves the inside', () => {
    const out = imshowDetBboxes(black(), [10, 12, 30, 25], [0], { palette: [[255, 0, 0]], fontSize: 6 });
    expect(px(out, 20, 25)).toEqual([0, 0, 255]); // bottom edge, red in BGR
    expect(px(out, 20, 18)).toEqual([0, 0, 0]); // inside untouched
    expect(px(out, 2, 2)).toEqual([0, 0, 0]);
  });
  it('filters by score and blends bitmap masks', () => {
    const mask = new Uint8Array(40 * 30);
    mask[25 * 40 + 5] = 1;
    const out = imshowDetBboxes(black(), [10, 12, 30, 25, 0.2, 1, 20, 8, 28, 0.9], [0, 1], { scoreThr: 0.5, masks: [mask, mask], palette: [[255, 0, 0], [0, 200, 0]], channelOrder: 'rgb', fontSize: 6 });
    expect(px(out, 20, 25)).toEqual([0, 0, 0]); // low-score box skipped
    expect(px(out, 5, 25)).toEqual([0, 100, 0]); // mask of the kept box at 50 %
    expect(() => imshowDetBboxes(black(), [1, 2, 3], [0])).toThrow(/bboxes/);
  });
});
