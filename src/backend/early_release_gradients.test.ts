/** The early-releasing `gradients`: same values as tfjs' own, a lower backward peak, no leaks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { earlyReleaseInstalled, initBackend, installEarlyReleaseGradients, tf, uninstallEarlyReleaseGradients } from './index.js';
import { expectLeakFree } from '../testing/backend.js';

/** A small conv net with composite norms, a shared input used twice, and a multi-output op. */
function makeNet() {
  const w1 = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.3, 'float32', 1), true, 'w1');
  const w2 = tf.variable(tf.randomNormal([3, 3, 8, 8], 0, 0.3, 'float32', 2), true, 'w2');
  const g = tf.variable(tf.ones([8]), true, 'g');
  const x = tf.randomNormal([2, 12, 12, 3], 0, 1, 'float32', 3);
  const loss = () =>
    tf.tidy(() => {
      const a = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'));
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      const n = tf.mul(tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, 1e-5))), g);
      const b = tf.conv2d(n as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'same');
      const [p, q] = tf.split(b, 2, 3);
      return tf.add(tf.sum(tf.square(tf.add(p!, a.slice([0, 0, 0, 0], [2, 12, 12, 4])))), tf.mean(tf.sigmoid(q!))) as tf.Scalar;
    });
  return { vars: [w1, w2, g], x, loss };
}

describe('early-release gradients', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterAll(() => installEarlyReleaseGradients());

  it('is installed by initBackend', () => {
    expect(earlyReleaseInstalled()).toBe(true);
  });

  it('gives the same gradients as tfjs and a lower peak', async () => {
    const { vars, x, loss } = makeNet();
    const run = async () => {
      let out: number[][] = [];
      const prof = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(loss);
        out = [[value.dataSync()[0]!], ...vars.map((v) => Array.from(grads[v.name]!.dataSync()))];
        tf.dispose([value, ...Object.values(grads)]);
      });
      return { out, peak: prof.peakBytes };
    };
    uninstallEarlyReleaseGradients();
    const ref = await run();
    installEarlyReleaseGradients();
    const mine = await run();
    expect(mine.out).toEqual(ref.out);
    expect(mine.peak).toBeLessThan(ref.peak);
    tf.dispose([...vars, x]);
  });

  it('keeps a user dy, returns undefined for unreachable xs, and leaks nothing', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([4, 5, 6]);
    const dy = tf.tensor1d([1, 1, 2]);
    const [ga] = tf.grads((p: tf.Tensor) => tf.mul(p, p))([a], dy);
    expect(Array.from(ga!.dataSync())).toEqual([2, 4, 12]);
    expect(dy.isDisposed).toBe(false);
    const r = tf.engine().gradients(() => tf.mul(a, 2), [a, b], undefined, true);
    expect(r.grads[1]).toBeUndefined();
    tf.dispose([ga!, r.value, r.grads[0]!]);
    const { vars, x, loss } = makeNet();
    await expectLeakFree(() => {
      const { value, grads } = tf.variableGrads(loss);
      return [value, ...Object.values(grads)];
    }, 10);
    tf.dispose([a, b, dy, ...vars, x]);
  });

  it('second-order gradients still work (saved tensors kept for the outer tape)', () => {
    const x = tf.scalar(3);
    const d2 = tf.grad(tf.grad((v: tf.Tensor) => tf.mul(tf.mul(v, v), v)));
    const g = d2(x);
    expect(g.dataSync()[0]).toBeCloseTo(18, 5);
    tf.dispose([x, g]);
  });
});
