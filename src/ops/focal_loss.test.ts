import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend, expectLeakFree, onBackend, relativeError } from '../testing/backend.js';
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

/**
 * mmdet's `py_sigmoid_focal_loss` composed of tfjs ops (what detkit ran before the fused kernel),
 * as the reference: `[N, C]` elementwise, weighted.
 */
function pyFocal(pred: tf.Tensor, t: tf.Tensor, gamma: number, alpha: number, weight?: tf.Tensor): tf.Tensor {
  const p = tf.sigmoid(pred);
  const notT = tf.sub(1, t);
  const pt = tf.add(tf.mul(tf.sub(1, p), t), tf.mul(p, notT));
  const fw = tf.mul(tf.add(tf.mul(t, alpha), tf.mul(notT, 1 - alpha)), tf.pow(pt, gamma));
  const bce = tf.add(tf.sub(tf.relu(pred), tf.mul(pred, t)), tf.log1p(tf.exp(tf.neg(tf.abs(pred)))));
  const loss = tf.mul(bce, fw);
  return weight === undefined ? loss : tf.mul(loss, weight.rank === 1 ? tf.reshape(weight, [-1, 1]) : weight);
}

describeEachBackend('sigmoidFocalLoss (fused) against py_sigmoid_focal_loss on cpu', (backend) => {
  const n = 37;
  const c = 5;
  const make = () => {
    const pred = tf.mul(tf.randomNormal([n, c], 0, 1, 'float32', 1), 4);
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 7) % (c + 1)), 'int32');
    const soft = tf.randomUniform([n, c], 0, 1, 'float32', 2);
    const wRow = tf.randomUniform([n], 0, 2, 'float32', 3);
    const wFull = tf.randomUniform([n, c], 0, 2, 'float32', 4);
    const r = tf.randomNormal([n, c], 0, 1, 'float32', 5);
    return { pred, labels, soft, wRow, wFull, r };
  };
  for (const gamma of [2, 1.5, 0]) {
    for (const kind of ['labels', 'soft'] as const) {
      for (const wKind of ['none', 'row', 'full'] as const) {
        it(`gamma ${gamma}, ${kind} targets, weight ${wKind}: values and gradients (pred, weight)`, async () => {
          const run = (fused: boolean) => () => {
            const { pred, labels, soft, wRow, wFull, r } = make();
            const w = wKind === 'none' ? undefined : wKind === 'row' ? wRow : wFull;
            const target = kind === 'labels' ? labels : soft;
            const t = kind === 'labels' ? tf.slice(tf.oneHot(labels, c + 1), [0, 0], [n, c]).cast('float32') : soft;
            const f = (x: tf.Tensor, ww?: tf.Tensor) => fused
              ? sigmoidFocalLoss(x as tf.Tensor2D, target, { gamma, reduction: 'none', ...(ww ? { weight: ww } : {}) })
              : pyFocal(x, t, gamma, 0.25, ww);
            const out: tf.Tensor[] = [f(pred, w), sigmoidFocalLoss(pred as tf.Tensor2D, target, { gamma, ...(w ? { weight: w } : {}), avgFactor: 3 })];
            if (!fused) out[1] = tf.div(tf.sum(pyFocal(pred, t, gamma, 0.25, w)), 3 + 1.1920928955078125e-7);
            out.push(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x, w), r)))(pred));
            out.push(tf.grad((x: tf.Tensor) => fused ? sigmoidFocalLoss(x as tf.Tensor2D, target, { gamma, ...(w ? { weight: w } : {}) }) : tf.mean(pyFocal(x, t, gamma, 0.25, w)))(pred));
            if (w !== undefined) out.push(tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(f(pred, ww), r)))(w));
            return out;
          };
          const ref = await onBackend('cpu', run(false));
          const got = await onBackend(backend, run(true));
          ref.forEach((v, i) => expect(relativeError(got[i]!, v), `output ${i}`).toBeLessThan(1e-4));
        });
      }
    }
  }

  it('gradient matches central differences', () => {
    const pred = tf.tensor2d([[0.3, -1.2, 2.5], [-0.4, 0.9, -3]]);
    const labels = tf.tensor1d([1, 3], 'int32');
    const loss = (x: tf.Tensor) => sigmoidFocalLoss(x as tf.Tensor2D, labels, { reduction: 'sum' });
    const g = tf.grad(loss)(pred).dataSync();
    const base = pred.dataSync();
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const v = Float64Array.from(base);
        v[i]! += d;
        const x = tf.tensor2d(Float32Array.from(v), [2, 3]);
        const out = loss(x).dataSync()[0]!;
        x.dispose();
        return out;
      };
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    }
    tf.dispose([pred, labels]);
  });
});
