import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { FocalLoss } from './focal_loss.js';
import { CrossEntropyLoss } from './cross_entropy_loss.js';
import { L1Loss, SmoothL1Loss } from './smooth_l1_loss.js';
import { GIoULoss, IoULoss } from './iou_loss.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const val = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

describe('FocalLoss', () => {
  it('matches the formula for known logits (label 0 of 2 classes, and background)', () => {
    const logits = tf.tensor2d([[2, -1], [0.5, 0.3]]);
    const labels = tf.tensor1d([0, 2], 'int32');
    // element loss = -[t log p + (1-t) log(1-p)] * (alpha t + (1-alpha)(1-t)) * pt^2, pt = (1-p)t + p(1-t)
    const el = (x: number, t: number): number => {
      const p = sig(x);
      const bce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
      const pt = (1 - p) * t + p * (1 - t);
      return bce * (0.25 * t + 0.75 * (1 - t)) * pt ** 2;
    };
    const sum = el(2, 1) + el(-1, 0) + el(0.5, 0) + el(0.3, 0);
    const fl = new FocalLoss({ gamma: 2, alpha: 0.25, loss_weight: 2 });
    expect(val(fl.forward(logits, labels, { avgFactor: 1 }))).toBeCloseTo((2 * sum) / (1 + 1.1920928955078125e-7), 5);
    expect(val(fl.forward(logits, labels))).toBeCloseTo((2 * sum) / 4, 5);
    logits.dispose();
    labels.dispose();
  });
});

describe('CrossEntropyLoss', () => {
  it('softmax CE averages -log softmax[label] and skips ignore_index', () => {
    const logits = tf.tensor2d([[1, 2, 3], [1, 1, 1], [0, 0, 5]]);
    const labels = tf.tensor1d([2, 0, -100], 'int32');
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const l0 = lse([1, 2, 3]) - 3;
    const l1 = lse([1, 1, 1]) - 1;
    const ce = new CrossEntropyLoss();
    expect(val(ce.forward(logits, labels))).toBeCloseTo((l0 + l1) / 3, 5); // mean over all rows (mmdet default)
    const ce2 = new CrossEntropyLoss({ avg_non_ignore: true });
    expect(val(ce2.forward(logits, labels))).toBeCloseTo((l0 + l1) / 2, 5);
  });
  it('sigmoid CE one-hot expands labels (label == C is background)', () => {
    const logits = tf.tensor2d([[0.5, -0.5], [1, 2]]);
    const labels = tf.tensor1d([1, 2], 'int32');
    const b = (x: number, t: number): number => -(t * Math.log(sig(x)) + (1 - t) * Math.log(1 - sig(x)));
    const expected = (b(0.5, 0) + b(-0.5, 1) + b(1, 0) + b(2, 0)) / 4;
    expect(val(new CrossEntropyLoss({ use_sigmoid: true }).forward(logits, labels))).toBeCloseTo(expected, 5);
  });
});

describe('SmoothL1Loss / L1Loss', () => {
  it('uses 0.5 d^2 / beta below beta and d - 0.5 beta above', () => {
    const p = tf.tensor2d([[0, 0, 0, 0]]);
    const t = tf.tensor2d([[0.05, 0.5, 2, -1]]);
    const beta = 1 / 9;
    const e = (d: number): number => (d < beta ? (0.5 * d * d) / beta : d - 0.5 * beta);
    const sum = e(0.05) + e(0.5) + e(2) + e(1);
    expect(val(new SmoothL1Loss({ beta }).forward(p, t, { avgFactor: 2 }))).toBeCloseTo(sum / 2, 5);
    expect(val(new L1Loss({ loss_weight: 3 }).forward(p, t))).toBeCloseTo((3 * 3.55) / 4, 5);
  });
  it('returns a zero for empty targets', () => {
    expect(val(new L1Loss().forward(tf.zeros([0, 4]), tf.zeros([0, 4])))).toBe(0);
  });
});

describe('IoULoss / GIoULoss', () => {
  it('computes -log IoU and 1 - GIoU for aligned boxes', () => {
    const p = tf.tensor2d([[0, 0, 10, 10]]);
    const t = tf.tensor2d([[5, 0, 15, 10]]);
    // IoU = 50 / 150; enclosing = 150 → GIoU = IoU - (150 - 150)/150
    expect(val(new IoULoss().forward(p, t))).toBeCloseTo(-Math.log(1 / 3), 5);
    const t2 = tf.tensor2d([[20, 0, 30, 10]]);
    // IoU 0, enclosing 300, union 200 → GIoU = -1/3
    expect(val(new GIoULoss().forward(p, t2))).toBeCloseTo(1 + 1 / 3, 5);
  });
  it('gives a zero (keeping the graph) when every weight is 0', () => {
    const p = tf.tensor2d([[0, 0, 10, 10]]);
    const t = tf.tensor2d([[5, 0, 15, 10]]);
    expect(val(new GIoULoss().forward(p, t, { weight: tf.tensor1d([0]) }))).toBe(0);
  });
  it('does not leak tensors', () => {
    const p = tf.tensor2d([[0, 0, 10, 10]]);
    const t = tf.tensor2d([[5, 0, 15, 10]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) new GIoULoss().forward(p, t).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
