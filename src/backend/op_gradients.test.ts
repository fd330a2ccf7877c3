/**
 * Forward values and gradients of the ops detectors use, on wasm against the cpu backend, plus
 * a check that none of them reaches a kernel wasm lacks. Each case computes
 * `sum(f(x) * r)` for a fixed random `r` and its gradient wrt x.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, missingKernels, tf } from './index.js';
import { expectLeakFree, onBackend, relativeError } from '../testing/backend.js';
import { Rng } from '../utils/rng.js';

interface OpCase {
  name: string;
  shape: number[];
  f: (x: tf.Tensor) => tf.Tensor;
  /** Inputs must be kept away from kinks (max/relu ties) so both backends agree. */
  positive?: boolean;
}

const idx = (v: number[]) => tf.tensor1d(v, 'int32');

const CASES: OpCase[] = [
  { name: 'relu', shape: [2, 5, 5, 3], f: (x) => tf.relu(x) },
  { name: 'sigmoid', shape: [40], f: (x) => tf.sigmoid(x) },
  { name: 'softmax', shape: [6, 7], f: (x) => tf.softmax(x) },
  { name: 'logSoftmax', shape: [6, 7], f: (x) => tf.logSoftmax(x) },
  { name: 'log/exp/sqrt/abs', shape: [30], positive: true, f: (x) => tf.addN([tf.log(x), tf.exp(tf.neg(x)), tf.sqrt(x), tf.abs(tf.sub(x, 0.05))]) },
  { name: 'maxPool 3x3 s2 same', shape: [2, 9, 9, 3], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  { name: 'maxPool 2x2 s2 valid', shape: [1, 8, 8, 2], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'maxPool 3x3 s2 pad 1 (ResNet stem), all negative', shape: [1, 8, 8, 2], f: (x) => tf.maxPool(tf.sub(x, 3) as tf.Tensor4D, 3, 2, 1) },
  { name: 'avgPool 3x3 s1 same', shape: [1, 6, 7, 2], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same') },
  { name: 'mean over HW (global pool)', shape: [2, 5, 4, 3], f: (x) => tf.mean(x, [1, 2]) },
  // Square only: the cpu backend's ResizeBilinearGrad swaps H and W of non-square inputs (wasm's
  // is right; the non-square case is checked against finite differences below).
  { name: 'resizeBilinear x2', shape: [1, 6, 6, 2], f: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [12, 12]) },
  { name: 'resizeBilinear align_corners', shape: [1, 5, 5, 2], f: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [9, 9], true) },
  { name: 'resizeNearestNeighbor x2', shape: [1, 5, 6, 2], f: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [10, 12]) },
  { name: 'resizeNearestNeighbor down', shape: [1, 8, 8, 2], f: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [3, 5]) },
  { name: 'gather axis 0 (repeats)', shape: [6, 4], f: (x) => tf.gather(x, idx([5, 0, 5, 2, 2, 2]), 0) },
  { name: 'gatherND', shape: [4, 5, 3], f: (x) => tf.gatherND(x, tf.tensor2d([[0, 1], [3, 4], [0, 1]], [3, 2], 'int32')) },
  { name: 'concat/slice/pad/transpose', shape: [2, 4, 5, 3], f: (x) => tf.transpose(tf.pad(tf.concat([tf.slice(x, [0, 1, 0, 0], [2, 2, 5, 3]), x], 1), [[0, 0], [1, 2], [0, 1], [0, 0]]), [0, 3, 1, 2]) },
  { name: 'stridedSlice', shape: [3, 10, 4], f: (x) => tf.stridedSlice(x, [0, 1, 0], [3, 9, 4], [1, 2, 1]) },
  { name: 'stridedSlice negative stride, masks', shape: [3, 10, 4], f: (x) => tf.stridedSlice(x, [0, 8, 1], [0, 1, 3], [1, -3, 1], 1, 0, 0, 0, 0) },
  // Shrink with unit strides only: the cpu backend throws when shrinkAxisMask meets another
  // stride > 1 (wasm's replacement kernel is checked by hand in strided_slice.test.ts).
  { name: 'stridedSlice shrink axis', shape: [3, 10, 4], f: (x) => tf.stridedSlice(x, [1, 2, 1], [2, 8, 3], [1, 1, 1], 0, 0, 0, 0, 1) },
  { name: 'mirrorPad reflect', shape: [1, 5, 5, 2], f: (x) => tf.mirrorPad(x, [[0, 0], [2, 2], [1, 1], [0, 0]], 'reflect') },
  { name: 'tile', shape: [2, 3], f: (x) => tf.tile(x, [3, 2]) },
  { name: 'where', shape: [20], f: (x) => tf.where(tf.greater(x, 0), tf.mul(x, 2), tf.square(x)) },
  { name: 'cumsum', shape: [4, 6], f: (x) => tf.cumsum(x, 1) },
  { name: 'maximum/minimum/clip', shape: [25], f: (x) => tf.add(tf.maximum(x, 0.3), tf.add(tf.minimum(x, -0.2), tf.clipByValue(x, -0.5, 0.5))) },
  { name: 'batch norm (train statistics)', shape: [2, 4, 4, 3], f: (x) => { const m = tf.moments(x, [0, 1, 2]); return tf.batchNorm(x, m.mean, m.variance, tf.tensor1d([0.5, 1, 2]), tf.tensor1d([1, 2, 3]), 1e-5); } },
  { name: 'group norm (2 groups)', shape: [2, 3, 3, 4], f: (x) => { const g = tf.reshape(x, [2, 3, 3, 2, 2]); const m = tf.moments(g, [1, 2, 4], true); return tf.reshape(tf.div(tf.sub(g, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), [2, 3, 3, 4]); } },
  { name: 'matMul (fc)', shape: [5, 8], f: (x) => tf.matMul(x, tf.reshape(tf.range(0, 24), [8, 3]).div(10)) },
  { name: 'fused conv2d bias+relu', shape: [1, 6, 6, 3], f: (x) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: tf.reshape(tf.range(0, 54), [3, 3, 3, 2]).div(50) as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.tensor1d([0.1, -0.1]), activation: 'relu' }) },
  { name: 'smooth L1 / focal-style loss', shape: [30], f: (x) => { const p = tf.sigmoid(x); const d = tf.abs(tf.sub(x, 0.2)); return tf.add(tf.mul(tf.pow(tf.sub(1, p), 2), tf.log(tf.add(p, 1e-6))), tf.where(tf.less(d, 1), tf.mul(0.5, tf.square(d)), tf.sub(d, 0.5))); } },
];

function input(c: OpCase, seed: number): Float32Array {
  const rng = new Rng(seed);
  const n = c.shape.reduce((a, b) => a * b, 1);
  // Distinct values (no ties for max/relu), away from 0 for the positive-only ops.
  return Float32Array.from({ length: n }, () => (c.positive === true ? 0.1 + rng.random() * 2 : rng.uniform(-2, 2)));
}

function valueAndGrad(c: OpCase, x: Float32Array): tf.Tensor[] {
  const xt = tf.tensor(x, c.shape);
  const y = c.f(xt);
  const r = tf.reshape(tf.sin(tf.range(0, y.size)), y.shape);
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(c.f(a), r)))(xt);
  return [y, g];
}

describe('op values and gradients on wasm match the cpu backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const x = input(c, 100 + i);
      const [yCpu, gCpu] = await onBackend('cpu', () => valueAndGrad(c, x));
      const [yWasm, gWasm] = await onBackend('wasm', () => valueAndGrad(c, x));
      expect(relativeError(yWasm!, yCpu!)).toBeLessThan(1e-4);
      expect(relativeError(gWasm!, gCpu!)).toBeLessThan(1e-4);
    });
  });

  it('resizeBilinear gradient of a non-square image matches finite differences', () => {
    // Bilinear resize is linear in the image, so a central difference is exact up to rounding.
    const rng = new Rng(9);
    const x = Float32Array.from({ length: 5 * 7 * 2 }, () => rng.normal());
    const r = tf.tensor(Float32Array.from({ length: 9 * 16 * 2 }, () => rng.normal()), [1, 9, 16, 2]);
    const loss = (v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(v as tf.Tensor4D, [9, 16]), r));
    const g = tf.tidy(() => tf.grad(loss)(tf.tensor(x, [1, 5, 7, 2])).dataSync());
    for (let i = 0; i < x.length; i += 3) {
      const p = Float32Array.from(x);
      const m = Float32Array.from(x);
      p[i]! += 0.5;
      m[i]! -= 0.5;
      const fd = tf.tidy(() => (loss(tf.tensor(p, [1, 5, 7, 2])).dataSync()[0]! - loss(tf.tensor(m, [1, 5, 7, 2])).dataSync()[0]!) / 1);
      expect(Math.abs(fd - g[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(g[i]!)));
    }
    r.dispose();
  });

  it('none of these forward or backward passes needs a kernel wasm lacks', async () => {
    await initBackend('wasm');
    const missing = await missingKernels(() => CASES.map((c, i) => valueAndGrad(c, input(c, 100 + i))));
    expect(missing).toEqual([]);
  });

  it('gradients through the gap kernels and gradients leak nothing across 100 calls', async () => {
    await initBackend('wasm');
    const x = tf.variable(tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 1));
    await expectLeakFree(() => {
      const { value, grads } = tf.variableGrads(() => {
        const p = tf.maxPool(x as tf.Tensor4D, 3, 2, 1);
        const g = tf.gather(tf.reshape(p, [16, 2]), tf.tensor1d([0, 3, 3, 15], 'int32'));
        const n = tf.gatherND(p, tf.tensor2d([[0, 1, 1], [0, 2, 3]], [2, 3], 'int32'));
        const s = tf.stridedSlice(x, [0, 1, 0, 0], [1, 8, 8, 2], [1, 2, -1, 1], 0, 0, 0, 0, 0);
        const l = tf.where(tf.less(tf.abs(g), 1), tf.square(g), tf.abs(g));
        return tf.addN([tf.sum(l), tf.sum(n), tf.mean(s)]) as tf.Scalar;
      }, [x]);
      return [value, ...Object.values(grads)];
    }, 100);
    x.dispose();
  });

  it('forward-only detector ops run on wasm and match cpu (topk, argmax, nms)', async () => {
    const rng = new Rng(7);
    const x = Float32Array.from({ length: 200 }, () => rng.random());
    const boxes = Float32Array.from({ length: 40 * 4 }, (_, i) => (i % 4 < 2 ? 0 : 5) + rng.random() * 10);
    const run = () => {
      const t = tf.tensor1d(x);
      const { values, indices } = tf.topk(t, 10);
      const b = tf.tensor2d(boxes, [40, 4]);
      return [values, indices.toFloat(), tf.argMax(tf.reshape(t, [20, 10]), 1).toFloat(), tf.image.nonMaxSuppression(b, tf.slice(t, 0, 40), 10, 0.5).toFloat()];
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    cpu.forEach((c, i) => expect(Array.from(wasm[i]!)).toEqual(Array.from(c)));
  });
});
