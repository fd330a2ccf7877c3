import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { loadTorchStateDict } from '../../nn/torch_layout.js';
import { MODELS } from '../../registry/root.js';
import type { DetkitError } from '../../utils/errors.js';
import { Rng } from '../../utils/rng.js';
import '../index.js';
import { ResNet } from '../backbones/resnet.js';
import { FPN } from './fpn.js';

const zeros = (shapes: [number, number, number, number][]): tf.Tensor4D[] => shapes.map((s) => tf.zeros(s));

/** Sets every conv of a 1-channel FPN to the identity: lateral 1x1 weight 1, fpn 3x3 centre tap 1, biases 0. */
function identityFpn(fpn: FPN): void {
  const state = new Map<string, tf.Tensor>();
  for (const [k, v] of fpn.stateDict()) {
    if (k.endsWith('bias')) state.set(k, tf.zeros(v.shape));
    else if (v.shape[0] === 1) state.set(k, tf.ones([1, 1, 1, 1]));
    else state.set(k, tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 3, 3]));
  }
  loadTorchStateDict(fpn, state);
  tf.dispose([...state.values()]);
}

describe('FPN', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('RetinaNet neck: P3-P7 from a ResNet-18 on a 64x64 image, mmdet parameter names', () => {
    const backbone = new ResNet({ depth: 18, base_channels: 8 });
    const fpn = MODELS.build<FPN>({ type: 'FPN', in_channels: [8, 16, 32, 64], out_channels: 16, start_level: 1, add_extra_convs: 'on_input', num_outs: 5 });
    backbone.initWeights(new Rng(0));
    fpn.initWeights(new Rng(1));
    const keys = [...fpn.stateDict().keys()];
    expect(keys).toEqual([
      ...[0, 1, 2].flatMap((i) => [`lateral_convs.${i}.conv.weight`, `lateral_convs.${i}.conv.bias`]),
      ...[0, 1, 2, 3, 4].flatMap((i) => [`fpn_convs.${i}.conv.weight`, `fpn_convs.${i}.conv.bias`]),
    ]);
    expect(fpn.stateDict().get('fpn_convs.3.conv.weight')!.shape).toEqual([3, 3, 64, 16]); // on_input: from C5
    expect(fpn.stateDict().get('fpn_convs.4.conv.weight')!.shape).toEqual([3, 3, 16, 16]);
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const feats = backbone.forward(x);
    const before = tf.memory().numTensors;
    const outs = fpn.forward(feats);
    expect(outs.map((o) => o.shape)).toEqual([[1, 8, 8, 16], [1, 4, 4, 16], [1, 2, 2, 16], [1, 1, 1, 16], [1, 1, 1, 16]]);
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...feats, x]);
    backbone.dispose();
    fpn.dispose();
  });

  it('Faster R-CNN neck: extra level by stride-2 max-pool (kernel 1), no extra convs', () => {
    const fpn = new FPN({ in_channels: [2, 4, 8, 16], out_channels: 4, num_outs: 5 });
    expect(fpn.fpn_convs.length).toBe(4);
    const outs = fpn.forward(zeros([[1, 24, 24, 2], [1, 12, 12, 4], [1, 6, 6, 8], [1, 3, 3, 16]]));
    expect(outs.map((o) => o.shape[1])).toEqual([24, 12, 6, 3, 2]);
    tf.dispose(outs);
    fpn.dispose();
  });

  it('adds the nearest-upsampled upper level (torch index floor(dst·in/out)) before the 3x3 conv', () => {
    const fpn = new FPN({ in_channels: [1, 1], out_channels: 1, num_outs: 2 });
    identityFpn(fpn);
    const lower = tf.tensor4d([0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 3, 1]);
    const upper = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const [p0, p1] = fpn.forward([lower, upper]);
    // 2 → 3 rows: src rows floor([0, 2/3, 4/3]) = [0, 0, 1]
    expect(Array.from(p0!.dataSync())).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
    expect(Array.from(p1!.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([p0!, p1!, lower, upper]);
    fpn.dispose();
  });

  it('takes extra convs from the lateral or the output, with relu_before_extra_convs', () => {
    const inputs = (): tf.Tensor4D[] => [tf.fill([1, 4, 4, 1], -1) as tf.Tensor4D, tf.fill([1, 2, 2, 1], -2) as tf.Tensor4D];
    for (const [mode, expected] of [
      ['on_lateral', [-2, 0]], // P2 = conv(lateral of C1 = -2); P3 = conv(relu(P2)) = 0
      ['on_output', [-2, 0]],
      ['on_input', [-2, 0]],
    ] as const) {
      const fpn = new FPN({ in_channels: [1, 1], out_channels: 1, num_outs: 4, add_extra_convs: mode, relu_before_extra_convs: true });
      identityFpn(fpn);
      const xs = inputs();
      const outs = fpn.forward(xs);
      expect(outs.map((o) => o.shape[1])).toEqual([4, 2, 1, 1]);
      expect([outs[2]!.dataSync()[0], outs[3]!.dataSync()[0]]).toEqual(expected);
      tf.dispose([...outs, ...xs]);
      fpn.dispose();
    }
    const on = new FPN({ in_channels: [1, 1], out_channels: 1, num_outs: 3, add_extra_convs: true });
    expect(on.add_extra_convs).toBe('on_input');
    on.dispose();
  });

  it('uses Xavier-uniform init on convs with zero bias by default', () => {
    const fpn = new FPN({ in_channels: [32], out_channels: 64, num_outs: 1 });
    fpn.initWeights(new Rng(0));
    const w = Array.from(fpn.stateDict().get('fpn_convs.0.conv.weight')!.dataSync());
    const bound = Math.sqrt(6 / (64 * 9 + 64 * 9));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.98 * bound);
    expect(Array.from(fpn.stateDict().get('lateral_convs.0.conv.bias')!.dataSync()).every((v) => v === 0)).toBe(true);
    fpn.dispose();
  });

  it('passes gradients to every conv', () => {
    gradientsFlow();
  });

  it('reports config errors with the config key path', () => {
    const err = (cfg: Record<string, unknown>): DetkitError => {
      try {
        MODELS.build({ type: 'FPN', in_channels: [8, 16], out_channels: 8, num_outs: 2, ...cfg }, undefined, { path: 'model.neck' });
      } catch (e) {
        return e as DetkitError;
      }
      throw new Error('no error');
    };
    expect(err({ num_outs: 1 }).configPath).toBe('model.neck.num_outs');
    expect(err({ add_extra_convs: 'on_inputs' }).configPath).toBe('model.neck.add_extra_convs');
    expect(err({ out_channel: 8 }).message).toMatch(/unexpected keyword argument 'out_channel'/);
    expect(err({ end_level: 0, num_outs: 2 }).configPath).toBe('model.neck.num_outs');
    expect(err({ norm_cfg: { type: 'GN' } }).code).toBe('NN_BAD_NORM_CFG');
    const fpn = new FPN({ in_channels: [2, 4], out_channels: 4, num_outs: 2 });
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => fpn.forward([x])).toThrow(/FPN expects 2 input levels \(in_channels\), got 1/);
    x.dispose();
    fpn.dispose();
  });
});

/** Backward through lateral, top-down upsampling and extra convs: every conv gets a non-zero gradient. */
function gradientsFlow(): void {
  const fpn = new FPN({ in_channels: [2, 4], out_channels: 4, num_outs: 3, add_extra_convs: 'on_output' });
  fpn.initWeights(new Rng(0));
  const xs = [tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 1) as tf.Tensor4D, tf.randomNormal([1, 4, 4, 4], 0, 1, 'float32', 2) as tf.Tensor4D];
  const { value, grads } = tf.variableGrads(() => tf.addN(fpn.forward(xs).map((o) => tf.sum(tf.square(o)))) as tf.Scalar, [...fpn.namedParameters().values()]);
  expect(Object.keys(grads).length).toBe(10);
  for (const g of Object.values(grads)) expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
  tf.dispose([value, ...Object.values(grads), ...xs]);
  fpn.dispose();
}

describe('FPN on wasm (with backend kernel gaps)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('passes gradients to every conv', () => {
    gradientsFlow();
  });
});
