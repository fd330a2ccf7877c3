import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { DetkitError } from '../utils/errors.js';
import { Rng } from '../utils/rng.js';
import { BatchNorm2d } from './batch_norm.js';
import { ModuleList } from './container.js';
import { Conv2d } from './conv2d.js';
import { ConvModule } from './conv_module.js';
import { initialize } from './initializers.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { biasInitWithProb, calculateGain, computeFans, kaimingInit, torchDefaultInit, xavierInit } from './weight_init.js';
import './index.js';

function stats(t: tf.Tensor): { mean: number; std: number; maxAbs: number } {
  const d = t.dataSync();
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const v of d) {
    s += v;
    s2 += v * v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / d.length;
  return { mean, std: Math.sqrt(s2 / d.length - mean * mean), maxAbs: m };
}

class Toy extends Module {
  static override readonly torchName: string = 'Toy';
  readonly conv = this.addModule('conv', new Conv2d({ in_channels: 4, out_channels: 8, kernel_size: 3 }));
  readonly bn = this.addModule('bn', new BatchNorm2d({ num_features: 8 }));
  readonly fc = this.addModule('fc', new Linear({ in_features: 8, out_features: 3 }));
  constructor() {
    super();
    this.addAlias('norm1', 'bn');
  }
}

describe('weight init functions', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('computes gains and fans as torch', () => {
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(calculateGain('leaky_relu', 0.1)).toBeCloseTo(Math.sqrt(2 / 1.01), 12);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(computeFans([64, 8, 3, 3])).toEqual([72, 576]);
    expect(() => computeFans([8])).toThrow(/fewer than 2 dimensions/);
    // RetinaNet's prior: -log(99) = -4.59512
    expect(biasInitWithProb(0.01)).toBeCloseTo(-4.59512, 5);
  });

  it('uses the PyTorch-layout fans for Kaiming (stored [kh,kw,in,out])', () => {
    const conv = new Conv2d({ in_channels: 8, out_channels: 64, kernel_size: 3 });
    const rng = new Rng(0);
    kaimingInit(conv, { mode: 'fan_out' }, rng);
    expect(stats(conv.weight).std).toBeCloseTo(Math.sqrt(2 / 576), 2); // 0.0589
    expect(stats(conv.weight).std / Math.sqrt(2 / 576)).toBeGreaterThan(0.97);
    expect(stats(conv.weight).std / Math.sqrt(2 / 576)).toBeLessThan(1.03);
    expect(Array.from(conv.bias!.dataSync()).every((v) => v === 0)).toBe(true);
    kaimingInit(conv, { mode: 'fan_in', distribution: 'uniform' }, rng);
    const bound = Math.sqrt(3) * Math.sqrt(2 / 72);
    const s = stats(conv.weight);
    expect(s.maxAbs).toBeLessThanOrEqual(bound);
    expect(s.maxAbs).toBeGreaterThan(0.98 * bound);
    conv.dispose();
  });

  it('xavier and torch default init on Linear use fan_in = in_features', () => {
    const fc = new Linear({ in_features: 50, out_features: 200 });
    const rng = new Rng(1);
    xavierInit(fc, { distribution: 'uniform', bias: 0.3 }, rng);
    const bound = Math.sqrt(6 / 250);
    expect(stats(fc.weight).maxAbs).toBeLessThanOrEqual(bound);
    expect(stats(fc.weight).maxAbs).toBeGreaterThan(0.98 * bound);
    expect(fc.bias!.dataSync()[0]).toBeCloseTo(0.3, 6);
    torchDefaultInit(fc, rng);
    expect(stats(fc.weight).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(stats(fc.bias!).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(stats(fc.weight).maxAbs).toBeGreaterThan(0.95 / Math.sqrt(50));
    fc.dispose();
  });
});

describe('initialize (init_cfg)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches `layer` against class and base names', () => {
    const toy = new Toy();
    const before = tf.memory().numTensors;
    initialize(toy, [{ type: 'Constant', val: 2, bias: 1, layer: '_ConvNd' }, { type: 'Constant', val: 3, layer: ['_BatchNorm', 'GroupNorm'] }], new Rng(0));
    expect(tf.memory().numTensors).toBe(before);
    expect(stats(toy.conv.weight).mean).toBe(2);
    expect(stats(toy.conv.bias!).mean).toBe(1);
    expect(stats(toy.bn.weight!).mean).toBe(3);
    expect(stats(toy.fc.weight).maxAbs).toBe(0); // Linear untouched (still zeros)
    toy.dispose();
  });

  it('applies override (with bias_prob) to the named attribute, and an empty override reuses the parent cfg', () => {
    const toy = new Toy();
    initialize(toy, { type: 'Normal', std: 0.01, layer: 'Conv2d', override: { type: 'Normal', name: 'fc', std: 0.01, bias_prob: 0.01 } }, new Rng(0));
    expect(stats(toy.fc.bias!).mean).toBeCloseTo(-4.59512, 4);
    expect(stats(toy.fc.weight).std).toBeGreaterThan(0.003);
    expect(stats(toy.conv.bias!).maxAbs).toBe(0);
    initialize(toy, { type: 'Constant', val: 0, override: { name: 'norm1' } }, new Rng(0));
    expect(stats(toy.bn.weight!).maxAbs).toBe(0);
    toy.dispose();
  });

  it('reports bad init configs with stable codes', () => {
    const toy = new Toy();
    const rng = new Rng(0);
    const code = (f: () => void): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as DetkitError).code;
      }
      return undefined;
    };
    expect(code(() => initialize(toy, { type: 'Constant', val: 1, override: { type: 'Constant' } as never }, rng))).toBe('INIT_BAD_CONFIG');
    expect(() => initialize(toy, { type: 'Constant', val: 1, override: { name: 'head' } }, rng)).toThrow(/module did not have attribute head/);
    expect(code(() => initialize(toy, { type: 'Kaiming', std: 1 }, rng))).toBe('INIT_BAD_ARG');
    expect(() => initialize(toy, { type: 'Kaiming', std: 1 }, rng)).toThrow(/unexpected keyword argument 'std'/);
    expect(code(() => initialize(toy, { type: 'Kaimin' }, rng))).toBe('REGISTRY_TYPE_NOT_FOUND');
    expect(code(() => initialize(toy, { type: 'Pretrained', checkpoint: 'torchvision://resnet50' }, rng))).toBe('INIT_PRETRAINED_UNSUPPORTED');
    expect(code(() => initialize(toy, { type: 'Kaiming', override: { name: 'bn', type: 'Kaiming' } }, rng))).toBe('INIT_FAN_UNDEFINED');
    expect(code(() => initialize(toy, 'Kaiming' as never, rng))).toBe('INIT_BAD_CONFIG');
    toy.dispose();
  });
});

describe('init_weights recursion (mmcv BaseModule semantics)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  class Parent extends Module {
    static override readonly torchName: string = 'Parent';
    readonly direct = this.addModule('direct', new ConvModule({ in_channels: 4, out_channels: 16, kernel_size: 3 }));
    readonly list = this.addModule('list', new ModuleList([new ConvModule({ in_channels: 4, out_channels: 16, kernel_size: 3 })]));
    constructor() {
      super();
      this.init_cfg = { type: 'Constant', val: 0.5, layer: 'Conv2d' };
    }
  }

  it("re-runs a direct ConvModule child's own init after the parent's init_cfg, but not inside a ModuleList", () => {
    const p = new Parent();
    p.initWeights(new Rng(0));
    const listed = p.list.at(0).conv.weight;
    expect(stats(listed).mean).toBe(0.5);
    expect(stats(listed).std).toBe(0);
    const direct = stats(p.direct.conv.weight);
    expect(direct.std / Math.sqrt(2 / (16 * 9))).toBeGreaterThan(0.85); // Kaiming fan_out again
    p.dispose();
  });
});
