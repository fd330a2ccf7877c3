import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { BatchNorm2d } from './batch_norm.js';
import { buildNormLayer } from './norm.js';
import { GroupNorm } from './group_norm.js';
import './index.js';

for (const backend of ['cpu', 'wasm'] as const) describe(`BatchNorm2d (${backend})`, () => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  // One channel, 4 values: mean 2.5, biased var 1.25, unbiased var 5/3.
  const x = (): tf.Tensor4D => tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);

  it('normalises with batch statistics and updates running stats in train mode (torch rule)', () => {
    const bn = new BatchNorm2d({ num_features: 1 });
    const xt = x();
    const before = tf.memory().numTensors;
    const y = bn.forward(xt);
    const inv = 1 / Math.sqrt(1.25 + 1e-5);
    const expected = [1, 2, 3, 4].map((v) => (v - 2.5) * inv);
    y.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // running = 0.9 * init + 0.1 * batch; running_var uses the unbiased variance.
    expect(bn.running_mean!.dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(bn.running_var!.dataSync()[0]).toBeCloseTo(0.9 * 1 + 0.1 * (5 / 3), 6);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(1);
    expect(bn.num_batches_tracked!.dtype).toBe('int32');
    // A second step compounds.
    bn.forward(xt).dispose();
    expect(bn.running_mean!.dataSync()[0]).toBeCloseTo(0.9 * 0.25 + 0.25, 6);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(2);
    xt.dispose();
    bn.dispose();
  });

  it('uses the cumulative average with momentum null', () => {
    const bn = new BatchNorm2d({ num_features: 1, momentum: null });
    const a = tf.tensor4d([1, 3], [1, 1, 2, 1]);
    const b = tf.tensor4d([5, 7], [1, 1, 2, 1]);
    bn.forward(a).dispose();
    bn.forward(b).dispose();
    // factor 1 then 1/2: mean of the batch means (2, 6) = 4
    expect(bn.running_mean!.dataSync()[0]).toBeCloseTo(4, 6);
    tf.dispose([a, b]);
    bn.dispose();
  });

  it('uses running statistics in eval mode, with affine parameters', () => {
    const bn = new BatchNorm2d({ num_features: 2 });
    bn.loadStateDict(new Map<string, tf.Tensor>([
      ['weight', tf.tensor1d([2, 1])], ['bias', tf.tensor1d([1, 0])],
      ['running_mean', tf.tensor1d([1, -1])], ['running_var', tf.tensor1d([4, 1])],
      ['num_batches_tracked', tf.scalar(7, 'int32')],
    ]));
    bn.eval();
    const xt = tf.tensor4d([3, 1], [1, 1, 1, 2]);
    const y = bn.forward(xt);
    const e = 1e-5;
    expect(y.dataSync()[0]).toBeCloseTo(((3 - 1) / Math.sqrt(4 + e)) * 2 + 1, 5);
    expect(y.dataSync()[1]).toBeCloseTo((1 + 1) / Math.sqrt(1 + e), 5);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(7);
    tf.dispose([xt, y]);
    bn.dispose();
  });

  it('passes gradients to x, weight and bias', () => {
    const bn = new BatchNorm2d({ num_features: 2 });
    const xt = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const w = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 2);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.forward(xt), w)) as tf.Scalar, [...bn.namedParameters().values()]);
    // d/d bias of sum(w*y) = sum of w over N,H,W per channel.
    const wsum = tf.tidy(() => tf.sum(w, [0, 1, 2]).dataSync());
    const gb = grads[bn.bias!.name]!.dataSync();
    expect(gb[0]).toBeCloseTo(wsum[0]!, 4);
    expect(gb[1]).toBeCloseTo(wsum[1]!, 4);
    tf.dispose([value, w, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    xt.dispose();
    bn.dispose();
  });

  it('freezes affine parameters with requires_grad false and names the layer bn', () => {
    const [name, layer] = buildNormLayer({ type: 'BN', requires_grad: false }, 8, 1);
    expect(name).toBe('bn1');
    expect(layer).toBeInstanceOf(BatchNorm2d);
    expect(layer.namedParameters().size).toBe(0);
    expect([...layer.stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect((layer as BatchNorm2d).eps).toBe(1e-5);
    layer.dispose();
    const [sname, slayer] = buildNormLayer({ type: 'SyncBN' }, 4);
    expect(sname).toBe('bn');
    expect(slayer.namedParameters().size).toBe(2);
    slayer.dispose();
  });

  it('errors on one value per channel in training and on a bad norm_cfg', () => {
    const bn = new BatchNorm2d({ num_features: 3 });
    expect(() => bn.forward(tf.zeros([1, 1, 1, 3]) as tf.Tensor4D)).toThrow(/Expected more than 1 value per channel when training/);
    bn.dispose();
    expect(() => buildNormLayer({ type: 'GN' }, 8)).toThrow(/num_groups/);
    expect(() => buildNormLayer({ type: 'BN', momentun: 0.1 }, 8)).toThrow(/BatchNorm2d.__init__\(\) got an unexpected keyword argument 'momentun'/);
    try {
      buildNormLayer({ type: 'BN', momentun: 0.1 }, 8);
    } catch (e) {
      expect((e as { hint?: string }).hint).toMatch(/'momentum'/);
    }
    expect(() => buildNormLayer({ type: 'BM' }, 8)).toThrow(/BM is not in the mmcv::norm layer registry.*'BN'/);
  });
});

for (const backend of ['cpu', 'wasm'] as const) describe(`GroupNorm (${backend})`, () => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('normalises each group over (H, W, C/G) by hand', () => {
    const [name, gn] = buildNormLayer({ type: 'GN', num_groups: 2 }, 4);
    expect(name).toBe('gn');
    const g = gn as GroupNorm;
    // 1 pixel x 2: channels [1,3 | 10,14] at pixel 0 and [5,7 | 10,18] at pixel 1.
    const xt = tf.tensor4d([1, 3, 10, 14, 5, 7, 10, 18], [1, 1, 2, 4]);
    const before = tf.memory().numTensors;
    const y = g.forward(xt);
    const norm = (vals: number[]): number[] => {
      const m = vals.reduce((a, b) => a + b) / vals.length;
      const v = vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length;
      return vals.map((t) => (t - m) / Math.sqrt(v + 1e-5));
    };
    const g0 = norm([1, 3, 5, 7]);
    const g1 = norm([10, 14, 10, 18]);
    const expected = [g0[0], g0[1], g1[0], g1[1], g0[2], g0[3], g1[2], g1[3]];
    y.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    xt.dispose();
    g.dispose();
  });

  it('rejects channels not divisible by groups', () => {
    expect(() => new GroupNorm({ num_groups: 3, num_channels: 8 })).toThrow(/divisible by num_groups/);
  });
});
