/**
 * The wasm `Conv2DBackpropInput` kernel (rotated-filter conv at stride 1, GEMM + col2im when
 * strided) against the cpu backend's kernel, called directly through `conv2dTranspose`, over the
 * shapes detectors produce: tiny maps, 1×1/3×3/7×7 filters, strides 1–3, asymmetric pads.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  /** Forward input shape `[N, H, W, Ci]` (the gradient's shape). */
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  stride: [number, number];
  pad: 'same' | 'valid' | ExplicitPad;
}

const pad2 = (t: number, b: number, l: number, r: number): ExplicitPad => [[0, 0], [t, b], [l, r], [0, 0]];

const CASES: Case[] = [
  { name: '3x3 s1 same, 6x6 map, batch 4', x: [4, 6, 6, 16], k: [3, 3], co: 24, stride: [1, 1], pad: 'same' },
  { name: '3x3 s1 same, 3x3 map, batch 4', x: [4, 3, 3, 12], k: [3, 3], co: 8, stride: [1, 1], pad: 'same' },
  { name: '3x3 s1 valid, batch 1', x: [1, 7, 5, 5], k: [3, 3], co: 6, stride: [1, 1], pad: 'valid' },
  { name: '1x1 s1, batch 1', x: [1, 5, 4, 7], k: [1, 1], co: 3, stride: [1, 1], pad: 'valid' },
  { name: '7x7 s1 pad 3', x: [1, 9, 8, 2], k: [7, 7], co: 3, stride: [1, 1], pad: pad2(3, 3, 3, 3) },
  { name: '3x3 s1 asymmetric pads (0,2)(1,0)', x: [2, 6, 7, 3], k: [3, 3], co: 4, stride: [1, 1], pad: pad2(0, 2, 1, 0) },
  { name: '3x3 s2 pad 1, 6x6 map, batch 4', x: [4, 6, 6, 8], k: [3, 3], co: 16, stride: [2, 2], pad: pad2(1, 1, 1, 1) },
  { name: '3x3 s2 pad 1, 3x3 map (odd), batch 4', x: [4, 3, 3, 8], k: [3, 3], co: 5, stride: [2, 2], pad: pad2(1, 1, 1, 1) },
  { name: '3x3 s2 same, odd size, batch 1', x: [1, 9, 7, 4], k: [3, 3], co: 3, stride: [2, 2], pad: 'same' },
  { name: '1x1 s2 (ResNet downsample), batch 4', x: [4, 6, 6, 8], k: [1, 1], co: 16, stride: [2, 2], pad: 'valid' },
  { name: '7x7 s2 pad 3 (ResNet stem), batch 1', x: [1, 15, 16, 3], k: [7, 7], co: 4, stride: [2, 2], pad: pad2(3, 3, 3, 3) },
  { name: '3x3 s3 asymmetric pads', x: [2, 10, 11, 2], k: [3, 3], co: 3, stride: [3, 3], pad: pad2(1, 2, 0, 1) },
  { name: '2x3 strides [2,1]', x: [1, 9, 8, 3], k: [2, 3], co: 2, stride: [2, 1], pad: pad2(1, 1, 1, 1) },
  { name: '3x3 s2 valid, input rows the conv never reads', x: [2, 8, 8, 3], k: [3, 3], co: 4, stride: [2, 2], pad: 'valid' },
];

function data(shape: number[], rng: Rng): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

function outShape(c: Case): [number, number, number, number] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k[0], c.k[1], c.x[3], c.co]) as tf.Tensor4D, c.stride, c.pad).shape);
}

/** dx of `conv2d(x, w)` for the output gradient `dy`, by the `Conv2DBackpropInput` kernel. */
function inputGrad(c: Case, dy: Float32Array, w: Float32Array): tf.Tensor {
  return tf.conv2dTranspose(tf.tensor4d(dy, outShape(c)), tf.tensor4d(w, [c.k[0], c.k[1], c.x[3], c.co]), c.x, c.stride, c.pad);
}

describe('Conv2DBackpropInput on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const c of CASES) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(c.x.reduce((a, b) => a * 17 + b, 3));
      const w = data([c.k[0], c.k[1], c.x[3], c.co], rng);
      const dy = data(outShape(c), rng);
      const [cpu] = await onBackend('cpu', () => inputGrad(c, dy, w));
      const [wasm] = await onBackend('wasm', () => inputGrad(c, dy, w));
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-5);
    });
  }

  it('matches a hand computation: 1x1 s2 puts dy·Wᵀ on the even pixels and zeros elsewhere', () => {
    // x [1,4,4,1], W [1,1,1,2] = [2, 3]; dy [1,2,2,2]: dx[2i,2j] = 2·dy[i,j,0] + 3·dy[i,j,1].
    const dy = [1, 0, 0, 1, 1, 1, -1, 2];
    const dx = tf.tidy(() =>
      tf.conv2dTranspose(tf.tensor4d(dy, [1, 2, 2, 2]), tf.tensor4d([2, 3], [1, 1, 1, 2]), [1, 4, 4, 1], 2, 'valid').dataSync(),
    );
    expect(Array.from(dx)).toEqual([2, 0, 3, 0, 0, 0, 0, 0, 5, 0, 4, 0, 0, 0, 0, 0]);
  });

  it('handles an empty batch (a mask head with no RoIs): the 2x2 s2 deconv and a 3x3 s2 gradient', () => {
    const w = tf.ones([2, 2, 4, 8]) as tf.Tensor4D;
    const y = tf.conv2dTranspose(tf.zeros([0, 7, 7, 8]) as tf.Tensor4D, w, [0, 14, 14, 4], 2, 'valid');
    expect(y.shape).toEqual([0, 14, 14, 4]);
    const dx = tf.conv2dTranspose(tf.zeros([0, 4, 4, 8]) as tf.Tensor4D, tf.ones([3, 3, 4, 8]) as tf.Tensor4D, [0, 8, 8, 4], 2, 'same');
    expect(dx.shape).toEqual([0, 8, 8, 4]);
    tf.dispose([w, y, dx]);
  });

  it('leaks neither tensors nor wasm buffers (stride 1 and 2)', async () => {
    const rng = new Rng(11);
    const w = tf.tensor4d(data([3, 3, 4, 6], rng), [3, 3, 4, 6]);
    const dy1 = tf.tensor4d(data([2, 5, 5, 6], rng), [2, 5, 5, 6]);
    const dy2 = tf.tensor4d(data([2, 3, 3, 6], rng), [2, 3, 3, 6]);
    await expectLeakFree(() => [
      tf.conv2dTranspose(dy1, w, [2, 5, 5, 4], 1, 'same'),
      tf.conv2dTranspose(dy2, w, [2, 5, 5, 4], 2, 'same'),
    ], 50);
    tf.dispose([w, dy1, dy2]);
  });
});
