/**
 * `buildOptimizer` / DefaultOptimizerConstructor: mmcv's paramwise rules (custom keys by length
 * then alphabet, bias/norm/dwconv multipliers, bypass_duplicate), checked by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { buildOptimizer, inferParamKind, type OptimizableModel, type ParamKind } from './default_constructor.js';

let vars: Map<string, tf.Variable>;
beforeAll(async () => {
  await initBackend('cpu');
  vars = new Map(
    ['backbone.conv1.weight', 'backbone.bn1.weight', 'backbone.bn1.bias', 'neck.conv.bias', 'neck.cls_conv.weight', 'head.dw.weight', 'head.cls.weight', 'x.abc'].map((n) => [
      n,
      tf.variable(tf.zeros([1]), true, `dc_${n}`),
    ]),
  );
});
afterAll(() => {
  for (const v of vars.values()) v.dispose();
});

function model(kinds?: Record<string, Partial<ParamKind>>): OptimizableModel {
  const m: OptimizableModel = { namedParameters: () => vars };
  if (kinds !== undefined) {
    m.paramKinds = () => new Map([...vars.keys()].map((n) => [n, { ...inferParamKind(n), ...(kinds[n] ?? {}) }]));
  }
  return m;
}

describe('buildOptimizer', () => {
  it('without paramwise_cfg: one group with every parameter', () => {
    const opt = buildOptimizer(model(), { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 1e-4 });
    expect(opt.type).toBe('SGD');
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.paramGroups[0]).toMatchObject({ params: [...vars.keys()], lr: 0.02, momentum: 0.9, weight_decay: 1e-4 });
  });

  it('paramwise_cfg: one group per parameter with mmcv’s precedence', () => {
    const opt = buildOptimizer(model({ 'head.dw.weight': { isDepthwise: true } }), {
      type: 'SGD',
      lr: 0.01,
      momentum: 0.9,
      weight_decay: 1e-4,
      paramwise_cfg: {
        bias_lr_mult: 2,
        bias_decay_mult: 0,
        norm_decay_mult: 0,
        dwconv_decay_mult: 0.5,
        custom_keys: { cls: { lr_mult: 3 }, 'head.cls': { lr_mult: 0.1, decay_mult: 0 }, bc: { lr_mult: 2 }, ab: { lr_mult: 5 } },
      },
    });
    const byName = new Map(opt.paramGroups.map((g) => [g.params[0], g]));
    expect(opt.paramGroups).toHaveLength(vars.size);
    const lrWd = (n: string): [number, number] => [byName.get(n)?.lr as number, byName.get(n)?.weight_decay as number];
    expect(lrWd('backbone.conv1.weight')).toEqual([0.01, 1e-4]);
    expect(lrWd('backbone.bn1.weight')).toEqual([0.01, 0]); // norm: decay × 0
    expect(lrWd('backbone.bn1.bias')).toEqual([0.01, 0]); // norm bias: no bias_lr_mult
    expect(lrWd('neck.conv.bias')).toEqual([0.02, 0]); // bias: lr × 2, decay × 0
    expect(lrWd('head.dw.weight')).toEqual([0.01, 0.5e-4]); // depthwise
    expect(lrWd('head.cls.weight')[0]).toBeCloseTo(0.001, 15); // longest key wins over 'cls'
    expect(lrWd('head.cls.weight')[1]).toBe(0);
    expect(lrWd('neck.cls_conv.weight')[0]).toBeCloseTo(0.03, 15);
    expect(lrWd('neck.cls_conv.weight')[1]).toBe(1e-4); // custom key without decay_mult: × 1
    expect(lrWd('x.abc')[0]).toBeCloseTo(0.05, 15); // equal lengths: alphabetical, 'ab' before 'bc'
  });

  it('infers norm layers and biases from names when the model gives no kinds', () => {
    expect(inferParamKind('backbone.layer1.0.bn2.weight')).toEqual({ isBias: false, isNorm: true, isDepthwise: false });
    expect(inferParamKind('neck.fpn_convs.0.conv.bias')).toEqual({ isBias: true, isNorm: false, isDepthwise: false });
    expect(inferParamKind('head.gn.bias').isNorm).toBe(true);
  });

  it('bypass_duplicate skips a shared variable with a warning; otherwise it is an error', () => {
    const shared = tf.variable(tf.zeros([1]), true, 'dc_shared');
    const tied: OptimizableModel = { namedParameters: () => new Map([['a.weight', shared], ['b.weight', shared]]) };
    const warnings: string[] = [];
    const opt = buildOptimizer(tied, { type: 'SGD', lr: 0.1, paramwise_cfg: { bypass_duplicate: true } }, (m) => warnings.push(m));
    expect(opt.paramGroups.map((g) => g.params)).toEqual([['a.weight']]);
    expect(warnings).toEqual(['b is duplicate. It is skipped since bypass_duplicate=True']);
    expect(() => buildOptimizer(tied, { type: 'SGD', lr: 0.1, paramwise_cfg: { bias_lr_mult: 1 } })).toThrow('some parameters appear in more than one parameter group');
    shared.dispose();
  });

  it('rejects decay multipliers without weight_decay, unknown keys and types, naming the config path', () => {
    expect(() => buildOptimizer(model(), { type: 'SGD', lr: 0.1, paramwise_cfg: { norm_decay_mult: 0 } })).toThrow(
      expect.objectContaining({ message: 'base_wd should not be None', configPath: 'optimizer.paramwise_cfg' }),
    );
    expect(() => buildOptimizer(model(), { type: 'SGD', lr: 0.1, paramwise_cfg: { custom_keys: { head: { decay_mult: 0 } } } })).toThrow('base_wd should not be None');
    expect(() => buildOptimizer(model(), { type: 'SGD', lr: 0.1, paramwise_cfg: { bias_lr_mul: 2 } as never })).toThrow("unexpected keyword argument 'bias_lr_mul'");
    expect(() => buildOptimizer(model(), { type: 'SDG', lr: 0.1 })).toThrow(expect.objectContaining({ code: 'REGISTRY_TYPE_NOT_FOUND', configPath: 'optimizer.type' }));
    expect(() => buildOptimizer(model(), { type: 'SGD', lr: -0.1 })).toThrow(expect.objectContaining({ code: 'OPTIM_INVALID_VALUE', configPath: 'optimizer' }));
  });

  it('builds Adam / AdamW / RMSprop with torch defaults', () => {
    expect(buildOptimizer(model(), { type: 'AdamW', lr: 1e-4 }).paramGroups[0]).toMatchObject({ lr: 1e-4, weight_decay: 1e-2, betas: [0.9, 0.999] });
    expect(buildOptimizer(model(), { type: 'RMSprop' }).paramGroups[0]).toMatchObject({ lr: 1e-2, alpha: 0.99, momentum: 0 });
    expect(buildOptimizer(model(), { type: 'Adam', lr: 1e-3, paramwise_cfg: { bias_lr_mult: 2 } }).paramGroups.find((g) => g.params[0] === 'neck.conv.bias')?.lr).toBe(2e-3);
  });
});
