import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { Rng } from '../utils/rng.js';
import { ACTIVATION_CLASSES } from './activation.js';
import { Linear } from './linear.js';
import { AvgPool2d, MaxPool2d, poolOutputSize } from './pooling.js';
import { fromTorchLayout, loadTorchStateDict, toTorchLayout, toTorchStateDict, torchShape } from './torch_layout.js';
import { Conv2d } from './conv2d.js';
import { Scale } from './scale.js';
import './index.js';

describe('Linear', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('computes x·Wᵀ + b with a PyTorch-layout weight, for rank 2 and 3 inputs', () => {
    const fc = new Linear({ in_features: 2, out_features: 3 });
    // torch weight [[1,2],[3,4],[5,6]], bias [0, 1, 2]
    loadTorchStateDict(fc, new Map<string, tf.Tensor>([['weight', tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2])], ['bias', tf.tensor1d([0, 1, 2])]]));
    const x = tf.tensor2d([1, 1, 2, 0], [2, 2]);
    const before = tf.memory().numTensors;
    const y = fc.forward(x);
    expect(Array.from(y.dataSync())).toEqual([3, 8, 13, 2, 7, 12]);
    const x3 = tf.reshape(x, [1, 2, 2]);
    const y3 = fc.forward(x3);
    expect(y3.shape).toEqual([1, 2, 3]);
    expect(Array.from(y3.dataSync())).toEqual([3, 8, 13, 2, 7, 12]);
    tf.dispose([y, y3, x3]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    fc.dispose();
  });
});

describe('Scale', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('multiplies by one learnable scalar named scale', () => {
    const s = new Scale({ scale: 2 });
    expect([...s.stateDict().keys()]).toEqual(['scale']);
    const x = tf.tensor1d([1, -3]);
    const y = s.forward(x);
    expect(Array.from(y.dataSync())).toEqual([2, -6]);
    const { grads, value } = tf.variableGrads(() => tf.sum(s.forward(x)) as tf.Scalar, [s.scale]);
    expect(Array.from(grads[s.scale.name]!.dataSync())).toEqual([-2]);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    s.dispose();
  });
});

describe('activations', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('match their formulas at a few points', () => {
    const xs = [-2, -0.5, 0, 1.5, 7];
    const expected: Record<string, (v: number) => number> = {
      ReLU: (v) => Math.max(v, 0),
      LeakyReLU: (v) => (v >= 0 ? v : 0.01 * v),
      ReLU6: (v) => Math.min(Math.max(v, 0), 6),
      ELU: (v) => (v > 0 ? v : Math.exp(v) - 1),
      Sigmoid: (v) => 1 / (1 + Math.exp(-v)),
      Tanh: Math.tanh,
      // Φ(-2)=0.0227501, Φ(-0.5)=0.3085375, Φ(1.5)=0.9331928, Φ(7)≈1
      GELU: (v) => v * ({ '-2': 0.0227501, '-0.5': 0.3085375, '0': 0.5, '1.5': 0.9331928, '7': 1 } as Record<string, number>)[String(v)]!,
      Swish: (v) => v / (1 + Math.exp(-v)),
      HSigmoid: (v) => Math.min(Math.max((v + 3) / 6, 0), 1),
      HSwish: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
    };
    const x = tf.tensor1d(xs);
    for (const [name, Cls] of Object.entries(ACTIVATION_CLASSES)) {
      const y = new Cls({}).forward(x);
      const got = y.dataSync();
      xs.forEach((v, i) => expect(got[i], `${name}(${v})`).toBeCloseTo(expected[name]!(v), 4));
      y.dispose();
    }
    x.dispose();
  });
});

describe('MaxPool2d', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('ResNet stem pooling (3x3 s2 p1) ignores padding, as -inf', () => {
    const pool = new MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 });
    const x = tf.tensor4d([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16], [1, 4, 4, 1]);
    const y = pool.forward(x);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // windows rows/cols {0,1} {0..2}: max of negatives = top-left element of each window
    expect(Array.from(y.dataSync())).toEqual([-1, -2, -5, -6]);
    tf.dispose([x, y]);
  });
  it('follows PyTorch output sizes with ceil_mode', () => {
    expect(poolOutputSize(5, 2, 2, 0, false)).toBe(2);
    expect(poolOutputSize(5, 2, 2, 0, true)).toBe(3);
    // the last window would start in the right padding: dropped
    expect(poolOutputSize(5, 2, 2, 1, true)).toBe(3);
    expect(poolOutputSize(4, 3, 2, 1, true)).toBe(3);
    const pool = new MaxPool2d({ kernel_size: 2, stride: 2, ceil_mode: true });
    const x = tf.tensor4d(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
    const y = pool.forward(x);
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(y.dataSync())).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
    tf.dispose([x, y]);
  });
});

describe('AvgPool2d', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('averages cut ceil_mode windows over their valid pixels, in forward and gradient', () => {
    const pool = new AvgPool2d({ kernel_size: 2, stride: 2, ceil_mode: true, count_include_pad: false });
    const x = tf.tensor4d(Array.from({ length: 9 }, (_, i) => i + 1), [1, 3, 3, 1]);
    const y = pool.forward(x);
    // windows {1,2,4,5} {3,6} {7,8} {9}
    expect(Array.from(y.dataSync())).toEqual([3, 4.5, 7.5, 9]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(pool.forward(t as tf.Tensor4D)))(x);
    expect(Array.from(g.dataSync())).toEqual([0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
    const even = pool.forward(tf.ones([1, 4, 4, 2]) as tf.Tensor4D);
    expect(even.shape).toEqual([1, 2, 2, 2]);
    tf.dispose([x, y, g, even]);
  });
});

describe('torch layout helpers', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('transpose conv and linear weights both ways', () => {
    expect(torchShape([3, 5, 16, 32], 'conv2d')).toEqual([32, 16, 3, 5]);
    expect(torchShape([16, 32], 'linear')).toEqual([32, 16]);
    const t = tf.tensor4d(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4, 1]); // torch [out=2, in=3, kh=4, kw=1]
    const before = tf.memory().numTensors;
    const ours = fromTorchLayout(t, 'conv2d');
    expect(ours.shape).toEqual([4, 1, 3, 2]);
    // ours[ky][kx][i][o] = torch[o][i][ky][kx]: ours[2][0][1][1] = torch[1][1][2][0] = 12 + 4 + 2 = 18
    expect(ours.arraySync()).toHaveProperty([2, 0, 1, 1], 18);
    const back = toTorchLayout(ours, 'conv2d');
    expect(Array.from(back.dataSync())).toEqual(Array.from(t.dataSync()));
    tf.dispose([ours, back]);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
  it('round-trips a module through a PyTorch-layout state dict', () => {
    const a = new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: [3, 1] });
    a.initWeights(new Rng(0));
    const torch = toTorchStateDict(a);
    expect(torch.get('weight')!.shape).toEqual([4, 3, 3, 1]);
    const b = new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: [3, 1] });
    expect(loadTorchStateDict(b, torch)).toEqual({ missing: [], unexpected: [] });
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(a.weight.dataSync()));
    tf.dispose([...torch.values()]);
    a.dispose();
    b.dispose();
  });
});
