/**
 * Numeric pads with non-square filters or strides: tfjs 4.22 sizes them wrongly (and corrupts
 * the wasm heap); behind `explicit_pad.ts` they equal the explicit padding on both backends.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../index.js';
import { describeEachBackend } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';
import { explicitPadAttrs } from './explicit_pad.js';

const EXPLICIT1: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];

describe('explicitPadAttrs', () => {
  it('turns a numeric pad into explicit pads and leaves the rest alone', () => {
    expect(explicitPadAttrs({ pad: 2, strides: [1, 1] })).toEqual({ pad: [[0, 0], [2, 2], [2, 2], [0, 0]], strides: [1, 1] });
    const same = { pad: 'same' };
    expect(explicitPadAttrs(same)).toBe(same);
    const ceil = { pad: 1, dimRoundingMode: 'ceil' };
    expect(explicitPadAttrs(ceil)).toBe(ceil);
  });
});

describeEachBackend('numeric pad, non-square filter or stride', () => {
  const rng = new Rng(41);
  const x = Float32Array.from({ length: 9 * 8 * 3 }, () => rng.normal());
  const w = Float32Array.from({ length: 2 * 3 * 3 * 2 }, () => rng.normal());

  it('conv2d: output shape and values equal the explicit padding, gradients too', () => {
    tf.tidy(() => {
      const xt = tf.tensor4d(x, [1, 9, 8, 3]);
      const wt = tf.tensor4d(w, [2, 3, 3, 2]);
      const a = tf.conv2d(xt, wt, [2, 1], 1);
      const b = tf.conv2d(xt, wt, [2, 1], EXPLICIT1);
      expect(a.shape).toEqual([1, 5, 8, 2]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      const ga = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, [2, 1], 1))))([xt, wt]);
      const gb = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, [2, 1], EXPLICIT1))))([xt, wt]);
      ga.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(gb[i]!.dataSync())));
    });
  });

  it('maxPool and avgPool with a 3x2 window', () => {
    tf.tidy(() => {
      const xt = tf.tensor4d(x, [1, 9, 8, 3]);
      for (const pool of [tf.maxPool, tf.avgPool]) {
        const a = pool(xt, [3, 2], 1, 1);
        const b = pool(xt, [3, 2], 1, EXPLICIT1 as never);
        expect(a.shape).toEqual([1, 9, 9, 3]);
        expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      }
    });
  });
});
