import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend, expectLeakFree } from '../testing/backend.js';
import { sigmoidFocalLoss } from './focal_loss.js';

describeEachBackend('sigmoidFocalLoss', () => {
  it('matches the formula on hand-computed elements', () => {
    // logits 0 -> p = 0.5. Positive: 0.25 * 0.5^2 * ln 2; negative: 0.75 * 0.5^2 * ln 2.
    const pred = tf.tensor2d([[0, 0]]);
    const labels = tf.tensor1d([1], 'int32');
    const loss = sigmoidFocalLoss(pred, labels, { reduction: 'none' });
    const v = loss.dataSync();
    expect(v[0]).toBeCloseTo(0.75 * 0.25 * Math.LN2, 6);
    expect(v[1]).toBeCloseTo(0.25 * 0.25 * Math.LN2, 6);
    // a large confident correct logit gives (almost) no loss; a confident wrong one a large loss
    const x = tf.tensor2d([[20, -20]]);
    const l2 = sigmoidFocalLoss(x, tf.tensor1d([0], 'int32'), { reduction: 'sum' });
    expect(l2.dataSync()[0]).toBeLessThan(1e-8);
    const l3 = sigmoidFocalLoss(x, tf.tensor1d([1], 'int32'), { reduction: 'none' });
    expect(l3.dataSync()[0]).toBeCloseTo(0.75 * 20, 3);
    tf.dispose([pred, labels, loss, x, l2, l3]);
  });

  it('divides by avg_factor + eps for mean, and rejects avg_factor with sum', () => {
    const pred = tf.tensor2d([[0, 0]]);
    const labels = tf.tensor1d([2], 'int32'); // background: both negative
    const sum = sigmoidFocalLoss(pred, labels, { reduction: 'sum' });
    const avg = sigmoidFocalLoss(pred, labels, { avgFactor: 4 });
    expect(avg.dataSync()[0]).toBeCloseTo(sum.dataSync()[0]! / 4, 7);
    expect(() => sigmoidFocalLoss(pred, labels, { reduction: 'sum', avgFactor: 4 })).toThrow(
      'avg_factor can not be used with reduction="sum"');
    expect(() => sigmoidFocalLoss(pred, tf.tensor1d([0, 1], 'int32'))).toThrow(expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
    tf.dispose([pred, labels, sum, avg]);
  });

  it('does not leak tensors across 100 calls (loss and gradient)', async () => {
    const pred = tf.tensor2d([[0.3, -1], [2, 0.5]]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const w = tf.tensor1d([1, 0.5]);
    await expectLeakFree(() => sigmoidFocalLoss(pred, labels, { weight: w, avgFactor: 2 }));
    await expectLeakFree(() => tf.grad((x: tf.Tensor) => sigmoidFocalLoss(x as tf.Tensor2D, labels))(pred));
    tf.dispose([pred, labels, w]);
  });
});
