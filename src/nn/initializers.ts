/**
 * @module Port of the `init_cfg` machinery of `mmcv/cnn/utils/weight_init.py` @ mmcv v1.7:
 * the INITIALIZERS classes (`Constant`, `Xavier`, `Normal`, `TruncNormal`, `Uniform`, `Kaiming`,
 * `Caffe2Xavier`, `Pretrained`) and `initialize(module, init_cfg)` with `layer`, `override`,
 * `bias` and `bias_prob`.
 *
 * Matching follows mmcv: without `override`, an initialiser visits every module of the tree
 * (children before parents, as `Module.apply`) and touches those whose class name or direct base
 * name is in `layer` (`Conv2d`, `_ConvNd`, `Linear`, `_BatchNorm`, `GroupNorm`, ...). An `override`
 * entry names an attribute (`name='norm2'`) and initialises that whole sub-module.
 */
import { INITIALIZERS } from '../registry/root.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import { DetkitError, TypeError_, ValueError } from '../utils/errors.js';
import type { Rng } from '../utils/rng.js';
import type { Module } from './module.js';
import {
  biasInitWithProb,
  caffe2XavierInit,
  constantInit,
  kaimingInit,
  normalInit,
  truncNormalInit,
  uniformInit,
  xavierInit,
  type FanMode,
  type InitDistribution,
} from './weight_init.js';

/** One `override` entry: `name` of the attribute, and optionally a full init config. */
export interface InitOverrideCfg {
  name: string;
  type?: string;
  [key: string]: unknown;
}

/** An `init_cfg` dict (mmcv). Keys besides these depend on `type` (`val`, `std`, `mode`, ...). */
export interface InitCfg {
  type: string;
  /** Class names (or direct base names) of the modules to initialise. */
  layer?: string | string[];
  /** Sub-modules initialised with their own (or this) config. */
  override?: InitOverrideCfg | InitOverrideCfg[];
  /** Constant for biases. Default 0. */
  bias?: number;
  /** Sets the bias to `bias_init_with_prob(bias_prob)`. */
  bias_prob?: number;
  [key: string]: unknown;
}

/** Options shared by every initialiser (mmcv `BaseInit`). */
export interface BaseInitOptions {
  bias?: number;
  bias_prob?: number | null;
  layer?: string | string[] | null;
}

function checkKeys(type: string, args: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(args)) {
    if (!['bias', 'bias_prob', 'layer', ...allowed].includes(k)) {
      throw new TypeError_('INIT_BAD_ARG', `${type}.__init__() got an unexpected keyword argument '${k}'`, {
        hint: `${type} accepts: ${['bias', 'bias_prob', 'layer', ...allowed].join(', ')}`,
      });
    }
  }
}

/** mmcv `BaseInit`: bias, `bias_prob`, `layer` filter, and the whole-module switch set by `override`. */
export abstract class BaseInit {
  readonly bias: number;
  readonly layer: string[];
  /** Initialise every module of the tree regardless of `layer` (set for `override` targets). */
  wholemodule = false;

  constructor(type: string, options: BaseInitOptions, allowed: readonly string[]) {
    const args = options as Record<string, unknown>;
    checkKeys(type, args, allowed);
    const { bias = 0, bias_prob = null, layer = null } = options;
    if (typeof bias !== 'number') throw new TypeError_('INIT_BAD_ARG', `bias must be a number, but got a ${typeof bias}`);
    if (bias_prob !== null && typeof bias_prob !== 'number') {
      throw new TypeError_('INIT_BAD_ARG', `bias_prob type must be float, but got ${typeof bias_prob}`);
    }
    if (layer !== null && typeof layer !== 'string' && !(Array.isArray(layer) && layer.every((l) => typeof l === 'string'))) {
      throw new TypeError_('INIT_BAD_ARG', `layer must be a str or a list of str, but got a ${typeof layer}`);
    }
    this.bias = bias_prob === null ? bias : biasInitWithProb(bias_prob);
    this.layer = layer === null ? [] : typeof layer === 'string' ? [layer] : [...layer];
  }

  /** Initialises one module (its own `weight` / `bias`). */
  protected abstract initOne(m: Module, rng: Rng): void;

  /** Applies the initialiser to `module` and all its descendants that match (mmcv `__call__`). */
  apply(module: Module, rng: Rng): void {
    const visit = (m: Module): void => {
      for (const c of m.children()) visit(c);
      if (this.wholemodule || m.initMatchNames().some((n) => this.layer.includes(n))) this.initOne(m, rng);
    };
    visit(module);
  }
}

/** mmcv `ConstantInit` (`type='Constant'`, `val`). */
export class ConstantInit extends BaseInit {
  static readonly type = 'Constant';
  readonly val: number;
  constructor(args: BaseInitOptions & { val: number }) {
    super('ConstantInit', args, ['val']);
    if (typeof args.val !== 'number') {
      throw new TypeError_('INIT_BAD_ARG', `ConstantInit.__init__() missing 1 required argument: 'val' (a number)`);
    }
    this.val = args.val;
  }
  protected initOne(m: Module): void {
    constantInit(m, this.val, this.bias);
  }
}

/** mmcv `XavierInit` (`gain=1`, `distribution='normal'`). */
export class XavierInit extends BaseInit {
  static readonly type = 'Xavier';
  readonly gain: number;
  readonly distribution: InitDistribution;
  constructor(args: BaseInitOptions & { gain?: number; distribution?: InitDistribution } = {}) {
    super('XavierInit', args, ['gain', 'distribution']);
    this.gain = args.gain ?? 1;
    this.distribution = args.distribution ?? 'normal';
  }
  protected initOne(m: Module, rng: Rng): void {
    xavierInit(m, { gain: this.gain, bias: this.bias, distribution: this.distribution }, rng);
  }
}

/** mmcv `NormalInit` (`mean=0`, `std=1`). */
export class NormalInit extends BaseInit {
  static readonly type = 'Normal';
  readonly mean: number;
  readonly std: number;
  constructor(args: BaseInitOptions & { mean?: number; std?: number } = {}) {
    super('NormalInit', args, ['mean', 'std']);
    this.mean = args.mean ?? 0;
    this.std = args.std ?? 1;
  }
  protected initOne(m: Module, rng: Rng): void {
    normalInit(m, { mean: this.mean, std: this.std, bias: this.bias }, rng);
  }
}

/** mmcv `TruncNormalInit` (`mean=0`, `std=1`, `a=-2`, `b=2`). */
export class TruncNormalInit extends BaseInit {
  static readonly type = 'TruncNormal';
  readonly mean: number;
  readonly std: number;
  readonly a: number;
  readonly b: number;
  constructor(args: BaseInitOptions & { mean?: number; std?: number; a?: number; b?: number } = {}) {
    super('TruncNormalInit', args, ['mean', 'std', 'a', 'b']);
    this.mean = args.mean ?? 0;
    this.std = args.std ?? 1;
    this.a = args.a ?? -2;
    this.b = args.b ?? 2;
  }
  protected initOne(m: Module, rng: Rng): void {
    truncNormalInit(m, { mean: this.mean, std: this.std, a: this.a, b: this.b, bias: this.bias }, rng);
  }
}

/** mmcv `UniformInit` (`a=0`, `b=1`). */
export class UniformInit extends BaseInit {
  static readonly type = 'Uniform';
  readonly a: number;
  readonly b: number;
  constructor(args: BaseInitOptions & { a?: number; b?: number } = {}) {
    super('UniformInit', args, ['a', 'b']);
    this.a = args.a ?? 0;
    this.b = args.b ?? 1;
  }
  protected initOne(m: Module, rng: Rng): void {
    uniformInit(m, { a: this.a, b: this.b, bias: this.bias }, rng);
  }
}

/** mmcv `KaimingInit` (`a=0`, `mode='fan_out'`, `nonlinearity='relu'`, `distribution='normal'`). */
export class KaimingInit extends BaseInit {
  static readonly type = 'Kaiming';
  readonly a: number;
  readonly mode: FanMode;
  readonly nonlinearity: string;
  readonly distribution: InitDistribution;
  constructor(args: BaseInitOptions & { a?: number; mode?: FanMode; nonlinearity?: string; distribution?: InitDistribution } = {}) {
    super('KaimingInit', args, ['a', 'mode', 'nonlinearity', 'distribution']);
    this.a = args.a ?? 0;
    this.mode = args.mode ?? 'fan_out';
    this.nonlinearity = args.nonlinearity ?? 'relu';
    this.distribution = args.distribution ?? 'normal';
  }
  protected initOne(m: Module, rng: Rng): void {
    kaimingInit(m, { a: this.a, mode: this.mode, nonlinearity: this.nonlinearity, bias: this.bias, distribution: this.distribution }, rng);
  }
}

/** mmcv `Caffe2XavierInit` (Kaiming uniform, `a=1`, `fan_in`, `leaky_relu`). */
export class Caffe2XavierInit extends BaseInit {
  static readonly type = 'Caffe2Xavier';
  constructor(args: BaseInitOptions = {}) {
    super('Caffe2XavierInit', args, []);
  }
  protected initOne(m: Module, rng: Rng): void {
    caffe2XavierInit(m, this.bias, rng);
  }
}

/**
 * mmcv `PretrainedInit` (`checkpoint`, `prefix`, `map_location`).
 * Porting note: not supported yet — loading `torchvision://` / `.pth` weights needs the checkpoint
 * converter; applying it throws `INIT_PRETRAINED_UNSUPPORTED`.
 */
export class PretrainedInit {
  static readonly type = 'Pretrained';
  readonly checkpoint: string;
  wholemodule = false;
  constructor(args: { checkpoint: string; prefix?: string | null; map_location?: string | null }) {
    this.checkpoint = args.checkpoint;
  }
  /** @throws DetkitError `INIT_PRETRAINED_UNSUPPORTED` */
  apply(_module: Module, _rng: Rng): void {
    throw new DetkitError('INIT_PRETRAINED_UNSUPPORTED', `init_cfg type 'Pretrained' (checkpoint ${this.checkpoint}) is not supported yet`, {
      hint: "remove the backbone's init_cfg (train from scratch) or load converted weights with `load_from`",
    });
  }
}

/** Every initialiser class, for registration in INITIALIZERS. */
export const INITIALIZER_CLASSES = [
  ConstantInit,
  XavierInit,
  NormalInit,
  TruncNormalInit,
  UniformInit,
  KaimingInit,
  Caffe2XavierInit,
  PretrainedInit,
] as const;

interface Applicable {
  wholemodule: boolean;
  apply(module: Module, rng: Rng): void;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function initializeOne(module: Module, cfg: Record<string, unknown>, rng: Rng, wholemodule: boolean, origin: unknown): void {
  let func: Applicable;
  try {
    func = INITIALIZERS.build<Applicable>(cfg, undefined, { path: configPathOf(origin), file: configFileOf(origin) });
  } catch (err) {
    // The initialisers' own errors already carry a code and mmcv's text: do not wrap them.
    if (err instanceof DetkitError && err.code === 'REGISTRY_BUILD_FAILED' && err.cause instanceof DetkitError) throw err.cause;
    throw err;
  }
  func.wholemodule = wholemodule;
  func.apply(module, rng);
}

function initializeOverride(module: Module, override: unknown, cfg: Record<string, unknown>, rng: Rng): void {
  if (!isDict(override) && !Array.isArray(override)) {
    throw new TypeError_('INIT_BAD_CONFIG', `override must be a dict or a list of dict, but got ${typeof override}`);
  }
  for (const o of Array.isArray(override) ? override : [override]) {
    const cp: Record<string, unknown> = { ...(o as Record<string, unknown>) };
    const name = cp.name;
    delete cp.name;
    if (typeof name !== 'string') {
      throw new ValueError('INIT_BAD_CONFIG', `\`override\` must contain the key "name",but got ${JSON.stringify(cp)}`);
    }
    const sub = Object.keys(cp).length === 0 ? { ...cfg } : cp;
    if (!('type' in sub)) throw new ValueError('INIT_BAD_CONFIG', `\`override\` need "type" key, but got ${JSON.stringify(sub)}`);
    const target = module.getAttr(name);
    if (target === undefined) {
      throw new DetkitError('INIT_BAD_OVERRIDE', `module did not have attribute ${name}, but init_cfg is ${JSON.stringify(sub)}.`);
    }
    initializeOne(target, sub, rng, true, o);
  }
}

/**
 * mmcv `initialize(module, init_cfg)`: applies one or a list of init configs to `module`.
 * @throws TypeError_ `INIT_BAD_CONFIG` when `init_cfg` is not a dict or list of dicts
 * @throws ValueError `INIT_BAD_CONFIG` for an `override` without `name` or `type`
 * @throws DetkitError `INIT_BAD_OVERRIDE` when `override.name` is not an attribute of the module
 * @throws KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown initialiser type
 * @example
 * initialize(head, { type: 'Normal', layer: 'Conv2d', std: 0.01, override: { type: 'Normal', name: 'retina_cls', std: 0.01, bias_prob: 0.01 } }, rng);
 */
export function initialize(module: Module, initCfg: InitCfg | InitCfg[], rng: Rng): void {
  if (!isDict(initCfg) && !Array.isArray(initCfg)) {
    throw new TypeError_('INIT_BAD_CONFIG', `init_cfg must be a dict or a list of dict, but got ${typeof initCfg}`);
  }
  for (const cfg of Array.isArray(initCfg) ? initCfg : [initCfg]) {
    if (!isDict(cfg)) throw new TypeError_('INIT_BAD_CONFIG', `init_cfg must be a dict or a list of dict, but got a list with ${typeof cfg}`);
    const cp: Record<string, unknown> = { ...cfg };
    const override = cp.override;
    delete cp.override;
    initializeOne(module, cp, rng, false, cfg);
    if (override !== undefined && override !== null) {
      delete cp.layer;
      initializeOverride(module, override, cp, rng);
    }
  }
}
