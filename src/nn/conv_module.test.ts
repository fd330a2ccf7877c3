import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { Rng } from '../utils/rng.js';
import { BatchNorm2d } from './batch_norm.js';
import { ConvModule } from './conv_module.js';
import { GroupNorm } from './group_norm.js';
import './index.js';

for (const backend of ['cpu', 'wasm'] as const) describe(`ConvModule (${backend})`, () => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('names its layers as mmcv and adds a bias only without norm (bias auto)', () => {
    const plain = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 3, padding: 1 });
    expect([...plain.stateDict().keys()]).toEqual(['conv.weight', 'conv.bias']);
    const bn = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 3, norm_cfg: { type: 'BN', requires_grad: true } });
    expect([...bn.stateDict().keys()]).toEqual(['conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(bn.norm).toBeInstanceOf(BatchNorm2d);
    const gn = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 1, norm_cfg: { type: 'GN', num_groups: 2 }, bias: true, act_cfg: null });
    expect([...gn.stateDict().keys()]).toEqual(['conv.weight', 'conv.bias', 'gn.weight', 'gn.bias']);
    expect(gn.norm).toBeInstanceOf(GroupNorm);
    expect(gn.activate).toBeNull();
    // norm before conv normalises the input channels
    const pre = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 1, norm_cfg: { type: 'BN' }, order: ['norm', 'conv', 'act'] });
    expect((pre.norm as BatchNorm2d).num_features).toBe(3);
    for (const m of [plain, bn, gn, pre]) m.dispose();
  });

  it('computes relu(bn(conv(x))) with mmcv init (Kaiming fan_out, norm 1/0)', () => {
    const m = new ConvModule({ in_channels: 2, out_channels: 8, kernel_size: 3, padding: 1, norm_cfg: { type: 'BN' } });
    m.initWeights(new Rng(0));
    expect(Array.from((m.norm as BatchNorm2d).weight!.dataSync()).every((v) => v === 1)).toBe(true);
    const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = m.forward(x);
    const ref = tf.tidy(() => {
      const c = tf.conv2d(x, m.conv.weight as tf.Tensor4D, 1, 1);
      const { mean, variance } = tf.moments(c, [0, 1, 2]);
      return tf.relu(tf.div(tf.sub(c, mean), tf.sqrt(tf.add(variance, 1e-5))));
    });
    const a = y.dataSync();
    const b = ref.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 4);
    tf.dispose([y, ref]);
    expect(tf.memory().numTensors).toBe(before);
    // activate=false skips the ReLU: some outputs are negative
    const noAct = m.forward(x, false);
    expect(tf.tidy(() => tf.min(noAct).dataSync()[0]!)).toBeLessThan(0);
    tf.dispose([noAct, x]);
    m.dispose();
  });

  it('fuses norm → ReLU: same values and gradients as norm then ReLU', () => {
    for (const norm_cfg of [{ type: 'GN', num_groups: 2 }, { type: 'BN' }]) {
      const m = new ConvModule({ in_channels: 3, out_channels: 4, kernel_size: 3, padding: 1, norm_cfg });
      m.initWeights(new Rng(1));
      m.train(true);
      const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const vars = [m.conv.weight, (m.norm as GroupNorm | BatchNorm2d).weight!];
      const fused = tf.variableGrads(() => tf.sum(tf.square(m.forward(x))) as tf.Scalar, vars);
      const split = tf.variableGrads(() => tf.sum(tf.square(tf.relu(m.norm!.forward(m.conv.forward(x))))) as tf.Scalar, vars);
      expect(fused.value.dataSync()[0]).toBeCloseTo(split.value.dataSync()[0]!, 3);
      for (const v of vars) {
        const a = fused.grads[v.name]!.dataSync();
        const b = split.grads[v.name]!.dataSync();
        const scale = Math.max(...Array.from(b, Math.abs));
        expect(Math.max(...Array.from(a, (e, i) => Math.abs(e - b[i]!))) / scale).toBeLessThan(1e-5);
      }
      tf.dispose([x, fused.value, split.value, ...Object.values(fused.grads), ...Object.values(split.grads)]);
      m.dispose();
    }
  });

  it('uses the leaky_relu gain for LeakyReLU', () => {
    const m = new ConvModule({ in_channels: 64, out_channels: 64, kernel_size: 3, act_cfg: { type: 'LeakyReLU', negative_slope: 1 } });
    m.initWeights(new Rng(1));
    const d = Array.from(m.conv.weight.dataSync());
    const std = Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
    // gain sqrt(2/(1+1)) = 1, fan_out 64*9
    expect(std / (1 / Math.sqrt(576))).toBeGreaterThan(0.97);
    expect(std / (1 / Math.sqrt(576))).toBeLessThan(1.03);
    m.dispose();
  });

  it('rejects a bad order and unknown layer types with the registry hint', () => {
    expect(() => new ConvModule({ in_channels: 1, out_channels: 1, kernel_size: 1, order: ['conv', 'conv', 'act'] })).toThrow(/permutation/);
    expect(() => new ConvModule({ in_channels: 1, out_channels: 1, kernel_size: 1, act_cfg: { type: 'Relu' } })).toThrow(/Relu is not in the mmcv::activation layer registry.*'ReLU'/);
    expect(() => new ConvModule({ in_channels: 1, out_channels: 1, kernel_size: 1, conv_cfg: { type: 'DCN' } })).toThrow(/DCN is not in the mmcv::conv layer registry/);
  });
});
