/**
 * Depthwise conv gradients on wasm (the `DepthwiseConv2dNativeBackprop{Filter,Input}` gap
 * kernels) against the cpu backend's kernels and against finite differences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';
import { dilateFilter } from './conv2d_grad.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  mult: number;
  stride: number;
  pad: Pad;
  dilation?: number;
}

const CASES: Case[] = [
  { name: '3x3 s1 same', x: [2, 8, 7, 3], k: [3, 3], mult: 1, stride: 1, pad: 'same' },
  { name: '3x3 s2 same, multiplier 2', x: [2, 9, 8, 3], k: [3, 3], mult: 2, stride: 2, pad: 'same' },
  { name: '5x5 s2 valid', x: [1, 11, 12, 4], k: [5, 5], mult: 1, stride: 2, pad: 'valid' },
  { name: '3x3 s1 explicit, multiplier 3', x: [1, 6, 7, 2], k: [3, 3], mult: 3, stride: 1, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
];

function data(shape: number[], rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal());
}

function fshape(c: Case): [number, number, number, number] {
  return [c.k[0], c.k[1], c.x[3], c.mult];
}

function forward(c: Case, x: tf.Tensor, w: tf.Tensor): tf.Tensor4D {
  return tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
}

function grads(c: Case, x: Float32Array, w: Float32Array, r: Float32Array): tf.Tensor[] {
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => {
    const y = forward(c, a, b);
    return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
  })([tf.tensor4d(x, c.x), tf.tensor4d(w, fshape(c))]);
}

describe('DepthwiseConv2dNative gradient on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const c of CASES) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(11);
      const x = data(c.x, rng);
      const w = data(fshape(c), rng);
      const r = data(tf.tidy(() => forward(c, tf.zeros(c.x), tf.zeros(fshape(c))).shape), rng);
      const [dxCpu, dwCpu] = await onBackend('cpu', () => grads(c, x, w, r));
      const [dxWasm, dwWasm] = await onBackend('wasm', () => grads(c, x, w, r));
      expect(relativeError(dxWasm!, dxCpu!)).toBeLessThan(1e-4);
      expect(relativeError(dwWasm!, dwCpu!)).toBeLessThan(1e-4);
    });
  }

  it('supports dilation in the kernels (checked against the zero-dilated filter on cpu)', async () => {
    // tfjs' gradient asserts dilation 1 and the cpu backprop kernels ignore dilations, so the
    // reference is the equivalent undilated depthwise conv with a zero-dilated 5x5 filter.
    const rng = new Rng(12);
    const xs: [number, number, number, number] = [1, 9, 10, 3];
    const x = data(xs, rng);
    const w = data([3, 3, 3, 2], rng);
    const dyOf = (xt: tf.Tensor4D, wt: tf.Tensor4D) => tf.depthwiseConv2d(xt, wt, 1, 'same', 'NHWC', 2);
    const [dxRef, dwRef] = await onBackend('cpu', () => {
      const xt = tf.tensor4d(x, xs);
      const wt = tf.tensor4d(w, [3, 3, 3, 2]);
      const dy = dyOf(xt, wt);
      const wd = dilateFilter(wt, 2, 2);
      const attrs = { strides: [1, 1], pad: 'same', dilations: [1, 1] };
      return [
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: wd }, { ...attrs, inputShape: xs } as never) as tf.Tensor,
        tf.stridedSlice(
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy }, { ...attrs, filterShape: [5, 5, 3, 2] } as never) as tf.Tensor,
          [0, 0, 0, 0], [5, 5, 3, 2], [2, 2, 1, 1]),
      ];
    });
    const [dx, dw] = await onBackend('wasm', () => {
      const xt = tf.tensor4d(x, xs);
      const wt = tf.tensor4d(w, [3, 3, 3, 2]);
      const dy = dyOf(xt, wt);
      const attrs = { strides: [1, 1], pad: 'same', dilations: [2, 2] };
      return [
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: wt }, { ...attrs, inputShape: xs } as never) as tf.Tensor,
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy }, { ...attrs, filterShape: [3, 3, 3, 2] } as never) as tf.Tensor,
      ];
    });
    expect(relativeError(dx!, dxRef!)).toBeLessThan(1e-4);
    expect(relativeError(dw!, dwRef!)).toBeLessThan(1e-4);
  });

  it('matches finite differences (3x3 s2, multiplier 2)', () => {
    const c = CASES[1]!;
    const rng = new Rng(13);
    const x = data(c.x, rng);
    const w = data(fshape(c), rng);
    const r = data(tf.tidy(() => forward(c, tf.zeros(c.x), tf.zeros(fshape(c))).shape), rng);
    const loss = (xv: Float32Array, wv: Float32Array) =>
      tf.tidy(() => {
        const y = forward(c, tf.tensor4d(xv, c.x), tf.tensor4d(wv, fshape(c)));
        return tf.sum(tf.mul(y, tf.tensor(r, y.shape))).dataSync()[0]!;
      });
    const [dx, dw] = tf.tidy(() => grads(c, x, w, r).map((t) => t.dataSync()));
    const eps = 0.5;
    for (const [arr, g, isX] of [[x, dx!, true], [w, dw!, false]] as const) {
      let scale = 0;
      for (const v of g) scale = Math.max(scale, Math.abs(v));
      for (let probe = 0; probe < 12; probe++) {
        const i = rng.randint(arr.length);
        const plus = Float32Array.from(arr);
        const minus = Float32Array.from(arr);
        plus[i]! += eps;
        minus[i]! -= eps;
        const fd = isX ? (loss(plus, w) - loss(minus, w)) / (2 * eps) : (loss(x, plus) - loss(x, minus)) / (2 * eps);
        expect(Math.abs(fd - g[i]!) / scale).toBeLessThan(1e-3);
      }
    }
  });

  it('leaks neither tensors nor wasm buffers across 100 calls', async () => {
    const c = CASES[1]!;
    const rng = new Rng(14);
    const x = tf.tensor4d(data(c.x, rng), c.x);
    const w = tf.variable(tf.tensor4d(data(fshape(c), rng), fshape(c)));
    await expectLeakFree(() => {
      const { value, grads: g } = tf.variableGrads(() => tf.sum(tf.square(forward(c, x, w))) as tf.Scalar, [w]);
      return [value, ...Object.values(g)];
    }, 100);
    tf.dispose([x, w]);
  });
});
