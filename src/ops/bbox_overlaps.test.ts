import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend, expectLeakFree } from '../testing/backend.js';
import { Rng } from '../utils/rng.js';
import { bboxOverlaps, bboxOverlapsArray } from './bbox_overlaps.js';

const A = [[0, 0, 10, 10], [0, 0, 0, 10]];
const B = [[5, 0, 15, 10], [20, 20, 30, 30]];

it('bboxOverlapsArray: hand-computed iou / iof / giou', () => {
  const a = Float32Array.from(A.flat()), b = Float32Array.from(B.flat());
  // box0 vs box0': overlap 50, union 150; enclosing 15x10 = 150 -> giou = iou
  // box0 vs box1': disjoint; enclosing 30x30 = 900, union 200 -> giou = -(700/900)
  const iou = bboxOverlapsArray(a, b);
  expect(iou[0]).toBeCloseTo(1 / 3, 6);
  expect(iou[1]).toBe(0);
  expect(iou[2]).toBe(0); // zero-area box: union 50 -> 0 / 50
  expect(bboxOverlapsArray(a, b, { mode: 'iof' })[0]).toBeCloseTo(0.5, 6);
  const giou = bboxOverlapsArray(a, b, { mode: 'giou' });
  expect(giou[0]).toBeCloseTo(1 / 3, 6);
  expect(giou[1]).toBeCloseTo(-700 / 900, 6);
  expect(Array.from(bboxOverlapsArray(a, b, { isAligned: true }))).toEqual([Math.fround(50 / 150), 0]);
  // two zero-area boxes: the union is clamped to eps instead of dividing by zero
  expect(bboxOverlapsArray(new Float32Array([1, 1, 1, 1]), new Float32Array([1, 1, 1, 1]))[0]).toBe(0);
});

it('bboxOverlapsArray: coded errors', () => {
  expect(() => bboxOverlapsArray(new Float32Array(5), new Float32Array(4))).toThrow(expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
  expect(() => bboxOverlapsArray(new Float32Array(8), new Float32Array(4), { isAligned: true })).toThrow(
    expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
  expect(() => bboxOverlapsArray(new Float32Array(4), new Float32Array(4), { mode: 'dice' as 'iou' })).toThrow(
    expect.objectContaining({ code: 'OPS_BAD_ARGUMENT' }));
});

describeEachBackend('bboxOverlaps (tensor)', () => {
  it('agrees with the typed-array version on random boxes, every mode', () => {
    const rng = new Rng(11);
    const rand = (n: number): Float32Array => {
      const b = new Float32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const x = rng.uniform(0, 50), y = rng.uniform(0, 50);
        b.set([x, y, x + rng.uniform(0, 30), y + rng.uniform(0, 30)], i * 4);
      }
      return b;
    };
    const a = rand(17), b = rand(13);
    for (const mode of ['iou', 'iof', 'giou'] as const) {
      for (const isAligned of [false, true]) {
        const bb = isAligned ? a : b;
        const t = bboxOverlaps(tf.tensor2d(a, [17, 4]), tf.tensor2d(bb, [bb.length / 4, 4]), { mode, isAligned });
        const ref = bboxOverlapsArray(a, bb, { mode, isAligned });
        const got = t.dataSync();
        expect(got.length).toBe(ref.length);
        ref.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-6));
        tf.dispose(t);
      }
    }
  });

  it('returns empty shapes for empty inputs', () => {
    const e = tf.zeros([0, 4]) as tf.Tensor2D, b = tf.tensor2d(B);
    const r1 = bboxOverlaps(e, b), r2 = bboxOverlaps(b, e, { mode: 'giou' }), r3 = bboxOverlaps(e, e, { isAligned: true });
    expect([r1.shape, r2.shape, r3.shape]).toEqual([[0, 2], [2, 0], [0]]);
    tf.dispose([e, b, r1, r2, r3]);
  });

  it('does not leak tensors across 100 calls (forward and gradient)', async () => {
    const a = tf.tensor2d(A), b = tf.tensor2d(B);
    await expectLeakFree(() => bboxOverlaps(a, b, { mode: 'giou' }));
    await expectLeakFree(() => tf.grad((x: tf.Tensor) => tf.sum(bboxOverlaps(x as tf.Tensor2D, b)))(a));
    tf.dispose([a, b]);
  });
});
