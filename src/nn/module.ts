/**
 * @module Port of `torch.nn.Module` + mmcv `runner/base_module.py` (`BaseModule`) @ mmcv v1.7.
 *
 * A tree of named child modules owning `tf.Variable` parameters and buffers under PyTorch's
 * state-dict names (`layer1.0.conv1.weight`, `bn1.running_mean`), with `train`/`eval`,
 * `stateDict`/`loadStateDict`, and mmcv's two-phase weight initialisation.
 *
 * Porting notes:
 * - Registration is explicit (`addModule`, `addParameter`, `addBuffer`) instead of `__setattr__` magic.
 * - Weights are stored in tfjs-friendly layouts (conv `[kh, kw, in/groups, out]`, linear `[in, out]`);
 *   {@link Module.paramLayouts} says which state-dict entries need a transpose for PyTorch
 *   (see `torch_layout.ts`).
 * - PyTorch initialises layers in their constructors; here parameters start as zeros (norm weights
 *   as ones) and {@link Module.initWeights} runs both phases with an explicit seeded `Rng`:
 *   first every module's constructor-time init ({@link Module.resetParameters}, children first as
 *   in PyTorch construction), then mmcv's `init_weights` (`init_cfg` of each `BaseModule`, parents
 *   before children).
 */
import { tf } from '../backend/index.js';
import { DetkitError, ValueError } from '../utils/errors.js';
import type { Rng } from '../utils/rng.js';
import { initialize, type InitCfg } from './initializers.js';

/** How a state-dict entry is laid out relative to PyTorch (see `torch_layout.ts`). */
export type ParamLayout = 'conv2d' | 'linear' | 'plain';

/** Facts about one parameter, for the optimizer's `paramwise_cfg` (mmcv `DefaultOptimizerConstructor`). */
export interface ParamKind {
  /** Owned by a normalisation layer (`_BatchNorm`, `GroupNorm`, ...). */
  isNorm: boolean;
  /** The parameter's own name is `bias`. */
  isBias: boolean;
  /** Owned by a depthwise conv (`in_channels == groups`). */
  isDepthwise: boolean;
}

/** Result of {@link Module.loadStateDict} (torch `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  /** Keys of the module absent from the given state. */
  missing: string[];
  /** Keys of the given state the module does not have. */
  unexpected: string[];
}

interface ParamEntry {
  variable: tf.Variable;
  layout: ParamLayout;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Base class of every layer and model: the PyTorch `nn.Module` + mmcv `BaseModule` contract.
 *
 * Subclasses register their pieces in the constructor, in PyTorch's attribute order (which is the
 * state-dict order), and write their own `forward` with the signature they need.
 *
 * @example
 * class Head extends Module {
 *   readonly fc = this.addModule('fc', new Linear({ in_features: 4, out_features: 2 }));
 * }
 * const head = new Head();
 * head.initWeights(new Rng(0));
 * [...head.stateDict().keys()]; // ['fc.weight', 'fc.bias']
 */
export class Module {
  /** PyTorch class name used by `init_cfg.layer` matching (mmcv `m.__class__.__name__`). */
  static readonly torchName: string = 'Module';
  /** PyTorch direct base class names, also matched by `init_cfg.layer` (mmcv `_get_bases_name`). */
  static readonly torchBases: readonly string[] = ['Module'];

  /** Training mode (BatchNorm uses batch statistics); set by {@link train} / {@link eval}. */
  training = true;
  /**
   * mmcv `init_cfg`: applied by {@link initWeights} when this module takes part in mmcv's
   * `init_weights` recursion ({@link hasInitWeights}).
   */
  init_cfg: InitCfg | InitCfg[] | null = null;

  private readonly childMap = new Map<string, Module>();
  private readonly paramMap = new Map<string, ParamEntry>();
  private readonly bufferMap = new Map<string, tf.Variable>();
  private readonly aliasMap = new Map<string, string>();
  private disposed = false;

  /**
   * Whether mmcv would call this module's `init_weights` from its parent's (mmcv `BaseModule`
   * and `ConvModule` have one; plain torch layers and containers do not, so the recursion stops there).
   */
  get hasInitWeights(): boolean {
    return true;
  }

  /** Whether this module counts as a norm layer for `paramwise_cfg` (`norm_decay_mult`). */
  get isNorm(): boolean {
    return false;
  }

  /** Whether this module is a depthwise conv (`dwconv_decay_mult`). */
  get isDepthwise(): boolean {
    return false;
  }

  /** Class name + direct base names, as mmcv's initialisers match `layer` against. */
  initMatchNames(): readonly string[] {
    const ctor = this.constructor as typeof Module;
    return [ctor.torchName, ...ctor.torchBases];
  }

  /**
   * Registers a child module under `name` (PyTorch `add_module`).
   * @returns the child, so it can be kept in a field: `readonly conv = this.addModule('conv', new Conv2d(...))`
   * @throws DetkitError `NN_DUPLICATE_NAME` when `name` is taken
   */
  addModule<M extends Module>(name: string, module: M): M {
    this.checkFreeName(name);
    this.childMap.set(name, module);
    return module;
  }

  /**
   * Registers a parameter (a trainable `tf.Variable` unless `requiresGrad` is false).
   * @param value initial value; the module takes ownership (it is not cloned)
   * @param layout how PyTorch lays the tensor out (conv/linear weights are transposed there)
   */
  addParameter(name: string, value: tf.Tensor, options: { requiresGrad?: boolean; layout?: ParamLayout } = {}): tf.Variable {
    this.checkFreeName(name);
    const variable = tf.variable(value, options.requiresGrad ?? true);
    value.dispose();
    this.paramMap.set(name, { variable, layout: options.layout ?? 'plain' });
    return variable;
  }

  /** Registers a buffer (state that is saved but never trained, e.g. BN `running_mean`). */
  addBuffer(name: string, value: tf.Tensor): tf.Variable {
    this.checkFreeName(name);
    const variable = tf.variable(value, false);
    value.dispose();
    this.bufferMap.set(name, variable);
    return variable;
  }

  private checkFreeName(name: string): void {
    if (name === '' || name.includes('.')) {
      throw new ValueError('NN_BAD_NAME', `module/parameter name must be non-empty and contain no ".", got "${name}"`);
    }
    if (this.childMap.has(name) || this.paramMap.has(name) || this.bufferMap.has(name)) {
      throw new DetkitError('NN_DUPLICATE_NAME', `attribute "${name}" already exists in ${(this.constructor as typeof Module).torchName}`);
    }
  }

  /** The child module `name`, if any. */
  getChild(name: string): Module | undefined {
    return this.childMap.get(name);
  }

  /**
   * Declares `alias` as another name of the child `target`, like a Python property
   * (mmdet `BasicBlock.norm1` → `bn1`). Aliases are not state-dict names.
   */
  addAlias(alias: string, target: string): void {
    this.aliasMap.set(alias, target);
  }

  /**
   * PyTorch `getattr(module, name)` for sub-modules: a child name, an alias, or a dotted path of
   * them (`layer1.0.bn2`). Used by `init_cfg.override`.
   */
  getAttr(name: string): Module | undefined {
    let m: Module | undefined = this;
    for (const part of name.split('.')) {
      if (m === undefined) return undefined;
      m = m.childMap.get(m.aliasMap.get(part) ?? part);
    }
    return m;
  }

  /** The parameter `name` of this module itself (not of children), if any. */
  getParameter(name: string): tf.Variable | undefined {
    return this.paramMap.get(name)?.variable;
  }

  /** The buffer `name` of this module itself, if any. */
  getBuffer(name: string): tf.Variable | undefined {
    return this.bufferMap.get(name);
  }

  /** Direct children in registration order (PyTorch `named_children`). */
  namedChildren(): [string, Module][] {
    return [...this.childMap.entries()];
  }

  /** Direct children in registration order. */
  children(): Module[] {
    return [...this.childMap.values()];
  }

  /**
   * Every module of the tree, pre-order, keyed by dotted path (`''` is this module), as
   * PyTorch `named_modules`.
   */
  namedModules(prefix = ''): Map<string, Module> {
    const out = new Map<string, Module>();
    const visit = (m: Module, p: string): void => {
      out.set(p, m);
      for (const [n, c] of m.childMap) visit(c, p === '' ? n : `${p}.${n}`);
    };
    visit(this, prefix);
    return out;
  }

  /** Visits every parameter and buffer in state-dict order: own params, own buffers, then children. */
  private walkState(visit: (name: string, v: tf.Variable, owner: Module, local: string, kind: 'param' | 'buffer', layout: ParamLayout) => void): void {
    for (const [p, m] of this.namedModules()) {
      const pre = p === '' ? '' : `${p}.`;
      for (const [n, e] of m.paramMap) visit(pre + n, e.variable, m, n, 'param', e.layout);
      for (const [n, b] of m.bufferMap) visit(pre + n, b, m, n, 'buffer', 'plain');
    }
  }

  /**
   * Trainable parameters by state-dict name (PyTorch `named_parameters()` filtered on
   * `requires_grad`). The variables are the module's own: do not dispose them.
   */
  namedParameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    this.walkState((name, v, _o, _l, kind) => {
      if (kind === 'param' && v.trainable) out.set(name, v);
    });
    return out;
  }

  /** Every parameter, trainable or frozen, by state-dict name. */
  allParameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    this.walkState((name, v, _o, _l, kind) => {
      if (kind === 'param') out.set(name, v);
    });
    return out;
  }

  /**
   * Every parameter and buffer by state-dict name, in PyTorch's order (what a checkpoint stores).
   * The tensors are the module's own variables (like torch's shared-storage `state_dict`): read
   * or copy them, do not dispose them.
   */
  stateDict(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    this.walkState((name, v) => out.set(name, v));
    return out;
  }

  /** Layout of every state-dict entry (`conv2d` / `linear` entries are transposed in PyTorch). */
  paramLayouts(): Map<string, ParamLayout> {
    const out = new Map<string, ParamLayout>();
    this.walkState((name, _v, _o, _l, _k, layout) => out.set(name, layout));
    return out;
  }

  /** Parameter name → facts the optimizer's `paramwise_cfg` needs (every parameter, frozen included). */
  paramKinds(): Map<string, ParamKind> {
    const out = new Map<string, ParamKind>();
    this.walkState((name, _v, owner, local, kind) => {
      if (kind === 'param') out.set(name, { isNorm: owner.isNorm, isBias: local === 'bias', isDepthwise: owner.isDepthwise });
    });
    return out;
  }

  /**
   * Copies tensors into the module's parameters and buffers by name (PyTorch `load_state_dict`).
   * Shapes are checked for every key first, so nothing is written when one mismatches. The given
   * tensors are not disposed. A dtype difference (e.g. float `num_batches_tracked`) is cast.
   * @param options `strict` (default true): throw when keys are missing or unexpected
   * @returns missing and unexpected keys (both empty when strict loading succeeds)
   * @throws DetkitError `STATE_DICT_SHAPE_MISMATCH` naming the key and both shapes
   * @throws DetkitError `STATE_DICT_KEY_MISMATCH` (strict only) listing missing and unexpected keys
   */
  loadStateDict(state: Map<string, tf.Tensor>, options: { strict?: boolean } = {}): IncompatibleKeys {
    const strict = options.strict ?? true;
    const own = this.stateDict() as Map<string, tf.Variable>;
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, v] of own) {
      const t = state.get(k);
      if (t === undefined) continue;
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape ${shapeText(t.shape)} from checkpoint, the shape in current model is ${shapeText(v.shape)}.`,
        );
      }
    }
    const torchName = (this.constructor as typeof Module).torchName;
    if (errors.length > 0) {
      throw new DetkitError('STATE_DICT_SHAPE_MISMATCH', `Error(s) in loading state_dict for ${torchName}:\n\t${errors.join('\n\t')}`, {
        hint: 'the checkpoint was saved from a model with a different architecture (depth, channels, num_classes)',
      });
    }
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}.`);
      if (unexpected.length > 0) parts.push(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}.`);
      throw new DetkitError('STATE_DICT_KEY_MISMATCH', `Error(s) in loading state_dict for ${torchName}:\n\t${parts.join('\n\t')}`, {
        hint: 'pass {strict: false} to load the matching keys only',
      });
    }
    for (const [k, v] of own) {
      const t = state.get(k);
      if (t === undefined) continue;
      tf.tidy(() => v.assign(t.dtype === v.dtype ? tf.clone(t) : tf.cast(t, v.dtype)));
    }
    return { missing, unexpected };
  }

  /**
   * Sets training mode on this module and every descendant (PyTorch `train(mode)`).
   * Subclasses that must keep parts frozen (ResNet `frozen_stages`, `norm_eval`) override it and call super.
   */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.childMap.values()) c.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requires_grad` on every parameter of this subtree (trainable flag of the variables). */
  requiresGrad(flag: boolean): this {
    this.walkState((_n, v, _o, _l, kind) => {
      if (kind === 'param') v.trainable = flag;
    });
    return this;
  }

  /**
   * Constructor-time initialisation of this module's own parameters (PyTorch `reset_parameters`,
   * mmcv `ConvModule.init_weights` called from its constructor). Default: nothing.
   */
  resetParameters(_rng: Rng): void {}

  /**
   * Initialises every parameter as building the model in PyTorch and then calling mmcv's
   * `model.init_weights()` would: {@link resetParameters} on every module (children before
   * parents), then {@link applyInitWeights}.
   * @param rng seeded generator; the same seed gives the same weights
   */
  initWeights(rng: Rng): void {
    const visit = (m: Module): void => {
      for (const c of m.childMap.values()) visit(c);
      m.resetParameters(rng);
    };
    visit(this);
    this.applyInitWeights(rng);
  }

  /**
   * mmcv `BaseModule.init_weights`: applies this module's `init_cfg` (stopping after a `Pretrained`
   * one), then recurses into the children that have an `init_weights` ({@link hasInitWeights}).
   */
  applyInitWeights(rng: Rng): void {
    if (this.init_cfg !== null) {
      initialize(this, this.init_cfg, rng);
      if (!Array.isArray(this.init_cfg) && this.init_cfg.type === 'Pretrained') return;
    }
    for (const c of this.childMap.values()) if (c.hasInitWeights) c.applyInitWeights(rng);
  }

  /** Frees every variable of this subtree. The module is unusable afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.paramMap.values()) e.variable.dispose();
    for (const b of this.bufferMap.values()) b.dispose();
    for (const c of this.childMap.values()) c.dispose();
  }
}
