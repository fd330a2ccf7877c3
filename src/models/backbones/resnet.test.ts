import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { BatchNorm2d } from '../../nn/batch_norm.js';
import type { Conv2d } from '../../nn/conv2d.js';
import { MODELS } from '../../registry/root.js';
import { DetkitError } from '../../utils/errors.js';
import { Rng } from '../../utils/rng.js';
import '../index.js';
import { ResNet, ResNetV1d } from './resnet.js';

const BN_KEYS = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];

/** The state-dict keys of mmdet's ResNet-50 (torchvision's resnet50 without `fc`), written from its structure. */
function mmdetResNet50Keys(): string[] {
  const keys = ['conv1.weight', ...BN_KEYS.map((k) => `bn1.${k}`)];
  [3, 4, 6, 3].forEach((n, s) => {
    for (let b = 0; b < n; b++) {
      const p = `layer${s + 1}.${b}`;
      for (const i of [1, 2, 3]) keys.push(`${p}.conv${i}.weight`, ...BN_KEYS.map((k) => `${p}.bn${i}.${k}`));
      if (b === 0) keys.push(`${p}.downsample.0.weight`, ...BN_KEYS.map((k) => `${p}.downsample.1.${k}`));
    }
  });
  return keys;
}

function count(m: Map<string, tf.Tensor>): number {
  let n = 0;
  for (const v of m.values()) n += v.size;
  return n;
}

describe('ResNet', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('ResNet-50 has mmdet state-dict keys and torchvision parameter count', () => {
    const net = MODELS.build<ResNet>({ type: 'ResNet', depth: 50 });
    const keys = [...net.stateDict().keys()];
    expect(keys).toEqual(mmdetResNet50Keys());
    expect(keys.length).toBe(318);
    // torchvision resnet50: 25,557,032 parameters, minus fc (2048·1000 + 1000)
    expect(count(net.allParameters())).toBe(25_557_032 - 2_049_000);
    expect(net.stateDict().get('layer1.0.downsample.0.weight')!.shape).toEqual([1, 1, 64, 256]); // torch [256, 64, 1, 1]
    expect(net.feat_dim).toBe(2048);
    net.dispose();
  });

  it('ResNet-34 and ResNet-101 match torchvision parameter counts (without fc)', () => {
    for (const [depth, total] of [[34, 21_797_672 - 513_000], [101, 44_549_160 - 2_049_000]] as const) {
      const net = new ResNet({ depth });
      expect(count(net.allParameters())).toBe(total);
      net.dispose();
    }
  });

  it('gives one map per out_indices stage and does not leak (cpu, 8 base channels)', () => {
    const small = new ResNet({ depth: 18, base_channels: 8 });
    small.initWeights(new Rng(0));
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const outs = small.forward(x);
    expect(outs.map((o) => o.shape)).toEqual([[1, 16, 16, 8], [1, 8, 8, 16], [1, 4, 4, 32], [1, 2, 2, 64]]);
    tf.dispose(outs);
    const before = tf.memory().numTensors;
    tf.dispose(small.forward(x));
    tf.dispose(small.forward(x));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    small.dispose();
  });

  it('uses mmdet init: Kaiming fan_out convs, BN weight 1, zero-init last norm of each block', () => {
    const net = new ResNet({ depth: 18 });
    net.initWeights(new Rng(0));
    const sd = net.stateDict();
    const mean = (k: string): number => tf.tidy(() => tf.mean(sd.get(k)!).dataSync()[0]!);
    expect(mean('layer1.0.bn2.weight')).toBe(0);
    expect(mean('layer3.1.bn2.weight')).toBe(0);
    expect(mean('layer1.0.bn1.weight')).toBe(1);
    expect(mean('bn1.weight')).toBe(1);
    const w = Array.from(sd.get('layer2.0.conv1.weight')!.dataSync());
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std / Math.sqrt(2 / (128 * 9))).toBeGreaterThan(0.95);
    expect(std / Math.sqrt(2 / (128 * 9))).toBeLessThan(1.05);
    net.dispose();
    const noZero = new ResNet({ depth: 50, num_stages: 1, out_indices: [0], zero_init_residual: false });
    noZero.initWeights(new Rng(0));
    expect(tf.tidy(() => tf.mean(noZero.stateDict().get('layer1.0.bn3.weight')!).dataSync()[0])).toBe(1);
    noZero.dispose();
    const zero = new ResNet({ depth: 50, num_stages: 1, out_indices: [0] });
    zero.initWeights(new Rng(0));
    expect(tf.tidy(() => tf.mean(zero.stateDict().get('layer1.2.bn3.weight')!).dataSync()[0])).toBe(0);
    zero.dispose();
  });

  it('frozen_stages freezes the stem and stage 1 (no grads, eval mode) and norm_eval keeps BN in eval', () => {
    const net = new ResNet({ depth: 18, frozen_stages: 1, norm_eval: false });
    const names = [...net.namedParameters().keys()];
    expect(names.some((n) => n.startsWith('conv1.') || n.startsWith('bn1.') || n.startsWith('layer1.'))).toBe(false);
    expect(names[0]).toBe('layer2.0.conv1.weight');
    net.train();
    const mods = net.namedModules();
    expect(mods.get('bn1')!.training).toBe(false);
    expect(mods.get('layer1.0.bn1')!.training).toBe(false);
    expect(mods.get('layer1')!.training).toBe(false);
    expect(mods.get('layer2.0.bn1')!.training).toBe(true);
    net.dispose();

    const ne = new ResNet({ depth: 18, num_stages: 2, out_indices: [1] }); // norm_eval true by default
    ne.initWeights(new Rng(0));
    ne.train();
    const m2 = ne.namedModules();
    expect([...m2.values()].filter((m) => m instanceof BatchNorm2d).every((m) => !m.training)).toBe(true);
    expect(m2.get('layer2.0')!.training).toBe(true);
    const rm = ne.stateDict().get('layer2.0.bn1.running_mean')!;
    const before = Array.from(rm.dataSync());
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    tf.dispose(ne.forward(x));
    expect(Array.from(rm.dataSync())).toEqual(before);
    x.dispose();
    ne.dispose();
  });

  it('places the stride by style and builds a deep stem with mmdet names', () => {
    const py = new ResNet({ depth: 50, num_stages: 2, out_indices: [1] });
    const caffe = new ResNet({ depth: 50, num_stages: 2, out_indices: [1], style: 'caffe' });
    const conv = (n: ResNet, k: string): Conv2d => n.namedModules().get(k) as Conv2d;
    expect([conv(py, 'layer2.0.conv1').stride, conv(py, 'layer2.0.conv2').stride]).toEqual([[1, 1], [2, 2]]);
    expect([conv(caffe, 'layer2.0.conv1').stride, conv(caffe, 'layer2.0.conv2').stride]).toEqual([[2, 2], [1, 1]]);
    py.dispose();
    caffe.dispose();
    const deep = new ResNet({ depth: 18, num_stages: 1, out_indices: [0], deep_stem: true, frozen_stages: 0 });
    const keys = [...deep.stateDict().keys()];
    expect(keys.slice(0, 18)).toEqual([
      'stem.0.weight', ...BN_KEYS.map((k) => `stem.1.${k}`), 'stem.3.weight', ...BN_KEYS.map((k) => `stem.4.${k}`), 'stem.6.weight', ...BN_KEYS.map((k) => `stem.7.${k}`),
    ]);
    expect((deep.namedModules().get('stem.0') as Conv2d).out_channels).toBe(32);
    expect([...deep.namedParameters().keys()].some((k) => k.startsWith('stem.'))).toBe(false);
    deep.dispose();
  });

  it('ResNetV1d: deep stem and avg-pool shortcuts with mmdet names', () => {
    const net = MODELS.build<ResNetV1d>({ type: 'ResNetV1d', depth: 50, base_channels: 8, num_stages: 2, out_indices: [0, 1] });
    const keys = [...net.stateDict().keys()];
    expect(keys[0]).toBe('stem.0.weight');
    expect(keys).toContain('layer1.0.downsample.1.weight');
    expect(keys).toContain('layer2.0.downsample.2.running_mean');
    expect(keys.some((k) => k.startsWith('layer2.0.downsample.0.'))).toBe(false); // the pooling has no parameters
    expect((net.namedModules().get('layer2.0.downsample.1') as Conv2d).stride).toEqual([1, 1]);
    net.initWeights(new Rng(0));
    const x = tf.randomNormal([2, 36, 36, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const outs = net.forward(x);
    expect(outs.map((o) => o.shape)).toEqual([[2, 9, 9, 32], [2, 5, 5, 64]]); // 9 → 5 needs the ceil_mode pooling
    tf.dispose([...outs, x]);
    net.dispose();
    expect(() => MODELS.build({ type: 'ResNetV1d', depth: 18, deep_stem: false })).toThrow(/multiple values for keyword argument 'deep_stem'/);
  });

  it('keeps resolution with dilated stages', () => {
    const net = new ResNet({ depth: 18, base_channels: 8, strides: [1, 2, 1, 1], dilations: [1, 1, 2, 4], out_indices: [3] });
    net.initWeights(new Rng(0));
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const [c5] = net.forward(x);
    expect(c5!.shape).toEqual([1, 4, 4, 64]);
    tf.dispose([c5!, x]);
    net.dispose();
  });

  it('reports config errors with the config key path', () => {
    const err = (cfg: Record<string, unknown>): DetkitError => {
      try {
        MODELS.build({ type: 'ResNet', ...cfg }, undefined, { path: 'model.backbone', file: 'cfg.ts' });
      } catch (e) {
        return e as DetkitError;
      }
      throw new Error('no error');
    };
    const e1 = err({ depth: 42 });
    expect(e1.message).toBe('invalid depth 42 for resnet');
    expect(e1.configPath).toBe('model.backbone.depth');
    expect(e1.file).toBe('cfg.ts');
    const e2 = err({ depth: 18, depht: 18 });
    expect(e2.code).toBe('CONFIG_UNEXPECTED_KEY');
    expect(e2.message).toMatch(/unexpected keyword argument 'depht'/);
    expect(e2.hint).toMatch(/'depth'/);
    expect(err({ depth: 18, out_indices: [4] }).configPath).toBe('model.backbone.out_indices');
    expect(err({ depth: 18, dcn: { type: 'DCNv2' } }).code).toBe('NOT_SUPPORTED');
    expect(err({ depth: 18, plugins: [{}] }).configPath).toBe('model.backbone.plugins');
    expect(err({ depth: 18, norm_cfg: { type: 'BM' } }).code).toBe('REGISTRY_TYPE_NOT_FOUND');
  });

});

/** Six SGD steps on a 2-stage ResNet-18 (base 8 channels) regressing a random target; checks no leak. */
function tinyTrainStep(): void {
  const net = new ResNet({ depth: 18, base_channels: 8, num_stages: 2, out_indices: [1], norm_eval: false });
  net.initWeights(new Rng(0));
  net.train();
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const target = tf.randomNormal([2, 4, 4, 16], 0, 1, 'float32', 8);
  const params = [...net.namedParameters().values()];
  const losses: number[] = [];
  let before = 0;
  for (let step = 0; step < 6; step++) {
    if (step === 2) before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(net.forward(x)[0]!, target))) as tf.Scalar, params);
    losses.push(value.dataSync()[0]!);
    tf.tidy(() => {
      for (const p of params) p.assign(tf.sub(p, tf.mul(grads[p.name]!, 0.1)));
    });
    tf.dispose([value, ...Object.values(grads)]);
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.9);
  tf.dispose([x, target]);
  net.dispose();
}

describe('ResNet on wasm (with backend kernel gaps)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('ResNet-18 gives 4 maps at strides 4..32 for a 64x64 image', () => {
    const net = new ResNet({ depth: 18 });
    expect(count(net.allParameters())).toBe(11_689_512 - 513_000); // torchvision resnet18 minus fc
    net.initWeights(new Rng(0));
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const outs = net.forward(x);
    expect(outs.map((o) => o.shape)).toEqual([[1, 16, 16, 64], [1, 8, 8, 128], [1, 4, 4, 256], [1, 2, 2, 512]]);
    tf.dispose([...outs, x]);
    net.dispose();
  });

  it('ResNet-50 at 32x32: out_indices select stages, channels 256..2048', () => {
    const net = new ResNet({ depth: 50, out_indices: [0, 1, 2, 3] });
    net.eval(); // weights left at their zero/one construction values: shapes only
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const outs = net.forward(x);
    expect(outs.map((o) => o.shape)).toEqual([[1, 8, 8, 256], [1, 4, 4, 512], [1, 2, 2, 1024], [1, 1, 1, 2048]]);
    tf.dispose([...outs, x]);
    net.dispose();
  });

  it('a tiny train step reduces a loss', () => {
    tinyTrainStep();
  });

  it('matches the cpu backend on a ResNet-18 forward (train mode)', async () => {
    const net = new ResNet({ depth: 18, base_channels: 8, norm_eval: false });
    net.initWeights(new Rng(3));
    const xData = tf.tidy(() => tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4).dataSync());
    const run = (): Float32Array[] => {
      const x = tf.tensor4d(xData, [2, 32, 32, 3]);
      const outs = net.forward(x);
      const data = outs.map((o) => o.dataSync() as Float32Array);
      tf.dispose([...outs, x]);
      return data;
    };
    const onWasm = run();
    await initBackend('cpu');
    const onCpu = run();
    await initBackend('wasm');
    onWasm.forEach((a, l) => {
      let maxDiff = 0;
      a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - onCpu[l]![i]!))));
      expect(maxDiff).toBeLessThan(1e-3);
    });
    net.dispose();
  });
});
