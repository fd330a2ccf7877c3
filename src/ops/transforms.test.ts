import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend, expectLeakFree } from '../testing/backend.js';
import {
  bbox2distance, bbox2result, bbox2roi, bboxCxcywhToXyxy, bboxFlip, bboxRescale, bboxXyxyToCxcywh, clipBoxes,
  distance2bbox,
} from './transforms.js';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

it('bbox2result packs detections per class in input order', () => {
  const dets = new Float32Array([1, 1, 2, 2, 0.9, 3, 3, 4, 4, 0.8, 5, 5, 6, 6, 0.7]);
  const r = bbox2result(dets, new Int32Array([2, 0, 2]), 3);
  expect(r.map((a) => a.length)).toEqual([5, 0, 10]);
  expect(Array.from(r[2]!)).toEqual(Array.from(dets.subarray(0, 5)).concat(Array.from(dets.subarray(10, 15))));
  expect(bbox2result(new Float32Array(0), new Int32Array(0), 2).map((a) => a.length)).toEqual([0, 0]);
  expect(() => bbox2result(dets, new Int32Array([0, 1, 3]), 3)).toThrow(expect.objectContaining({ code: 'OPS_BAD_LABEL' }));
});

describeEachBackend('box transforms', () => {
  it('bboxFlip: horizontal, vertical, diagonal (hand computed, 4k columns)', () => {
    const b = tf.tensor2d([[1, 2, 3, 5, 0, 0, 10, 20]]);
    expect(values(bboxFlip(b, [20, 10]))).toEqual([7, 2, 9, 5, 0, 0, 10, 20]);
    expect(values(bboxFlip(b, [20, 10], 'vertical'))).toEqual([1, 15, 3, 18, 0, 0, 10, 20]);
    expect(values(bboxFlip(b, [20, 10], 'diagonal'))).toEqual([7, 15, 9, 18, 0, 0, 10, 20]);
    expect(() => bboxFlip(tf.zeros([1, 3]), [1, 1])).toThrow(expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
  });

  it('bbox2roi prefixes the image index and drops extra columns', () => {
    const r = bbox2roi([tf.tensor2d([[1, 2, 3, 4, 0.5]]), tf.zeros([0, 4]) as tf.Tensor2D, tf.tensor2d([[5, 6, 7, 8, 0.1], [0, 0, 1, 1, 0.2]])]);
    expect(r.shape).toEqual([3, 5]);
    expect(values(r)).toEqual([0, 1, 2, 3, 4, 2, 5, 6, 7, 8, 2, 0, 0, 1, 1]);
    expect(bbox2roi([]).shape).toEqual([0, 5]);
  });

  it('distance2bbox / bbox2distance invert each other; clamps as mmdet', () => {
    const pts = tf.tensor2d([[5, 5], [1, 9]]);
    const d = tf.tensor2d([[1, 2, 3, 4], [2, 2, 2, 2]]);
    const boxes = distance2bbox(pts, d);
    expect(values(boxes)).toEqual([4, 3, 8, 9, -1, 7, 3, 11]);
    expect(values(bbox2distance(pts, boxes))).toEqual(values(d));
    expect(values(distance2bbox(pts, d, [10, 6]))).toEqual([4, 3, 6, 9, 0, 7, 3, 10]);
    expect(values(bbox2distance(pts, boxes, 3, 0.1))).toEqual([1, 2, 2.9, 2.9, 2, 2, 2, 2].map(Math.fround));
  });

  it('bboxRescale scales about the centre and keeps the RoI index', () => {
    expect(values(bboxRescale(tf.tensor2d([[0, 0, 4, 2]]), 2))).toEqual([-2, -1, 6, 3]);
    expect(values(bboxRescale(tf.tensor2d([[3, 0, 0, 4, 2]]), 0.5))).toEqual([3, 1, 0.5, 3, 1.5]);
  });

  it('cxcywh <-> xyxy round trip and clipBoxes', () => {
    const b = tf.tensor2d([[1, 2, 5, 10]]);
    const c = bboxXyxyToCxcywh(b);
    expect(values(c)).toEqual([3, 6, 4, 8]);
    expect(values(bboxCxcywhToXyxy(c))).toEqual([1, 2, 5, 10]);
    expect(values(clipBoxes(tf.tensor2d([[-1, 2, 50, 70]]), [60, 40]))).toEqual([0, 2, 40, 60]);
  });

  it('does not leak tensors across 100 calls', async () => {
    const b = tf.tensor2d([[1, 2, 5, 10]]);
    const p = tf.tensor2d([[3, 4]]);
    await expectLeakFree(() => [bboxFlip(b, [20, 20]), bboxRescale(b, 2), bboxCxcywhToXyxy(b), bboxXyxyToCxcywh(b),
      clipBoxes(b, [5, 5]), bbox2roi([b as tf.Tensor2D]), distance2bbox(p, b, [5, 5]), bbox2distance(p, b, 4)]);
    tf.dispose([b, p]);
  });
});
