import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { Rng } from '../utils/rng.js';
import { batchedNms } from './batched_nms.js';
import { nms } from './nms.js';

/** Straightforward O(N^2) NMS written from the torchvision kernel (the reference for the grid path). */
function referenceNms(boxes: Float32Array, scores: Float32Array, thr: number, offset = 0): number[] {
  const f = Math.fround;
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const area = (i: number): number => f(f(boxes[i * 4 + 2]! - boxes[i * 4]! + offset) * f(boxes[i * 4 + 3]! - boxes[i * 4 + 1]! + offset));
  const sup = new Array<boolean>(n).fill(false);
  const keep: number[] = [];
  for (let a = 0; a < n; a++) {
    if (sup[a]) continue;
    const i = order[a]!;
    keep.push(i);
    for (let b = a + 1; b < n; b++) {
      const j = order[b]!;
      const w = Math.max(0, f(f(Math.min(boxes[i * 4 + 2]!, boxes[j * 4 + 2]!) - Math.max(boxes[i * 4]!, boxes[j * 4]!)) + offset));
      const h = Math.max(0, f(f(Math.min(boxes[i * 4 + 3]!, boxes[j * 4 + 3]!) - Math.max(boxes[i * 4 + 1]!, boxes[j * 4 + 1]!)) + offset));
      const inter = f(w * h);
      if (f(inter / f(f(area(i) + area(j)) - inter)) > thr) sup[b] = true;
    }
  }
  return keep;
}

function randomBoxes(rng: Rng, n: number, size: number, maxWh: number): Float32Array {
  const b = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x = rng.uniform(0, size), y = rng.uniform(0, size);
    b.set([x, y, x + rng.uniform(0, maxWh), y + rng.uniform(0, maxWh)], i * 4);
  }
  return b;
}

describe('nms', () => {
  it('keeps the best of two overlapping boxes and a disjoint one (hand computed)', () => {
    // IoU(box0, box1) = 81 / 100 > 0.5
    const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 10, 10, 20, 20, 30, 30]);
    expect(Array.from(nms(boxes, new Float32Array([0.8, 0.9, 0.7]), 0.5))).toEqual([1, 2]);
    // IoU 81/100 equals the threshold 0.81 in float32 (mmcv's float threshold): not suppressed
    expect(Array.from(nms(boxes, new Float32Array([0.8, 0.9, 0.7]), 0.81))).toEqual([1, 0, 2]);
    // strict >: IoU exactly 0.5 (50 / 100) is kept at threshold 0.5
    const half = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5]);
    expect(Array.from(nms(half, new Float32Array([0.9, 0.8]), 0.5))).toEqual([0, 1]);
    expect(Array.from(nms(half, new Float32Array([0.9, 0.8]), 0.49))).toEqual([0]);
  });

  it('uses +1 widths with offset 1 (IoU of [0,0,1,1] and [1,1,2,2] is 1/7)', () => {
    const boxes = new Float32Array([0, 0, 1, 1, 1, 1, 2, 2]);
    const s = new Float32Array([0.9, 0.8]);
    expect(Array.from(nms(boxes, s, 0.1))).toEqual([0, 1]);
    expect(Array.from(nms(boxes, s, 0.1, { offset: 1 }))).toEqual([0]);
    expect(Array.from(nms(boxes, s, 0.15, { offset: 1 }))).toEqual([0, 1]);
  });

  it('applies score_threshold and max_num as mmcv does', () => {
    const boxes = new Float32Array([0, 0, 1, 1, 5, 5, 6, 6, 10, 10, 11, 11]);
    const s = new Float32Array([0.2, 0.9, 0.5]);
    expect(Array.from(nms(boxes, s, 0.5, { scoreThreshold: 0.3 }))).toEqual([1, 2]);
    expect(Array.from(nms(boxes, s, 0.5, { maxNum: 2 }))).toEqual([1, 2]);
  });

  it('accepts tensors', async () => {
    await initBackend('cpu');
    const b = tf.tensor2d([[0, 0, 10, 10], [1, 1, 10, 10]]);
    const s = tf.tensor1d([0.1, 0.2]);
    expect(Array.from(nms(b, s, 0.5))).toEqual([1]);
    tf.dispose([b, s]);
  });

  it('grid path equals the O(N^2) kernel on random, clustered, tied, degenerate and huge boxes', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 30; trial++) {
      const n = 65 + rng.randint(400);
      const boxes = randomBoxes(rng, n, trial % 3 === 0 ? 20 : 300, trial % 2 === 0 ? 40 : 150);
      for (let i = 0; i < n; i += 7) boxes[i * 4 + 2] = boxes[i * 4]!; // zero width
      for (let i = 3; i < n; i += 11) boxes.set([boxes[i * 4 + 2]!, boxes[i * 4 + 3]!, boxes[i * 4]!, boxes[i * 4 + 1]!], i * 4); // reversed
      if (trial % 5 === 0) boxes.set([-1000, -1000, 5000, 5000], 0); // one huge box
      const scores = new Float32Array(n);
      for (let i = 0; i < n; i++) scores[i] = trial % 4 === 0 ? rng.randint(3) / 3 : rng.random();
      const thr = [0, 0.3, 0.5, 0.7, 0.95][trial % 5]!;
      const offset = trial % 6 === 0 ? 1 : 0;
      expect(Array.from(nms(boxes, scores, thr, { offset })), `trial ${trial}`).toEqual(referenceNms(boxes, scores, thr, offset));
    }
  });

  it('rejects mismatched shapes and bad offsets with coded errors', () => {
    expect(() => nms(new Float32Array(8), new Float32Array(3), 0.5)).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
    expect(() => nms(new Float32Array(4), new Float32Array(1), 0.5, { offset: 2 as 0 })).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_ARGUMENT' }));
  });
});

describe('batchedNms', () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 10, 10, 0, 0, 10, 10]);
  const scores = new Float32Array([0.9, 0.8, 0.7]);
  const idxs = new Int32Array([0, 0, 1]);

  it('suppresses only within a group unless class agnostic', () => {
    expect(Array.from(batchedNms(boxes, scores, idxs, { iou_threshold: 0.5 }).keep)).toEqual([0, 2]);
    expect(Array.from(batchedNms(boxes, scores, idxs, { iou_threshold: 0.5, class_agnostic: true }).keep)).toEqual([0]);
    expect(Array.from(batchedNms(boxes, scores, idxs, { iou_threshold: 0.5 }, true).keep)).toEqual([0]);
  });

  it('returns dets in original coordinates with the score column', () => {
    const { dets } = batchedNms(boxes, scores, idxs, { iou_threshold: 0.5 });
    expect(Array.from(dets)).toEqual([0, 0, 10, 10, Math.fround(0.9), 0, 0, 10, 10, Math.fround(0.7)]);
  });

  it('per-group loop (split_thr) gives the same result as the offset trick', () => {
    const rng = new Rng(3);
    const n = 300;
    const b = randomBoxes(rng, n, 100, 40);
    const s = Float32Array.from({ length: n }, () => rng.random());
    const ids = Int32Array.from({ length: n }, () => rng.randint(4));
    const a = batchedNms(b, s, ids, { iou_threshold: 0.5 });
    const l = batchedNms(b, s, ids, { iou_threshold: 0.5, split_thr: 10 });
    expect(Array.from(l.keep)).toEqual(Array.from(a.keep));
    expect(batchedNms(b, s, ids, { iou_threshold: 0.5, split_thr: 10, max_num: 5 }).keep.length).toBe(5);
  });

  it('with nms_cfg null only sorts by score; legacy iou_thr is accepted', () => {
    expect(Array.from(batchedNms(boxes, new Float32Array([0.1, 0.3, 0.2]), idxs, null).keep)).toEqual([1, 2, 0]);
    expect(Array.from(batchedNms(boxes, scores, idxs, { iou_thr: 0.5 }).keep)).toEqual([0, 2]);
  });

  it('handles empty input', () => {
    const r = batchedNms(new Float32Array(0), new Float32Array(0), new Int32Array(0), { iou_threshold: 0.5 });
    expect(r.keep.length).toBe(0);
    expect(r.dets.length).toBe(0);
  });

  it('rejects unknown keys, unsupported types and a missing threshold with coded errors', () => {
    expect(() => batchedNms(boxes, scores, idxs, { iou_threshold: 0.5, foo: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'OPS_NMS_CFG_UNKNOWN_KEY' }));
    expect(() => batchedNms(boxes, scores, idxs, { type: 'nms_match' as 'nms', iou_threshold: 0.5 })).toThrow(
      expect.objectContaining({ code: 'OPS_NMS_TYPE_UNSUPPORTED' }));
    expect(() => batchedNms(boxes, scores, idxs, { type: 'nms', iou_threshold: 0.5, sigma: 0.5 })).toThrow(
      expect.objectContaining({ code: 'OPS_NMS_CFG_UNKNOWN_KEY' }));
    expect(() => batchedNms(boxes, scores, idxs, {})).toThrow(expect.objectContaining({ code: 'OPS_NMS_CFG_MISSING_KEY' }));
    expect(() => batchedNms(boxes, scores, new Int32Array(2), { iou_threshold: 0.5 })).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
  });
});
