/**
 * The fused norm kernels against the composite tfjs ops they replace (on the cpu backend), on cpu
 * and wasm: values, gradients of x/γ/β, finite differences, leaks.
 */
import { describe, expect, it } from 'vitest';
import { fusedNormInfer, fusedNormTrain, initBackend, tf } from '../index.js';
import { describeEachBackend, expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';

/** The composite (what BatchNorm2d/GroupNorm computed before): moments, sub, rsqrt, mul, add. */
function composite(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, groups: number, eps: number, relu: boolean): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let y: tf.Tensor;
  if (groups === 0) {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  } else {
    const xg = tf.reshape(x, [n, h, w, groups, c / groups]);
    const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
    y = tf.reshape(tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, eps))), [n, h, w, c]);
  }
  y = tf.add(tf.mul(y, g), b);
  return (relu ? tf.relu(y) : y) as tf.Tensor4D;
}

function inputs(shape: [number, number, number, number], seed: number) {
  const c = shape[3];
  return {
    // A large mean checks the shifted accumulation.
    x: tf.add(tf.randomNormal(shape, 0, 2, 'float32', seed), 3) as tf.Tensor4D,
    g: tf.randomNormal([c], 1, 0.5, 'float32', seed + 1) as tf.Tensor1D,
    b: tf.randomNormal([c], 0, 0.5, 'float32', seed + 2) as tf.Tensor1D,
    r: tf.randomNormal(shape, 0, 1, 'float32', seed + 3),
  };
}

/** Value, then gradients of Σ y·r with respect to x, γ, β. */
function valueAndGrads(f: (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor4D, shape: [number, number, number, number], seed: number): tf.Tensor[] {
  const { x, g, b, r } = inputs(shape, seed);
  const y = f(x, g, b);
  const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D), r)))([x, g, b]);
  return [y, ...grads];
}

const CASES: Array<{ shape: [number, number, number, number]; groups: number; relu: boolean }> = [
  { shape: [2, 5, 3, 6], groups: 0, relu: false },
  { shape: [2, 5, 3, 6], groups: 0, relu: true },
  { shape: [1, 4, 4, 4], groups: 0, relu: false },
  { shape: [3, 7, 5, 8], groups: 0, relu: true },
  { shape: [2, 5, 3, 6], groups: 3, relu: false },
  { shape: [2, 5, 3, 6], groups: 1, relu: true },
  { shape: [2, 5, 3, 6], groups: 6, relu: false },
  { shape: [1, 7, 5, 12], groups: 4, relu: true },
  // More pixels than one block of the channel-outer loops (4096 / C pixels), and a ragged last block.
  { shape: [2, 40, 41, 3], groups: 0, relu: true },
  { shape: [1, 23, 29, 10], groups: 5, relu: true },
];

describeEachBackend('fused norms', (backend) => {
  for (const { shape, groups, relu } of CASES) {
    it(`train: ${groups === 0 ? 'BN' : `GN(${groups})`}${relu ? '+ReLU' : ''} [${shape}] matches the cpu composite`, async () => {
      const ref = await onBackend('cpu', () => valueAndGrads((x, g, b) => composite(x, g, b, groups, 1e-5, relu), shape, 7));
      const got = await onBackend(backend, () => valueAndGrads((x, g, b) => fusedNormTrain(x, g, b, { eps: 1e-5, groups, relu }).y, shape, 7));
      ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => expect(relativeError(got[i]!, ref[i]!), name).toBeLessThan(1e-4));
    });
  }

  it('train: statistics are the biased batch mean and variance', async () => {
    const [mean, variance, mRef, vRef] = await onBackend(backend, () => {
      const { x, g, b } = inputs([2, 3, 4, 6], 3);
      const r = fusedNormTrain(x, g, b, { eps: 1e-5, groups: 2 });
      const m = tf.moments(tf.reshape(x, [2, 3, 4, 2, 3]), [1, 2, 4]);
      return [r.mean, r.variance, m.mean.reshape([4]), m.variance.reshape([4])];
    });
    expect(relativeError(mean!, mRef!)).toBeLessThan(1e-5);
    expect(relativeError(variance!, vRef!)).toBeLessThan(1e-4);
  });

  it('infer: matches (x − mean)/√(var+ε)·γ + β with its gradients, ReLU too', async () => {
    for (const relu of [false, true]) {
      const f = (fused: boolean) => () => {
        const { x, g, b, r } = inputs([2, 4, 3, 5], 11);
        const m = tf.randomNormal([5], 3, 1, 'float32', 20) as tf.Tensor1D;
        const v = tf.randomUniform([5], 0.5, 2, 'float32', 21) as tf.Tensor1D;
        const fn = (xx: tf.Tensor, mm: tf.Tensor, vv: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
          const y = fused
            ? fusedNormInfer(xx as tf.Tensor4D, mm as tf.Tensor1D, vv as tf.Tensor1D, gg as tf.Tensor1D, bb as tf.Tensor1D, { eps: 1e-5, relu })
            : tf.add(tf.mul(tf.mul(tf.sub(xx, mm), tf.rsqrt(tf.add(vv, 1e-5))), gg), bb);
          return relu && !fused ? tf.relu(y) : y;
        };
        return [fn(x, m, v, g, b), ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!), r)))([x, m, v, g, b])];
      };
      const ref = await onBackend('cpu', f(false));
      const got = await onBackend(backend, f(true));
      ['y', 'dx', 'dmean', 'dvar', 'dgamma', 'dbeta'].forEach((name, i) => expect(relativeError(got[i]!, ref[i]!), `${name} relu=${relu}`).toBeLessThan(1e-4));
    }
  });

  it('infer, constant parameters: dx from the output equals the x-saving kernel and the cpu composite, ReLU or not, γ of both signs and 0', async () => {
    for (const relu of [false, true]) {
      const f = (mode: 'composite' | 'saving-x' | 'constant') => () => {
        const { x, b, r } = inputs([2, 6, 5, 6], 13);
        // γ of both signs, one exact zero (its channel's dx is 0)
        const g = tf.tensor1d([1.5, -0.75, 0, 2, -1.25, 0.5]);
        const m = tf.randomNormal([6], 3, 1, 'float32', 22) as tf.Tensor1D;
        const v = tf.randomUniform([6], 0.5, 2, 'float32', 23) as tf.Tensor1D;
        const fn = (xx: tf.Tensor) => {
          if (mode === 'composite') {
            const y = tf.add(tf.mul(tf.mul(tf.sub(xx, m), tf.rsqrt(tf.add(v, 1e-5))), g), b);
            return relu ? tf.relu(y) : y;
          }
          return fusedNormInfer(xx as tf.Tensor4D, m, v, g, b, { eps: 1e-5, relu, constantParams: mode === 'constant' });
        };
        return [fn(x), tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(fn(xx), r)))(x)];
      };
      const ref = await onBackend('cpu', f('composite'));
      const savingX = await onBackend(backend, f('saving-x'));
      const got = await onBackend(backend, f('constant'));
      // the same arithmetic as the kernel that keeps x: equal values (+0 and -0 aside)
      expect(Array.from(got[0]!), `y relu=${relu}`).toEqual(Array.from(savingX[0]!));
      expect(Array.from(got[1]!, (v) => v + 0), `dx relu=${relu}`).toEqual(Array.from(savingX[1]!, (v) => v + 0));
      ['y', 'dx'].forEach((name, i) => expect(relativeError(got[i]!, ref[i]!), `${name} relu=${relu}`).toBeLessThan(1e-4));
      // the zero-γ channel (2) passes no gradient
      expect(got[1]!.filter((_, i) => i % 6 === 2).every((v) => v === 0)).toBe(true);
      if (relu) expect(got[0]!.some((v) => v === 0) && got[0]!.some((v) => v > 0)).toBe(true);
    }
  });

  it('infer, constant parameters: the tape keeps the output with ReLU, no map without, and only x is differentiated', () => {
    const { x, g, b } = inputs([1, 3, 3, 6], 17);
    const m = tf.zeros([6]) as tf.Tensor1D;
    const v = tf.ones([6]) as tf.Tensor1D;
    for (const relu of [false, true]) {
      let saved: number[][] = [];
      let inputNames: string[] = [];
      const dx = tf.grad((xx: tf.Tensor) => {
        const y = fusedNormInfer(xx as tf.Tensor4D, m, v, g, b, { eps: 1e-5, relu, constantParams: true });
        const tape = (tf.engine() as unknown as { state: { activeTape: Array<{ saved?: tf.Tensor[]; inputs: Record<string, tf.Tensor> }> } }).state.activeTape;
        const node = tape[tape.length - 1]!;
        saved = (node.saved ?? []).map((t) => t.shape);
        inputNames = Object.keys(node.inputs);
        return tf.sum(y);
      })(x);
      expect(inputNames).toHaveLength(1);
      // variance and gamma ([6], shared buffers), and the [1, 3, 3, 6] output only with ReLU
      expect(saved).toEqual(relu ? [[6], [6], [1, 3, 3, 6]] : [[6], [6]]);
      dx.dispose();
    }
    tf.dispose([x, g, b, m, v]);
  });

  it('leaks nothing forward and backward', async () => {
    const { x, g, b, r } = inputs([2, 4, 4, 6], 5);
    const [m6, v6] = [tf.zeros([6]) as tf.Tensor1D, tf.ones([6]) as tf.Tensor1D];
    await expectLeakFree(() => {
      const { y, mean, variance } = fusedNormTrain(x, g, b, { eps: 1e-5, groups: 2, relu: true });
      const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor) => tf.sum(tf.mul(fusedNormTrain(xx as tf.Tensor4D, gg as tf.Tensor1D, b, { eps: 1e-5, groups: 0 }).y, r)))([x, g]);
      const frozen = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(fusedNormInfer(xx as tf.Tensor4D, m6, v6, g, b, { eps: 1e-5, relu: true, constantParams: true }), r)))(x);
      return [y, mean, variance, ...grads, frozen];
    }, 100);
    tf.dispose([x, g, b, r, m6, v6]);
  });
});

describe('fused norms: finite differences (cpu)', () => {
  it('dx, dγ, dβ of batch and group norm match central differences', async () => {
    await initBackend('cpu');
    for (const groups of [0, 2]) {
      const shape: [number, number, number, number] = [2, 3, 2, 4];
      const { x, g, b, r } = inputs(shape, 9);
      const loss = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fusedNormTrain(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, { eps: 1e-5, groups }).y, r));
      const grads = tf.grads(loss)([x, g, b]).map((t) => t.dataSync());
      const params = [x, g, b];
      for (let which = 0; which < 3; which++) {
        const base = params[which]!.dataSync();
        for (const i of [0, 5, base.length - 1].filter((k) => k < base.length)) {
          const at = (d: number) => {
            const v = Float32Array.from(base);
            v[i]! += d;
            const args = params.map((p, k) => (k === which ? tf.tensor(v, p.shape) : p));
            const out = loss(args[0]!, args[1]!, args[2]!).dataSync()[0]!;
            tf.dispose(args.filter((_, k) => k === which));
            return out;
          };
          const h = 1e-2;
          const fd = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(fd - grads[which]![i]!), `groups=${groups} input=${which} i=${i}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
        }
      }
      tf.dispose([x, g, b, r]);
    }
  });

  it('dx of the constant-parameter batch norm (from its output) matches central differences, ReLU or not', async () => {
    await initBackend('cpu');
    const shape: [number, number, number, number] = [2, 3, 2, 4];
    const { x, b, r } = inputs(shape, 19);
    const g = tf.tensor1d([1.25, -0.8, 0.6, -1.5]);
    const m = tf.tensor1d([2.5, 3, 3.5, 2]);
    const v = tf.tensor1d([1.5, 0.7, 2.2, 1]);
    for (const relu of [false, true]) {
      const loss = (xx: tf.Tensor) => tf.sum(tf.mul(fusedNormInfer(xx as tf.Tensor4D, m, v, g, b, { eps: 1e-5, relu, constantParams: true }), r));
      const dx = tf.grad(loss)(x);
      const grad = dx.dataSync();
      const base = x.dataSync();
      const y = fusedNormInfer(x, m, v, g, b, { eps: 1e-5 }).dataSync();
      for (let i = 0; i < base.length; i++) {
        if (relu && Math.abs(y[i]!) < 0.05) continue; // a difference step would cross the ReLU's kink
        const at = (d: number) => {
          const vals = Float32Array.from(base);
          vals[i]! += d;
          const t = tf.tensor(vals, shape);
          const out = loss(t).dataSync()[0]!;
          t.dispose();
          return out;
        };
        const h = 1e-2;
        const fd = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(fd - grad[i]!), `relu=${relu} i=${i}`).toBeLessThan(1e-2 * Math.max(1, Math.abs(fd)));
      }
      dx.dispose();
    }
    tf.dispose([x, b, r, g, m, v]);
  });

  it('rejects bad shapes with NN_BAD_INPUT', async () => {
    await initBackend('cpu');
    const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
    const g = tf.ones([6]) as tf.Tensor1D;
    expect(() => fusedNormTrain(x, g, g, { eps: 1e-5, groups: 4 })).toThrow(expect.objectContaining({ code: 'NN_BAD_INPUT' }));
    expect(() => fusedNormTrain(x, tf.ones([5]) as tf.Tensor1D, g, { eps: 1e-5, groups: 0 })).toThrow(expect.objectContaining({ code: 'NN_BAD_INPUT' }));
    tf.dispose([x, g]);
  });
});
