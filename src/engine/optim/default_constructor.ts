/**
 * @module Port of `mmcv/runner/optimizer/default_constructor.py` and `builder.py` @ v1.7.2:
 * `DefaultOptimizerConstructor` with `paramwise_cfg`, and `buildOptimizer(model, cfg)`.
 *
 * Without `paramwise_cfg` every parameter goes into one group. With it, each parameter gets its own
 * group, whose `lr` / `weight_decay` follow (first match wins):
 * 1. `custom_keys`: keys sorted alphabetically, then by length (longest first); the first key that
 *    is a substring of the parameter's name sets `lr = lr * lr_mult` and
 *    `weight_decay = weight_decay * decay_mult`;
 * 2. otherwise: biases (not of norm layers) get `bias_lr_mult`; weight decay is scaled by
 *    `norm_decay_mult` for norm layers, else `dwconv_decay_mult` for depthwise convs, else
 *    `bias_decay_mult` for biases.
 *
 * Porting notes: mmcv walks `nn.Module`s; detkit sees names only, so a model may say which
 * parameters belong to norm layers / depthwise convs via {@link ParamKindsProvider}; without it,
 * norm layers are recognised by module names (`bn`, `bn1`, `gn`, `ln`, `norm`, `norm1`, ...) and no
 * parameter is treated as depthwise. DCN-specific rules (`dcn_offset_lr_mult`) are not ported.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { OPTIMIZER_BUILDERS, OPTIMIZERS } from '../../registry/root.js';
import { configFileOf, configPathOf } from '../../utils/config_meta.js';
import { DetkitError, TypeError_, ValueError } from '../../utils/errors.js';
import { checkArgs } from './args.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { OptimizerParams, ParamGroupInput } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';
import type { Optimizer } from './types.js';

/** What the constructor needs to know about one parameter. */
export interface ParamKind {
  /** The parameter belongs to a norm layer (BN, GN, LN, IN). */
  isNorm: boolean;
  /** The parameter belongs to a depthwise conv (`in_channels == groups`). */
  isDepthwise: boolean;
  /** The parameter's own name is `bias`. */
  isBias: boolean;
}

/** Optional model capability: the kind of each trainable parameter, by state-dict name. */
export interface ParamKindsProvider {
  paramKinds(): Map<string, ParamKind>;
}

/** What `buildOptimizer` needs from a model. */
export interface OptimizableModel extends Partial<ParamKindsProvider> {
  /** Trainable parameters by state-dict name, in module order. */
  namedParameters(): Map<string, tf.Variable>;
}

/** Per-key multipliers in `paramwise_cfg.custom_keys`. */
export interface CustomKeyConfig {
  lr_mult?: number;
  decay_mult?: number;
}

/** `optimizer.paramwise_cfg`. */
export interface ParamwiseConfig {
  bias_lr_mult?: number;
  bias_decay_mult?: number;
  norm_decay_mult?: number;
  dwconv_decay_mult?: number;
  /** Substring of a parameter name → multipliers (longest key wins). */
  custom_keys?: Record<string, CustomKeyConfig>;
  /** Skip (with a warning) parameters shared with an earlier group instead of failing. */
  bypass_duplicate?: boolean;
}

/** The `optimizer` config node. */
export interface OptimizerConfig {
  /** Optimizer registry name (`SGD`, `Adam`, `AdamW`, `RMSprop`). */
  type: string;
  lr?: number;
  weight_decay?: number;
  paramwise_cfg?: ParamwiseConfig | null;
  /**
   * Other keys: optimizer hyper-parameters, and `constructor` (optimizer constructor name, default
   * `DefaultOptimizerConstructor`; not declared here because every JS object inherits a `constructor`).
   */
  [key: string]: unknown;
}

/** The optimizers detkit ships, by registry name (also registered in OPTIMIZERS). */
export const BUILTIN_OPTIMIZERS = { SGD, Adam, AdamW, RMSprop } as const;

const PARAMWISE_KEYS = ['bias_lr_mult', 'bias_decay_mult', 'norm_decay_mult', 'dwconv_decay_mult', 'custom_keys', 'bypass_duplicate', 'dcn_offset_lr_mult'];
const NORM_MODULE = /^(bn|gn|ln|in|norm|batch_?norm|group_?norm|layer_?norm)\d*$/i;

/** The kind of a parameter guessed from its name (see the module's porting notes). */
export function inferParamKind(name: string): ParamKind {
  const parts = name.split('.');
  const leaf = parts[parts.length - 1];
  const mod = parts.length > 1 ? parts[parts.length - 2] : '';
  return { isBias: leaf === 'bias', isNorm: NORM_MODULE.test(mod), isDepthwise: false };
}

/** Options of {@link DefaultOptimizerConstructor}. */
export interface DefaultOptimizerConstructorConfig {
  optimizer_cfg: OptimizerConfig;
  paramwise_cfg?: ParamwiseConfig | null;
}

/** mmcv's `DefaultOptimizerConstructor`: param groups from `paramwise_cfg`, then the optimizer. */
export class DefaultOptimizerConstructor {
  static readonly type: string = 'DefaultOptimizerConstructor';
  readonly optimizer_cfg: OptimizerConfig;
  readonly paramwise_cfg: ParamwiseConfig;
  readonly base_lr: number | undefined;
  readonly base_wd: number | undefined;

  /**
   * @throws TypeError_ `OPTIM_CFG_TYPE` for a non-dict `optimizer_cfg`/`paramwise_cfg`/`custom_keys`
   * @throws ValueError `OPTIM_BASE_WD` when a decay multiplier is set without `weight_decay`
   */
  constructor(cfg: DefaultOptimizerConstructorConfig) {
    const { optimizer_cfg: oc, paramwise_cfg: pc } = cfg;
    if (typeof oc !== 'object' || oc === null || Array.isArray(oc)) throw new TypeError_('OPTIM_CFG_TYPE', `optimizer_cfg should be a dict, but got ${typeof oc}`);
    this.optimizer_cfg = oc;
    this.paramwise_cfg = pc ?? {};
    this.base_lr = oc.lr;
    this.base_wd = oc.weight_decay;
    const where = { configPath: 'optimizer.paramwise_cfg', file: configFileOf(oc) };
    if (typeof this.paramwise_cfg !== 'object' || Array.isArray(this.paramwise_cfg)) {
      throw new TypeError_('OPTIM_CFG_TYPE', `paramwise_cfg should be None or a dict, but got ${typeof this.paramwise_cfg}`, where);
    }
    checkArgs(this.paramwise_cfg, PARAMWISE_KEYS, 'paramwise_cfg');
    const ck = this.paramwise_cfg.custom_keys;
    if (ck !== undefined) {
      if (typeof ck !== 'object' || ck === null || Array.isArray(ck)) {
        throw new TypeError_('OPTIM_CFG_TYPE', `If specified, custom_keys must be a dict, but got ${typeof ck}`, { ...where, configPath: 'optimizer.paramwise_cfg.custom_keys' });
      }
      if (this.base_wd === undefined) {
        for (const [k, v] of Object.entries(ck)) {
          if (v.decay_mult !== undefined) throw new ValueError('OPTIM_BASE_WD', 'base_wd should not be None', { ...where, configPath: `optimizer.paramwise_cfg.custom_keys.${k}.decay_mult`, hint: 'set optimizer.weight_decay' });
        }
      }
    }
    const p = this.paramwise_cfg;
    if ((p.bias_decay_mult !== undefined || p.norm_decay_mult !== undefined || p.dwconv_decay_mult !== undefined) && this.base_wd === undefined) {
      throw new ValueError('OPTIM_BASE_WD', 'base_wd should not be None', { ...where, hint: 'set optimizer.weight_decay' });
    }
  }

  /**
   * One group per trainable parameter with its `lr` / `weight_decay` (mmcv `add_params`).
   * @param warn receives mmcv's warnings (bypassed duplicates)
   */
  paramGroups(model: OptimizableModel, warn: (msg: string) => void = (m) => process.emitWarning(m)): ParamGroupInput[] {
    const p = this.paramwise_cfg;
    const customKeys = p.custom_keys ?? {};
    const sortedKeys = Object.keys(customKeys)
      .sort()
      .sort((a, b) => b.length - a.length);
    const biasLrMult = p.bias_lr_mult ?? 1;
    const biasDecayMult = p.bias_decay_mult ?? 1;
    const normDecayMult = p.norm_decay_mult ?? 1;
    const dwconvDecayMult = p.dwconv_decay_mult ?? 1;
    const kinds = model.paramKinds?.();
    const groups: ParamGroupInput[] = [];
    const seen = new Set<tf.Variable>();
    for (const [name, variable] of model.namedParameters()) {
      if (p.bypass_duplicate === true && seen.has(variable)) {
        warn(`${name.split('.').slice(0, -1).join('.')} is duplicate. It is skipped since bypass_duplicate=True`);
        continue;
      }
      seen.add(variable);
      const group: ParamGroupInput = { params: [name] };
      const kind = kinds?.get(name) ?? inferParamKind(name);
      // mmcv matches against `${prefix}.${name}`; a root-level parameter has an empty prefix.
      const full = name.includes('.') ? name : `.${name}`;
      const key = sortedKeys.find((k) => full.includes(k));
      if (key !== undefined) {
        if (this.base_lr !== undefined) group.lr = this.base_lr * (customKeys[key].lr_mult ?? 1);
        if (this.base_wd !== undefined) group.weight_decay = this.base_wd * (customKeys[key].decay_mult ?? 1);
      } else {
        if (kind.isBias && !kind.isNorm && this.base_lr !== undefined) group.lr = this.base_lr * biasLrMult;
        if (this.base_wd !== undefined) {
          if (kind.isNorm) group.weight_decay = this.base_wd * normDecayMult;
          else if (kind.isDepthwise) group.weight_decay = this.base_wd * dwconvDecayMult;
          else if (kind.isBias) group.weight_decay = this.base_wd * biasDecayMult;
        }
      }
      groups.push(group);
    }
    return groups;
  }

  /** Builds the optimizer for `model` (mmcv `__call__`). */
  build(model: OptimizableModel, warn?: (msg: string) => void): Optimizer {
    const cfg: Record<string, unknown> = { ...this.optimizer_cfg };
    delete cfg.paramwise_cfg;
    delete (cfg as { constructor?: unknown }).constructor;
    const variables = model.namedParameters();
    const params: OptimizerParams = Object.keys(this.paramwise_cfg).length === 0 ? variables : { variables, groups: this.paramGroups(model, warn) };
    return instantiateOptimizer(cfg as OptimizerConfig, params);
  }
}

/**
 * Builds an optimizer class from `cfg` (OPTIMIZERS registry first, then the built-ins), naming the
 * config path `optimizer` in any error.
 */
export function instantiateOptimizer(cfg: OptimizerConfig, params: OptimizerParams): Optimizer {
  const path = configPathOf(cfg) ?? 'optimizer';
  const file = configFileOf(cfg);
  const { type, ...args } = cfg;
  if (typeof type === 'string' && !OPTIMIZERS.has(type) && type in BUILTIN_OPTIMIZERS) {
    const Cls = BUILTIN_OPTIMIZERS[type as keyof typeof BUILTIN_OPTIMIZERS] as unknown as new (a: Record<string, unknown>) => Optimizer;
    try {
      return new Cls({ ...args, params });
    } catch (err) {
      if (err instanceof DetkitError && err.configPath === undefined) {
        throw new DetkitError(err.code, `${type}: ${err.message}`, { configPath: path, file, hint: err.hint, cause: err });
      }
      throw err;
    }
  }
  return OPTIMIZERS.build<Optimizer>({ ...cfg, params }, undefined, { path, file });
}

/** An optimizer constructor as `buildOptimizer` uses it (custom ones go in OPTIMIZER_BUILDERS). */
export interface OptimizerConstructorLike {
  build(model: OptimizableModel, warn?: (msg: string) => void): Optimizer;
}

/**
 * Builds the optimizer of a run from the `optimizer` config node (mmcv `build_optimizer`):
 * `constructor` (default `DefaultOptimizerConstructor`, others from OPTIMIZER_BUILDERS) and
 * `paramwise_cfg` are taken out, the rest configures the optimizer class.
 * @example
 * const optimizer = buildOptimizer(model, { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 1e-4,
 *   paramwise_cfg: { norm_decay_mult: 0, custom_keys: { backbone: { lr_mult: 0.1 } } } });
 * @throws KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown `constructor` or optimizer `type`
 */
export function buildOptimizer(model: OptimizableModel, optimizerCfg: OptimizerConfig, warn?: (msg: string) => void): Optimizer {
  // `constructor` must be read as an own key: every JS object inherits one.
  const ctorType = Object.hasOwn(optimizerCfg, 'constructor') ? String((optimizerCfg as Record<string, unknown>)['constructor']) : 'DefaultOptimizerConstructor';
  const paramwise = optimizerCfg.paramwise_cfg ?? null;
  if (ctorType === 'DefaultOptimizerConstructor' && !OPTIMIZER_BUILDERS.has(ctorType)) {
    return new DefaultOptimizerConstructor({ optimizer_cfg: optimizerCfg, paramwise_cfg: paramwise }).build(model, warn);
  }
  const ctor = OPTIMIZER_BUILDERS.build<OptimizerConstructorLike>(
    { type: ctorType, optimizer_cfg: optimizerCfg, paramwise_cfg: paramwise },
    undefined,
    { path: configPathOf(optimizerCfg) ?? 'optimizer', file: configFileOf(optimizerCfg) },
  );
  return ctor.build(model, warn);
}
