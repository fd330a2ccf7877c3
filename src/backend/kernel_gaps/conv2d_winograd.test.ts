/**
 * Winograd F(2×2, 3×3): the tile transforms against a hand-computed tile, the conv and filter
 * gradient on wasm against the cpu backend's kernels, and the `Conv2D` dispatch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { wasmThreadsInUse } from '../wasm_threads.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';
import { geometryOf } from './conv2d_backprop_filter.js';
import { conv2dFilterGradWinograd, conv2dWinograd, winogradApplies } from './conv2d_winograd.js';
import { conv2dFilterGradGemm } from './conv2d_filter_gemm.js';
import { callReplaced, KernelScope } from './utils.js';
import { filterGradTransform, filterTransform, gradTransform, inputTransform, outputTransform, tileGrid } from './winograd_transforms.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function data(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

describe('Winograd tile transforms (one channel pair, one tile)', () => {
  const rng = new Rng(11);
  const d = data(16, rng); // 4×4 input tile
  const w = data(9, rng); // 3×3 filter
  const grid = tileGrid(1, 2, 2);

  it('Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A is the 2×2 correlation of d with g', () => {
    const v = new Float32Array(16);
    const u = new Float32Array(16);
    inputTransform(d, grid, 1, v, 1, false);
    filterTransform(w, 1, u, 1);
    const m = Array.from({ length: 16 }, (_, k) => Float32Array.of(u[k]! * v[k]!));
    const y = new Float32Array(4);
    outputTransform(m, grid, 1, 2, 2, y);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let ref = 0;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) ref += d[(i + a) * 4 + j + b]! * w[a * 3 + b]!;
        expect(y[i * 2 + j]).toBeCloseTo(ref, 5);
      }
    }
  });

  it('Gᵀ[(Bᵀ d B) ⊙ (A dY Aᵀ)]G is the filter gradient Σ d[i+a, j+b]·dY[i, j]', () => {
    const dy = data(4, rng);
    const v = new Float32Array(16);
    const yh = new Float32Array(16);
    inputTransform(d, grid, 1, v, 1, true);
    gradTransform(dy, grid, 1, yh, 1);
    const sums = Array.from({ length: 16 }, (_, k) => Float32Array.of(v[k]! * yh[k]!));
    const dw = new Float32Array(9);
    filterGradTransform(sums, 1, dw);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let ref = 0;
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) ref += d[(i + a) * 4 + j + b]! * dy[i * 2 + j]!;
        expect(dw[a * 3 + b]).toBeCloseTo(ref, 5);
      }
    }
  });
});

interface Case {
  name: string;
  x: [number, number, number, number];
  co: number;
  pad: Pad;
}

/** Small geometries run through the Winograd functions directly (below the dispatch thresholds). */
const CASES: Case[] = [
  { name: 'same, even output', x: [1, 8, 6, 3], co: 4, pad: 'same' },
  { name: 'same, odd output, batch 2', x: [2, 7, 9, 5], co: 3, pad: 'same' },
  { name: 'valid, odd output', x: [2, 8, 7, 4], co: 6, pad: 'valid' },
  { name: 'explicit asymmetric pads', x: [1, 9, 8, 3], co: 2, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { name: '1×1 output', x: [3, 3, 3, 2], co: 5, pad: 'valid' },
];

function convInfo(c: Case) {
  return tf.backend_util.computeConv2DInfo(c.x, [3, 3, c.x[3], c.co], 1, 1, c.pad, undefined, false, 'channelsLast');
}

describe('Winograd conv and filter gradient on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const c of CASES) {
    it(`match the cpu backend's Conv2D and Conv2DBackpropFilter: ${c.name}`, async () => {
      const rng = new Rng(c.x.reduce((a, b) => a * 31 + b, 5));
      const info = convInfo(c);
      const x = data(c.x.reduce((a, b) => a * b, 1), rng);
      const w = data(9 * c.x[3] * c.co, rng);
      const dy = data(c.x[0] * info.outHeight * info.outWidth * c.co, rng);
      const dyShape: [number, number, number, number] = [c.x[0], info.outHeight, info.outWidth, c.co];
      const [yCpu, dwCpu] = await onBackend('cpu', () => [
        tf.conv2d(tf.tensor4d(x, c.x), tf.tensor4d(w, [3, 3, c.x[3], c.co]), 1, c.pad),
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyShape) },
          { strides: [1, 1], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, c.x[3], c.co] } as never) as tf.Tensor,
      ]);
      const [yWasm, dwWasm] = await onBackend('wasm', () => {
        const xt = tf.tensor4d(x, c.x);
        const wt = tf.tensor4d(w, [3, 3, c.x[3], c.co]);
        const dyt = tf.tensor4d(dy, dyShape);
        const s = new KernelScope(tf.backend(), 'wasm');
        try {
          const g = geometryOf(info);
          const y = s.keep(conv2dWinograd(s, xt, wt, g));
          const dw = s.keep(conv2dFilterGradWinograd(s, xt, dyt, g));
          return [tf.engine().makeTensorFromTensorInfo(y), tf.engine().makeTensorFromTensorInfo(dw)];
        } finally {
          s.dispose();
        }
      });
      expect(relativeError(yWasm!, yCpu!)).toBeLessThan(1e-5);
      expect(relativeError(dwWasm!, dwCpu!)).toBeLessThan(1e-5);
    });
  }

  it('serves only 3×3, stride 1, dilation 1, with at least 128 tiles and 128 channels', () => {
    const g = (x: [number, number, number, number], k: number, stride: number, dilation: number, co: number) =>
      winogradApplies(geometryOf(tf.backend_util.computeConv2DInfo(x, [k, k, x[3], co], stride, dilation, 'same', undefined, false, 'channelsLast')), x[0], x[3], co);
    expect(g([1, 32, 32, 128], 3, 1, 1, 128)).toBe(true);
    expect(g([4, 12, 12, 256], 3, 1, 1, 256)).toBe(true); // 144 tiles over the batch
    expect(g([1, 16, 16, 256], 3, 1, 1, 256)).toBe(false); // 64 tiles
    expect(g([1, 64, 64, 64], 3, 1, 1, 256)).toBe(false); // 64 input channels
    expect(g([1, 32, 32, 128], 3, 2, 1, 128)).toBe(false);
    expect(g([1, 32, 32, 128], 3, 1, 2, 128)).toBe(false);
    expect(g([1, 32, 32, 128], 1, 1, 1, 128)).toBe(false);
  });

  it('tf.conv2d and its filter gradient above the thresholds match the direct conv and the GEMM dW, without leaks', () => {
    // Under vitest wasm runs one XNNPACK thread, so the forward takes the Winograd path too. The
    // references are wasm's own conv and the shifted-window GEMM dW, both checked against the cpu
    // backend in conv2d_backprop.test.ts.
    const rng = new Rng(3);
    const xs: [number, number, number, number] = [1, 24, 23, 128];
    const x = tf.tensor4d(data(xs.reduce((a, b) => a * b, 1), rng), xs);
    const w = tf.variable(tf.tensor4d(data(9 * 128 * 128, rng).map((v) => v * 0.05), [3, 3, 128, 128]));
    const dy = tf.tensor4d(data(24 * 23 * 128, rng), [1, 24, 23, 128]);
    const info = tf.backend_util.computeConv2DInfo(xs, [3, 3, 128, 128], 1, 1, 'same', undefined, false, 'channelsLast');
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
    const s = new KernelScope(tf.backend(), 'wasm');
    try {
      const direct = tf.engine().makeTensorFromTensorInfo(s.keep(callReplaced('Conv2D', { inputs: { x, filter: w }, backend: tf.backend(), attrs }) as tf.TensorInfo));
      const dwGemm = tf.engine().makeTensorFromTensorInfo(s.keep(conv2dFilterGradGemm(s, x, dy, geometryOf(info))));
      const y = tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 128, 128] } as never) as tf.Tensor;
      expect(wasmThreadsInUse()).toBe(1);
      expect(winogradApplies(geometryOf(info), 1, 128, 128)).toBe(true);
      // Equal up to rounding, and not bit-identical: another algorithm ran.
      for (const [a, b] of [[y, direct], [dw, dwGemm]] as const) {
        const err = relativeError(a.dataSync(), b.dataSync());
        expect(err).toBeLessThan(1e-5);
        expect(err).toBeGreaterThan(0);
      }
      tf.dispose([direct, dwGemm, y, dw]);
    } finally {
      s.dispose();
    }
    return expectLeakFree(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))) as tf.Scalar, [w]);
      return [value, ...Object.values(grads)];
    }, 5).finally(() => tf.dispose([x, w, dy]));
  });
});
