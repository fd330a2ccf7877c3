/**
 * SGD / Adam / AdamW / RMSprop against 3-step trajectories computed by hand (float64) from torch
 * 1.13's documented update rules, with p0 = [1, -2] and gradients [0.5, -0.3], [-0.2, 0.4],
 * [0.3, 0.1]; plus state-dict round trips, validation errors and tensor leaks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { OptimizerParams, TorchOptimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

const GRADS = [
  [0.5, -0.3],
  [-0.2, 0.4],
  [0.3, 0.1],
];

beforeAll(async () => {
  await initBackend('cpu');
});

function makeParams(): Map<string, tf.Variable> {
  return new Map([['w', tf.variable(tf.tensor1d([1, -2]))]]);
}

/** Runs 3 steps and returns p after each. */
function trajectory(make: (params: OptimizerParams) => TorchOptimizer): number[][] {
  const params = makeParams();
  const opt = make(params);
  const out: number[][] = [];
  for (const g of GRADS) {
    const grad = tf.tensor1d(g);
    opt.step(new Map([['w', grad]]));
    grad.dispose();
    out.push(Array.from((params.get('w') as tf.Variable).dataSync()));
  }
  opt.dispose();
  params.get('w')?.dispose();
  return out;
}

function expectTraj(actual: number[][], expected: number[][]): void {
  for (let s = 0; s < expected.length; s++) {
    for (let i = 0; i < 2; i++) expect(actual[s][i], `step ${s + 1}, element ${i}`).toBeCloseTo(expected[s][i], 5);
  }
}

describe('SGD (torch.optim.SGD rules)', () => {
  it('momentum 0.9 + weight_decay 0.01, lr 0.1', () => {
    // step 1: d = 0.5 + 0.01*1 = 0.51, buf = d, p = 1 - 0.051 = 0.949
    // step 2: d = -0.2 + 0.00949, buf = 0.9*0.51 + d = 0.26849, p = 0.922151
    expectTraj(trajectory((params) => new SGD({ lr: 0.1, momentum: 0.9, weight_decay: 0.01, params })), [
      [0.949, -1.968],
      [0.922151, -1.977232],
      [0.867064749, -1.993563568],
    ]);
  });
  it('nesterov', () => {
    // step 1: buf = 0.5, d = 0.5 + 0.9*0.5 = 0.95, p = 1 - 0.095
    expectTraj(trajectory((params) => new SGD({ lr: 0.1, momentum: 0.9, nesterov: true, params })), [
      [0.905, -1.943],
      [0.9025, -1.9947],
      [0.82525, -2.02423],
    ]);
  });
  it('dampening applies from the second step on (first buf = d)', () => {
    expectTraj(trajectory((params) => new SGD({ lr: 0.1, momentum: 0.8, dampening: 0.5, params })), [
      [0.95, -1.97],
      [0.92, -1.966],
      [0.881, -1.9678],
    ]);
  });
  it('plain SGD', () => {
    expectTraj(trajectory((params) => new SGD({ lr: 0.1, params })), [
      [0.95, -1.97],
      [0.97, -2.01],
      [0.94, -2.02],
    ]);
  });
  it('validates like torch', () => {
    expect(() => new SGD({ lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new SGD({ lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new SGD({} as never)).toThrow("required optimization parameter lr");
    expect(() => new SGD({ lr: 0.1, betas: [0.9, 0.9] } as never)).toThrow("unexpected keyword argument 'betas'");
  });
  it('has momentum in every group (momentum hooks need the key) and its defaults', () => {
    const opt = new SGD({ lr: 0.02 });
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.02, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false });
    expect(opt.defaults).toHaveProperty('momentum');
    expect(opt.type).toBe('SGD');
  });
});

describe('Adam / AdamW (torch rules, bias-corrected)', () => {
  it('Adam defaults, lr 0.01', () => {
    expectTraj(trajectory((params) => new Adam({ lr: 0.01, params })), [
      [0.9900000002, -1.9900000003333334],
      [0.9865439418116511, -1.9919351043699691],
      [0.9810995383681155, -1.9946554950011728],
    ]);
  });
  it('Adam amsgrad + L2 weight decay', () => {
    expectTraj(trajectory((params) => new Adam({ lr: 0.01, betas: [0.8, 0.9], weight_decay: 0.1, amsgrad: true, params })), [
      [0.9900000001666667, -1.9900000002],
      [0.9851628202062451, -1.9870419463030096],
      [0.9781793998894489, -1.9836643951627604],
    ]);
  });
  it('AdamW decoupled decay (p *= 1 - lr*wd first)', () => {
    expectTraj(trajectory((params) => new AdamW({ lr: 0.01, weight_decay: 0.5, params })), [
      [0.9850000002, -1.9800000003333333],
      [0.976618941810651, -1.9720351043683024],
      [0.9662914436580622, -1.9648953194776646],
    ]);
  });
  it('AdamW defaults to weight_decay 1e-2, groups carry betas and no momentum key', () => {
    const opt = new AdamW({});
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false });
    expect('momentum' in opt.paramGroups[0]).toBe(false);
    expect(() => new Adam({ betas: [1, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
  });
});

describe('RMSprop (torch rules)', () => {
  it('plain', () => {
    expectTraj(trajectory((params) => new RMSprop({ lr: 0.01, params })), [
      [0.900000019999996, -1.9000000333333222],
      [0.9373002053730881, -1.9801444072456034],
      [0.8882859052415076, -1.9998851719537913],
    ]);
  });
  it('centered + momentum + weight decay', () => {
    expectTraj(trajectory((params) => new RMSprop({ lr: 0.01, alpha: 0.9, weight_decay: 0.1, momentum: 0.5, centered: true, params })), [
      [0.9666666685185185, -1.9666666688888887],
      [0.9558165470267806, -1.9626039001831903],
      [0.9305004194368751, -1.9543439564795426],
    ]);
  });
});

describe('optimizer state', () => {
  const makers: Array<[string, (p: OptimizerParams) => TorchOptimizer]> = [
    ['SGD', (params) => new SGD({ lr: 0.1, momentum: 0.9, nesterov: true, params })],
    ['Adam', (params) => new Adam({ lr: 0.01, amsgrad: true, params })],
    ['AdamW', (params) => new AdamW({ lr: 0.01, params })],
    ['RMSprop', (params) => new RMSprop({ lr: 0.01, momentum: 0.5, centered: true, params })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: stateDict → loadStateDict into a fresh optimizer continues the same trajectory`, () => {
      const pa = makeParams();
      const pb = makeParams();
      const a = make(pa);
      const step = (opt: TorchOptimizer, g: number[]): void => {
        const t = tf.tensor1d(g);
        opt.step(new Map([['w', t]]));
        t.dispose();
      };
      step(a, GRADS[0]);
      step(a, GRADS[1]);
      const sd = a.stateDict();
      sd.param_groups[0].lr = 0.05; // hyper-parameters come from the state dict, as in torch
      const b = make(pb);
      (pb.get('w') as tf.Variable).assign(pa.get('w') as tf.Variable);
      b.loadStateDict(sd);
      for (const t of sd.state.values()) t.dispose();
      a.paramGroups[0].lr = 0.05;
      step(a, GRADS[2]);
      step(b, GRADS[2]);
      expect(Array.from((pb.get('w') as tf.Variable).dataSync())).toEqual(Array.from((pa.get('w') as tf.Variable).dataSync()));
      expect(b.paramGroups[0].params).toEqual(['w']);
      const again = b.stateDict();
      expect([...again.state.keys()].sort()).toEqual([...a.stateDict().state.keys()].sort());
      a.dispose();
      b.dispose();
      for (const t of again.state.values()) t.dispose();
      for (const v of [...pa.values(), ...pb.values()]) v.dispose();
    });
  }

  it('loadStateDict rejects a group-count mismatch and a wrong buffer shape', () => {
    const params = makeParams();
    const opt = new SGD({ lr: 0.1, momentum: 0.9, params });
    expect(() => opt.loadStateDict({ state: new Map(), param_groups: [] })).toThrow('different number of parameter groups');
    const bad = tf.zeros([3]);
    expect(() => opt.loadStateDict({ state: new Map([['w/momentum_buffer', bad]]), param_groups: opt.stateDict().param_groups })).toThrow(/shape \[3\]/);
    bad.dispose();
    opt.dispose();
    params.get('w')?.dispose();
  });

  for (const [name, make] of makers) {
    it(`${name}: no tensor leak across 50 steps`, () => {
      const params = makeParams();
      const opt = make(params);
      const grad = tf.tensor1d([0.1, -0.2]);
      const grads = new Map([['w', grad]]);
      opt.step(grads); // creates the buffers
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) opt.step(grads);
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      grad.dispose();
      params.get('w')?.dispose();
    });
  }

  it('skips parameters without a gradient and uses per-group hyper-parameters', () => {
    const a = tf.variable(tf.scalar(1));
    const b = tf.variable(tf.scalar(1));
    const opt = new SGD({ lr: 0.1, params: { variables: new Map([['a', a], ['b', b]]), groups: [{ params: ['a'] }, { params: ['b'], lr: 0.5 }] } });
    const g = tf.scalar(1);
    opt.step(new Map([['b', g]]));
    expect(a.dataSync()[0]).toBe(1);
    expect(b.dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(() => new SGD({ lr: 0.1, params: { variables: new Map([['a', a]]), groups: [{ params: ['a'] }, { params: ['a'] }] } })).toThrow(
      'some parameters appear in more than one parameter group',
    );
    for (const t of [a, b, g]) t.dispose();
    opt.dispose();
  });
});

describe('on the wasm backend (the default)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  it('SGD, Adam and centered RMSprop follow the same trajectories', () => {
    expect(tf.getBackend()).toBe('wasm');
    expectTraj(trajectory((params) => new SGD({ lr: 0.1, momentum: 0.9, weight_decay: 0.01, params })), [
      [0.949, -1.968],
      [0.922151, -1.977232],
      [0.867064749, -1.993563568],
    ]);
    expectTraj(trajectory((params) => new Adam({ lr: 0.01, betas: [0.8, 0.9], weight_decay: 0.1, amsgrad: true, params })), [
      [0.9900000001666667, -1.9900000002],
      [0.9851628202062451, -1.9870419463030096],
      [0.9781793998894489, -1.9836643951627604],
    ]);
    expectTraj(trajectory((params) => new RMSprop({ lr: 0.01, alpha: 0.9, weight_decay: 0.1, momentum: 0.5, centered: true, params })), [
      [0.9666666685185185, -1.9666666688888887],
      [0.9558165470267806, -1.9626039001831903],
      [0.9305004194368751, -1.9543439564795426],
    ]);
  });
});
