/**
 * `relu` and `addBias` against tfjs' `relu` and `add` (values and gradients, on the cpu backend as
 * reference), the tensors their tape nodes keep, and leaks.
 */
import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend, expectLeakFree, onBackend, relativeError } from '../testing/backend.js';
import { addBias, addSameShape, relu } from './functional.js';

/** The tape's saved tensors of the last node recorded while `f` runs under a gradient tape. */
function savedByLastNode(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): number[][] {
  let saved: number[][] = [];
  const g = tf.grad((xx: tf.Tensor) => {
    const y = f(xx);
    const tape = (tf.engine() as unknown as { state: { activeTape: Array<{ saved?: tf.Tensor[] }> } }).state.activeTape;
    saved = (tape[tape.length - 1]!.saved ?? []).map((t) => Array.from(t.dataSync()));
    return tf.sum(y);
  })(x);
  g.dispose();
  return saved;
}

describeEachBackend('nn functional', (backend) => {
  // Both signs, zeros (and -0), values around 0 of either sign.
  const xs = [-3, -0.5, 0, -0, 1e-7, -1e-7, 0.25, 2, 5.5, -2.5, 0.75, -1];
  const dys = [0.5, -1, 2, 3, -0.25, 4, 1.5, -2, 0.125, 7, -3, 1];

  it('relu: value and gradient equal tfjs relu (cpu reference), bit for bit', async () => {
    const run = (mine: boolean) => () => {
      const x = tf.tensor(xs, [3, 4]);
      const dy = tf.tensor(dys, [3, 4]);
      const f = (t: tf.Tensor) => (mine ? relu(t) : tf.relu(t));
      return [f(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x)];
    };
    const [yRef, gRef] = await onBackend('cpu', run(false));
    const [y, g] = await onBackend(backend, run(true));
    expect(Array.from(y!)).toEqual(Array.from(yRef!));
    expect(Array.from(g!)).toEqual(Array.from(gRef!));
    // hand check: dy where x > 0, else 0 (`+ 0` turns -0 into 0)
    expect(Array.from(g!, (v) => v + 0)).toEqual(xs.map((v, i) => (v > 0 ? dys[i]! : 0)));
  });

  it('relu: the tape keeps the output, not the input', () => {
    const x = tf.tensor(xs);
    expect(savedByLastNode((t) => relu(t), x)).toEqual([xs.map((v) => Math.fround(Math.max(v, 0)))]);
    x.dispose();
  });

  it('addBias: value and gradients equal tfjs add with a broadcast bias, bit for bit on the same backend', async () => {
    const run = (mine: boolean) => () => {
      const y = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 3);
      const b = tf.randomNormal([5], 0, 1, 'float32', 4);
      const dy = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 5);
      const f = (a: tf.Tensor, c: tf.Tensor) => (mine ? addBias(a, c) : tf.add(a, c));
      return [f(y, b), ...tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, c), dy)))([y, b])];
    };
    const ref = await onBackend(backend, run(false));
    const got = await onBackend(backend, run(true));
    ['y', 'dy', 'dbias'].forEach((name, i) => expect(Array.from(got[i]!), name).toEqual(Array.from(ref[i]!)));
    const cpu = await onBackend('cpu', run(false));
    ['y', 'dy', 'dbias'].forEach((name, i) => expect(relativeError(got[i]!, cpu[i]!), name).toBeLessThan(1e-6));
  });

  it('addBias: the tape keeps nothing; the bias gradient sums over every axis but the last', () => {
    const y = tf.ones([2, 2, 3]);
    const b = tf.tensor([1, 2, 3]);
    expect(savedByLastNode((t) => addBias(t, b), y)).toEqual([]);
    const [dy, db] = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(addBias(a, c)))([y, b]);
    expect(Array.from(dy!.dataSync())).toEqual(new Array(12).fill(1));
    expect(Array.from(db!.dataSync())).toEqual([4, 4, 4]);
    tf.dispose([y, b, dy!, db!]);
  });

  it('addSameShape: value and gradients equal tfjs add, bit for bit; the tape keeps nothing; other shapes are refused', async () => {
    const run = (mine: boolean) => () => {
      const a = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 6);
      const b = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 7);
      const dy = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 8);
      const f = (p: tf.Tensor, q: tf.Tensor) => (mine ? addSameShape(p, q) : tf.add(p, q));
      return [f(a, b), ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), dy)))([a, b])];
    };
    const ref = await onBackend(backend, run(false));
    const got = await onBackend(backend, run(true));
    ['y', 'da', 'db'].forEach((name, i) => expect(Array.from(got[i]!), name).toEqual(Array.from(ref[i]!)));
    const a = tf.ones([2, 3]);
    const b = tf.ones([2, 3]);
    expect(savedByLastNode((t) => addSameShape(t, b), a)).toEqual([]);
    const c = tf.ones([3]);
    expect(() => addSameShape(a, c)).toThrow(expect.objectContaining({ code: 'NN_BAD_INPUT' }));
    tf.dispose([a, b, c]);
  });

  it(`leaks nothing forward and backward [${backend}]`, async () => {
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1);
    const b = tf.tensor([0.5, -0.5, 1]);
    await expectLeakFree(() => {
      const y = tf.tidy(() => relu(addBias(x, b)));
      return [y, ...tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(relu(addBias(a, c))))([x, b])];
    }, 50);
    tf.dispose([x, b]);
  });
});
