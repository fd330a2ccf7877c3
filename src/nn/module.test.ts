import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { DetkitError } from '../utils/errors.js';
import { Rng } from '../utils/rng.js';
import { BatchNorm2d } from './batch_norm.js';
import { Sequential } from './container.js';
import { Conv2d } from './conv2d.js';
import { ConvModule } from './conv_module.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { ReLU } from './activation.js';
import './index.js';

class Block extends Module {
  static override readonly torchName: string = 'Block';
  readonly conv1 = this.addModule('conv1', new Conv2d({ in_channels: 2, out_channels: 3, kernel_size: 3, padding: 1, bias: false }));
  readonly bn1 = this.addModule('bn1', new BatchNorm2d({ num_features: 3 }));
  readonly downsample = this.addModule(
    'downsample',
    new Sequential([new Conv2d({ in_channels: 2, out_channels: 3, kernel_size: 1, bias: false }), new BatchNorm2d({ num_features: 3 })]),
  );
  constructor() {
    super();
    this.addAlias('norm1', 'bn1');
  }
}

class Net extends Module {
  static override readonly torchName: string = 'Net';
  readonly layer1 = this.addModule('layer1', new Sequential([new Block() as never]));
  readonly fc = this.addModule('fc', new Linear({ in_features: 3, out_features: 2 }));
}

describe('Module', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('names parameters and buffers as PyTorch state dicts', () => {
    const net = new Net();
    expect([...net.stateDict().keys()]).toEqual([
      'layer1.0.conv1.weight',
      'layer1.0.bn1.weight',
      'layer1.0.bn1.bias',
      'layer1.0.bn1.running_mean',
      'layer1.0.bn1.running_var',
      'layer1.0.bn1.num_batches_tracked',
      'layer1.0.downsample.0.weight',
      'layer1.0.downsample.1.weight',
      'layer1.0.downsample.1.bias',
      'layer1.0.downsample.1.running_mean',
      'layer1.0.downsample.1.running_var',
      'layer1.0.downsample.1.num_batches_tracked',
      'fc.weight',
      'fc.bias',
    ]);
    expect([...net.namedModules().keys()]).toEqual(['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'layer1.0.bn1', 'layer1.0.downsample', 'layer1.0.downsample.0', 'layer1.0.downsample.1', 'fc']);
    expect(net.getAttr('layer1.0.norm1')).toBe(net.getAttr('layer1.0.bn1'));
    expect(net.paramLayouts().get('fc.weight')).toBe('linear');
    expect(net.paramLayouts().get('layer1.0.conv1.weight')).toBe('conv2d');
    expect(net.paramKinds().get('layer1.0.bn1.bias')).toEqual({ isNorm: true, isBias: true, isDepthwise: false });
    expect(net.paramKinds().get('fc.bias')).toEqual({ isNorm: false, isBias: true, isDepthwise: false });
    net.dispose();
  });

  it('lists only trainable parameters in namedParameters', () => {
    const net = new Net();
    expect(net.namedParameters().size).toBe(8);
    net.layer1.requiresGrad(false);
    expect([...net.namedParameters().keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(net.allParameters().size).toBe(8);
    net.dispose();
  });

  it('round-trips a state dict and reports missing/unexpected keys', () => {
    const a = new Net();
    a.initWeights(new Rng(1));
    const b = new Net();
    b.initWeights(new Rng(2));
    const before = tf.memory().numTensors;
    expect(b.loadStateDict(a.stateDict())).toEqual({ missing: [], unexpected: [] });
    expect(tf.memory().numTensors).toBe(before);
    for (const [k, v] of a.stateDict()) expect(Array.from(b.stateDict().get(k)!.dataSync())).toEqual(Array.from(v.dataSync()));
    const partial = new Map(a.stateDict());
    partial.delete('fc.bias');
    const extra = tf.zeros([1]);
    partial.set('head.weight', extra);
    expect(b.loadStateDict(partial, { strict: false })).toEqual({ missing: ['fc.bias'], unexpected: ['head.weight'] });
    let err: unknown;
    try {
      b.loadStateDict(partial);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as DetkitError).code).toBe('STATE_DICT_KEY_MISMATCH');
    expect((err as Error).message).toMatch(/Missing key\(s\) in state_dict: "fc.bias"\.\s+Unexpected key\(s\) in state_dict: "head.weight"\./);
    extra.dispose();
    a.dispose();
    b.dispose();
  });

  it('throws on a shape mismatch naming the key and both shapes, writing nothing', () => {
    const net = new Net();
    const bad = tf.zeros([4, 3]);
    const keep = tf.tidy(() => net.fc.bias!.clone());
    const state = new Map<string, tf.Tensor>([['fc.weight', bad], ['fc.bias', tf.ones([2])]]);
    expect(() => net.loadStateDict(state, { strict: false })).toThrow(
      /size mismatch for fc\.weight: copying a param with shape \[4, 3\] from checkpoint, the shape in current model is \[3, 2\]/,
    );
    try {
      net.loadStateDict(state, { strict: false });
    } catch (e) {
      expect((e as DetkitError).code).toBe('STATE_DICT_SHAPE_MISMATCH');
    }
    expect(Array.from(net.fc.bias!.dataSync())).toEqual(Array.from(keep.dataSync()));
    tf.dispose([bad, keep, state.get('fc.bias')!]);
    net.dispose();
  });

  it('casts dtype differences (float num_batches_tracked)', () => {
    const bn = new BatchNorm2d({ num_features: 1 });
    const t = tf.scalar(3);
    bn.loadStateDict(new Map([['num_batches_tracked', t]]), { strict: false });
    expect(bn.num_batches_tracked!.dtype).toBe('int32');
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(3);
    t.dispose();
    bn.dispose();
  });

  it('switches train/eval recursively', () => {
    const net = new Net();
    expect([...net.namedModules().values()].every((m) => m.training)).toBe(true);
    net.eval();
    expect([...net.namedModules().values()].some((m) => m.training)).toBe(false);
    net.train();
    expect(net.layer1.at(0).training).toBe(true);
    net.dispose();
  });

  it('frees every variable on dispose', () => {
    const before = tf.memory().numTensors;
    const net = new Net();
    net.initWeights(new Rng(0));
    expect(tf.memory().numTensors).toBe(before + 14);
    net.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('initialises deterministically from the seed', () => {
    const a = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 3 });
    const b = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 3 });
    a.initWeights(new Rng(42));
    b.initWeights(new Rng(42));
    expect(Array.from(a.conv.weight.dataSync())).toEqual(Array.from(b.conv.weight.dataSync()));
    b.initWeights(new Rng(43));
    expect(Array.from(a.conv.weight.dataSync())).not.toEqual(Array.from(b.conv.weight.dataSync()));
    a.dispose();
    b.dispose();
  });

  it('rejects duplicate or dotted names', () => {
    const m = new Module();
    m.addModule('relu', new ReLU());
    expect(() => m.addModule('relu', new ReLU())).toThrow(/already exists/);
    expect(() => m.addModule('a.b', new ReLU())).toThrow(/no "\."/);
  });
});

describe('Module satisfies the engine contract', () => {
  it('has every TrainableModel member but the step methods (type-level)', () => {
    type Contract = Omit<import('../engine/types.js').TrainableModel, 'train_step' | 'val_step'>;
    expectTypeOf<Module>().toMatchTypeOf<Contract>();
  });
});
