import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend, expectLeakFree } from '../testing/backend.js';
import { Rng } from '../utils/rng.js';
import { roiAlign, type RoIAlignOptions } from './roi_align.js';

describeEachBackend('roiAlign', () => {
  it('averages a linear ramp to its value at the bin centre (hand computed)', () => {
    // f(y, x) = x on a 1x4x6x1 map; bilinear sampling of a linear function is exact. aligned: pixel
    // centres at +0.5, so RoI [1, 0, 4, 4] covers x in [0.5, 3.5] (map coords); 3 bins of width 1 ->
    // centres 1, 2, 3.
    const feat = tf.tensor4d(Array.from({ length: 24 }, (_, i) => i % 6), [1, 4, 6, 1]);
    const rois = tf.tensor2d([[0, 1, 0, 4, 4]]);
    const out = roiAlign(feat, rois, { outputSize: [1, 3], samplingRatio: 2, aligned: true });
    const v = out.dataSync();
    [1, 2, 3].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    tf.dispose([feat, rois, out]);
  });

  it('gradient w.r.t. features matches finite differences', () => {
    const rng = new Rng(5);
    const shape: [number, number, number, number] = [2, 5, 6, 2];
    const size = shape.reduce((a, b) => a * b);
    const featVals = Float32Array.from({ length: size }, () => rng.normal());
    const rois = tf.tensor2d([[0, 0.7, 1.2, 9.5, 8.1], [1, -2, 3, 6, 12], [1, 4.2, 0.1, 4.9, 2.2]]);
    const opts: RoIAlignOptions = { outputSize: [2, 3], spatialScale: 0.5, samplingRatio: 0, aligned: true };
    const g = tf.tensor4d(Float32Array.from({ length: 3 * 2 * 3 * 2 }, () => rng.normal()), [3, 2, 3, 2]);
    const loss = (vals: Float32Array): number => tf.tidy(() =>
      tf.sum(tf.mul(roiAlign(tf.tensor4d(vals, shape), rois, opts), g)).dataSync()[0]!);
    const feat = tf.tensor4d(featVals, shape);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(roiAlign(x as tf.Tensor4D, rois, opts), g)))(feat);
    const analytic = grad.dataSync();
    const eps = 1e-2;
    let nonzero = 0;
    for (let i = 0; i < size; i++) {
      const plus = Float32Array.from(featVals), minus = Float32Array.from(featVals);
      plus[i] += eps;
      minus[i] -= eps;
      const numeric = (loss(plus) - loss(minus)) / (2 * eps);
      expect(Math.abs(analytic[i]! - numeric), `element ${i}`).toBeLessThan(2e-3);
      if (Math.abs(numeric) > 1e-3) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(20);
    tf.dispose([rois, g, feat, grad]);
  });

  it('does not leak tensors across 100 calls (forward and gradient)', async () => {
    const feat = tf.randomNormal([1, 8, 8, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const rois = tf.tensor2d([[0, 1, 1, 6, 7], [0, 0, 0, 3, 3]]);
    await expectLeakFree(() => roiAlign(feat, rois, { outputSize: 2 }));
    await expectLeakFree(() => tf.grad((x: tf.Tensor) => tf.sum(roiAlign(x as tf.Tensor4D, rois, { outputSize: 2 })))(feat));
    tf.dispose([feat, rois]);
  });

  it('rejects bad RoIs and options with coded errors', () => {
    const feat = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const bad = (rows: number[][], opts: Partial<RoIAlignOptions> = {}): (() => unknown) => () => {
      const r = tf.tensor2d(rows);
      try {
        return roiAlign(feat, r, { outputSize: 2, ...opts });
      } finally {
        r.dispose();
      }
    };
    expect(bad([[1, 0, 0, 2, 2]])).toThrow(expect.objectContaining({ code: 'OPS_BAD_ROI' }));
    expect(bad([[0, 3, 0, 2, 2]])).toThrow(expect.objectContaining({ code: 'OPS_BAD_ROI' }));
    expect(bad([[0, 0, 0, 2, 2]], { poolMode: 'max' })).toThrow(expect.objectContaining({ code: 'OPS_BAD_ARGUMENT' }));
    expect(bad([[0, 0, 0, 2, 2]], { outputSize: [0, 2] })).toThrow(expect.objectContaining({ code: 'OPS_BAD_ARGUMENT' }));
    expect(bad([[0, 0, 0, 2, 2]], { samplingRatio: 1.5 })).toThrow(expect.objectContaining({ code: 'OPS_BAD_ARGUMENT' }));
    expect(() => roiAlign(feat, tf.zeros([2, 4]) as tf.Tensor2D, { outputSize: 2 })).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
    // not aligned: a reversed RoI is forced to 1x1 instead (mmcv legacy behaviour)
    const out = bad([[0, 3, 0, 2, 2]], { aligned: false })() as tf.Tensor;
    expect(out.shape).toEqual([1, 2, 2, 1]);
    tf.dispose([feat, out]);
  });
});

it('weightedRowSums: the wasm SIMD kernel equals the JS loop', async () => {
  const { weightedRowSums } = await import('./weighted_rows.js');
  const rng = new Rng(9);
  const c = 12, rows = 40, n = 200;
  const src = Float32Array.from({ length: rows * c }, () => rng.normal());
  const entries = {
    dst: Int32Array.from({ length: n }, () => rng.randint(25) * c),
    src: Int32Array.from({ length: n }, () => rng.randint(rows) * c),
    w: Float32Array.from({ length: n }, () => rng.random()),
    n,
  };
  const simd = weightedRowSums(entries, src, 25 * c, c);
  const js = weightedRowSums(entries, src, 25 * c, c, { useWasm: false });
  simd.forEach((v, i) => expect(Math.abs(v - js[i]!)).toBeLessThan(1e-5));
  expect(js.some((v) => v !== 0)).toBe(true);
});
