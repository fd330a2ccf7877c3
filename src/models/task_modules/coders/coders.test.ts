import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../backend/index.js';
import { DeltaXYWHBBoxCoder } from './delta_xywh_bbox_coder.js';
import { DistancePointBBoxCoder } from './distance_point_bbox_coder.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('DeltaXYWHBBoxCoder', () => {
  it('encodes by hand: dx=(gx-px)/pw, dw=log(gw/pw), normalised by means/stds', () => {
    const c = new DeltaXYWHBBoxCoder({ target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] });
    const p = Float32Array.from([0, 0, 10, 20]);
    const g = Float32Array.from([5, 5, 25, 25]);
    const d = c.encode(p, g);
    // px=5,py=10,pw=10,ph=20; gx=15,gy=15,gw=20,gh=20
    expect(d[0]).toBeCloseTo(1.0 / 0.1, 5);
    expect(d[1]).toBeCloseTo(0.25 / 0.1, 5);
    expect(d[2]).toBeCloseTo(Math.log(2) / 0.2, 5);
    expect(d[3]).toBeCloseTo(0, 5);
    const back = c.decodeArray(p, d);
    expect(Array.from(back)).toEqual([5, 5, 25, 25].map((v) => expect.closeTo(v, 4)));
  });

  it('clamps dw/dh to |log(16/1000)| and clips to max_shape; tensor decode agrees', () => {
    const c = new DeltaXYWHBBoxCoder();
    const p = Float32Array.from([10, 10, 20, 20]);
    const d = Float32Array.from([0, 0, 10, -10]);
    const r = Math.abs(Math.log(16 / 1000));
    const out = c.decodeArray(p, d);
    expect(out[2] - out[0]).toBeCloseTo(10 * Math.exp(r), 3);
    expect(out[3] - out[1]).toBeCloseTo(10 * Math.exp(-r), 4);
    const clipped = c.decodeArray(p, d, [30, 40]);
    expect(clipped[0]).toBe(0);
    expect(clipped[2]).toBe(40);
    const t = c.decode(tf.tensor2d(p, [1, 4]), tf.tensor2d(d, [1, 4]), [30, 40]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(clipped).map((v) => expect.closeTo(v, 3)));
    t.dispose();
  });

  it('add_ctr_clamp limits the centre shift to ctr_clamp pixels', () => {
    const c = new DeltaXYWHBBoxCoder({ add_ctr_clamp: true, ctr_clamp: 32 });
    const out = c.decodeArray(Float32Array.from([0, 0, 100, 100]), Float32Array.from([1, 0, 0, 0]));
    expect((out[0] + out[2]) / 2).toBeCloseTo(50 + 32, 4);
  });
});

describe('DistancePointBBoxCoder', () => {
  it('encodes distances to the sides and decodes back, clamped by max_dis', () => {
    const c = new DistancePointBBoxCoder();
    const pts = Float32Array.from([10, 20]);
    const gt = Float32Array.from([0, 5, 30, 25]);
    expect(Array.from(c.encode(pts, gt))).toEqual([10, 15, 20, 5]);
    expect(Array.from(c.encode(pts, gt, 12))).toEqual([10, 11.9, 11.9, 5].map((v) => expect.closeTo(v, 5)));
    expect(Array.from(c.decodeArray(pts, Float32Array.from([10, 15, 20, 5])))).toEqual([0, 5, 30, 25]);
    const t = c.decode(tf.tensor2d(pts, [1, 2]), tf.tensor2d([10, 15, 20, 5], [1, 4]), [20, 25]);
    expect(Array.from(t.dataSync())).toEqual([0, 5, 25, 20]);
    t.dispose();
  });
});
