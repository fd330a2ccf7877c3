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

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function data(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

describe('Winograd F(2×2, 3×3) on one tile (hand-computed sums)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('the conv of a 4×4 input is its 2×2 correlation with g, and dW is Σ d[i+a, j+b]·dY[i, j]', () => {
    const rng = new Rng(11);
    const [c, co] = [4, 4];
    const d = data(16 * c, rng); // [1, 4, 4, C]
    const w = data(9 * c * co, rng); // [3, 3, C, Co]
    const dy = data(4 * co, rng); // [1, 2, 2, Co]
    const info = tf.backend_util.computeConv2DInfo([1, 4, 4, c], [3, 3, c, co], 1, 1, 'valid', undefined, false, 'channelsLast');
    const s = new KernelScope(tf.backend(), 'wasm');
    let y: Float32Array;
    let dw: Float32Array;
    try {
      const g = geometryOf(info);
      const x = tf.tensor4d(d, [1, 4, 4, c]);
      const yt = s.keep(conv2dWinograd(s, x, tf.tensor4d(w, [3, 3, c, co]), g));
      const dwt = s.keep(conv2dFilterGradWinograd(s, x, tf.tensor4d(dy, [1, 2, 2, co]), g));
      y = tf.engine().makeTensorFromTensorInfo(yt).dataSync() as Float32Array;
      dw = tf.engine().makeTensorFromTensorInfo(dwt).dataSync() as Float32Array;
    } finally {
      s.dispose();
    }
    for (let o = 0; o < co; o++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          let ref = 0;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let k = 0; k < c; k++) ref += d[((i + a) * 4 + j + b) * c + k]! * w[((a * 3 + b) * c + k) * co + o]!;
          expect(y[(i * 2 + j) * co + o]).toBeCloseTo(ref, 4);
        }
      }
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          for (let k = 0; k < c; k++) {
            let ref = 0;
            for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) ref += d[((i + a) * 4 + j + b) * c + k]! * dy[(i * 2 + j) * co + o]!;
            expect(dw[((a * 3 + b) * c + k) * co + o]).toBeCloseTo(ref, 4);
          }
        }
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
  { name: 'same, even output', x: [1, 8, 6, 4], co: 8, pad: 'same' },
  { name: 'same, odd output, batch 2', x: [2, 7, 9, 8], co: 4, pad: 'same' },
  { name: 'valid, odd output', x: [2, 8, 7, 4], co: 12, pad: 'valid' },
  { name: 'explicit asymmetric pads', x: [1, 9, 8, 12], co: 4, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { name: '1×1 output', x: [3, 3, 3, 4], co: 8, pad: 'valid' },
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

  it('serves 3×3, stride 1, dilation 1, channels ≥ 48 and a multiple of 4; the forward from 128 tiles on one thread', () => {
    const g = (x: [number, number, number, number], k: number, stride: number, dilation: number, co: number, use: 'forward' | 'filter', threads = 1) =>
      winogradApplies(geometryOf(tf.backend_util.computeConv2DInfo(x, [k, k, x[3], co], stride, dilation, 'same', undefined, false, 'channelsLast')), x[0], x[3], co, use, threads);
    expect(g([1, 32, 32, 128], 3, 1, 1, 128, 'forward')).toBe(true);
    expect(g([4, 12, 12, 48], 3, 1, 1, 64, 'forward')).toBe(true); // 144 tiles over the batch
    expect(g([1, 16, 16, 256], 3, 1, 1, 256, 'forward')).toBe(false); // 64 tiles
    expect(g([1, 16, 16, 256], 3, 1, 1, 256, 'filter')).toBe(true);
    expect(g([1, 32, 32, 128], 3, 1, 1, 128, 'forward', 2)).toBe(true);
    expect(g([4, 12, 12, 48], 3, 1, 1, 64, 'forward', 2)).toBe(false); // the transforms do not split across threads
    expect(g([1, 64, 64, 32], 3, 1, 1, 256, 'filter')).toBe(false); // 32 input channels
    expect(g([1, 32, 32, 128], 3, 2, 1, 128, 'filter')).toBe(false);
    expect(g([1, 32, 32, 128], 3, 1, 2, 128, 'filter')).toBe(false);
    expect(g([1, 32, 32, 128], 1, 1, 1, 128, 'filter')).toBe(false);
    expect(g([1, 32, 32, 130], 3, 1, 1, 128, 'filter')).toBe(false);
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
      expect(winogradApplies(geometryOf(info), 1, 128, 128, 'forward')).toBe(true);
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
