import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../backend/index.js';
import type { BitmapMasks, PolygonMasks } from '../../../structures/det_types.js';
import { polygonToBitmap } from '../../../structures/mask_structures.js';
import { Rng } from '../../../utils/rng.js';
import { AssignResult } from '../../task_modules/assigners/assign_result.js';
import { SamplingResult } from '../../task_modules/samplers/sampling_result.js';
import { maskTarget } from './mask_target.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A sampling result whose positives are `boxes` (`[p, 4]`) assigned to gts `gt` (0-based). */
function positives(boxes: number[], gt: number[]): SamplingResult {
  const p = gt.length;
  const assign = new AssignResult(Math.max(...gt) + 1, Int32Array.from(gt, (g) => g + 1), new Float32Array(p).fill(1), new Int32Array(p));
  return new SamplingResult(Int32Array.from({ length: p }, (_, i) => i), new Int32Array(0), Float32Array.from(boxes), new Float32Array((Math.max(...gt) + 1) * 4), assign, new Uint8Array(p));
}

/** Rows of `[m, m]` target `k` as 0/1 strings. */
function rows(t: Float32Array, k: number, m: number): string[] {
  return Array.from({ length: m }, (_, y) => Array.from(t.subarray(k * m * m + y * m, k * m * m + y * m + m), (v) => String(v)).join(''));
}

// a 16x16 image; gt 0 is the square [6,6]-[10,10] (pixels 6..9), gt 1 the square [4,4]-[12,12]
const inner = Float64Array.from([6, 6, 10, 6, 10, 10, 6, 10]);
const outer = Float64Array.from([4, 4, 12, 4, 12, 12, 4, 12]);
const polys: PolygonMasks = { kind: 'polygon', height: 16, width: 16, polygons: [[inner], [outer]] };
const bitmaps: BitmapMasks = { kind: 'bitmap', height: 16, width: 16, masks: [polygonToBitmap([inner], 16, 16), polygonToBitmap([outer], 16, 16)] };

describe('mask_target (mmdet mask_target_single)', () => {
  it('polygons: shifted by the RoI corner, scaled to mask_size, rasterised (hand-computed)', () => {
    // RoI = gt 1's box [4,4,12,12]: gt 1 fills it; gt 0 → [2,2]-[6,6] × 4/8 → [1,1]-[3,3] → pixels 1..2
    // RoI [0,0,16,16] on gt 1: [4,4]-[12,12] × 1/4 → [1,1]-[3,3]
    const t = maskTarget([positives([4, 4, 12, 12, 4, 4, 12, 12, 0, 0, 16, 16], [1, 0, 1])], [polys], 4);
    expect(t.length).toBe(3 * 16);
    expect(rows(t, 0, 4)).toEqual(['1111', '1111', '1111', '1111']);
    expect(rows(t, 1, 4)).toEqual(['0000', '0110', '0110', '0000']);
    expect(rows(t, 2, 4)).toEqual(['0000', '0110', '0110', '0000']);
  });

  it('bitmaps: RoIAlign (aligned) then >= 0.5 gives the same targets on these box-aligned cases', () => {
    // RoI [4,4,12,12] at 4 bins: bin size 2, 2 samples per axis at pixels 4,5 | 6,7 | 8,9 | 10,11
    const t = maskTarget([positives([4, 4, 12, 12, 4, 4, 12, 12, 0, 0, 16, 16], [1, 0, 1])], [bitmaps], 4);
    expect(rows(t, 0, 4)).toEqual(['1111', '1111', '1111', '1111']);
    expect(rows(t, 1, 4)).toEqual(['0000', '0110', '0110', '0000']);
    expect(rows(t, 2, 4)).toEqual(['0000', '0110', '0110', '0000']);
  });

  it('clips RoIs to the mask canvas first (np.clip to [0, w] × [0, h])', () => {
    // [-16, 0, 16, 16] becomes [0, 0, 16, 16]: without the clip the left half of the target would be empty
    for (const masks of [polys, bitmaps]) {
      const t = maskTarget([positives([-16, 0, 16, 16], [1])], [masks], 4);
      expect(rows(t, 0, 4)).toEqual(['0000', '0110', '0110', '0000']);
    }
  });

  it('concatenates images in order; an image without positives adds nothing', () => {
    const empty = new SamplingResult(new Int32Array(0), new Int32Array(0), new Float32Array(0), new Float32Array(0), new AssignResult(0, new Int32Array(0), new Float32Array(0), null), new Uint8Array(0));
    const t = maskTarget([positives([0, 0, 16, 16], [1]), empty, positives([4, 4, 12, 12], [1])], [polys, bitmaps, bitmaps], 4);
    expect(t.length).toBe(2 * 16);
    expect(rows(t, 0, 4)).toEqual(['0000', '0110', '0110', '0000']);
    expect(rows(t, 1, 4)).toEqual(['1111', '1111', '1111', '1111']);
  });

  it('polygon and bitmap targets of the same shape agree except along its edges; no tensors leak', () => {
    // a 12-gon "disc" and an L shape in a 64x64 image, 40 random RoIs around them, 28x28 targets
    const rng = new Rng(5);
    const disc = Float64Array.from({ length: 24 }, (_, k) => (k % 2 === 0 ? 30 + 18 * Math.cos((Math.PI * (k >> 1)) / 6) : 34 + 18 * Math.sin((Math.PI * (k >> 1)) / 6)));
    const ell = Float64Array.from([5.3, 4.1, 20.7, 4.1, 20.7, 12.2, 11.4, 12.2, 11.4, 40.6, 5.3, 40.6]);
    const pm: PolygonMasks = { kind: 'polygon', height: 64, width: 64, polygons: [[disc], [ell]] };
    const bm: BitmapMasks = { kind: 'bitmap', height: 64, width: 64, masks: [polygonToBitmap([disc], 64, 64), polygonToBitmap([ell], 64, 64)] };
    const boxes: number[] = [];
    const gt: number[] = [];
    for (let i = 0; i < 40; i++) {
      const g = i % 2;
      const [cx, cy, s] = g === 0 ? [30, 34, 36] : [13, 22, 30];
      const x1 = cx - s / 2 + rng.uniform(-4, 4);
      const y1 = cy - s / 2 + rng.uniform(-4, 4);
      boxes.push(x1, y1, x1 + s * rng.uniform(0.8, 1.2), y1 + s * rng.uniform(0.8, 1.2));
      gt.push(g);
    }
    const before = tf.memory().numTensors;
    const tp = maskTarget([positives(boxes, gt)], [pm], 28);
    const tb = maskTarget([positives(boxes, gt)], [bm], 28);
    expect(tf.memory().numTensors).toBe(before);
    const m = 28;
    let differ = 0;
    let fg = 0;
    for (let k = 0; k < 40; k++) {
      const o = k * m * m;
      for (let y = 0; y < m; y++) {
        for (let x = 0; x < m; x++) {
          fg += tp[o + y * m + x]!;
          if (tp[o + y * m + x] === tb[o + y * m + x]) continue;
          differ++;
          // a disagreement sits on an edge: within 2 target pixels the polygon target changes value
          let edge = false;
          for (let dy = -2; dy <= 2 && !edge; dy++) {
            for (let dx = -2; dx <= 2 && !edge; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy >= 0 && yy < m && xx >= 0 && xx < m && tp[o + yy * m + xx] !== tp[o + y * m + x]) edge = true;
            }
          }
          expect(edge, `RoI ${k} pixel (${x}, ${y})`).toBe(true);
        }
      }
    }
    expect(fg).toBeGreaterThan(40 * m * m * 0.3);
    expect(differ).toBeLessThan(fg * 0.1);
  });
});
