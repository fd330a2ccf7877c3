/**
 * @module Port of `torch/optim/optimizer.py` (torch 1.13): the base of detkit's optimizers.
 *
 * Parameters are `tf.Variable`s named by state-dict name. `paramGroups` mirrors torch's
 * `param_groups` (hooks edit `lr`, `momentum`, `betas` in place); per-parameter buffers are
 * `tf.Variable`s created on the first step and updated with `assign` inside `tf.tidy`.
 *
 * State-dict layout (Porting note: torch keys state by parameter index; names are stable across
 * runs, so detkit keys it by `<param name>/<buffer>`, e.g. `backbone.conv1.weight/momentum_buffer`,
 * with the step count as a float32 scalar `<param name>/step`). `loadStateDict` maps groups and
 * parameters by position, as torch does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../../utils/errors.js';
import { checkArgs } from './args.js';
import type { Optimizer, ParamGroup } from './types.js';

/** One user-given parameter group: names plus per-group overrides (`lr`, `weight_decay`, ...). */
export interface ParamGroupInput {
  params: string[];
  [key: string]: unknown;
}

/**
 * What an optimizer optimizes: a name → variable map (one group), or the variables plus explicit
 * groups (what `buildOptimizer` passes with `paramwise_cfg`).
 */
export type OptimizerParams = Map<string, tf.Variable> | { variables: Map<string, tf.Variable>; groups: ParamGroupInput[] };

/** Config keys every optimizer accepts besides its hyper-parameters. */
const COMMON_KEYS = ['params'] as const;

/**
 * Base class: param-group bookkeeping, the step loop, state dicts and disposal.
 * Subclasses implement {@link updateParam} for one parameter.
 */
export abstract class TorchOptimizer implements Optimizer {
  /** Registry name (`SGD`, `Adam`, ...). */
  static readonly type: string = 'Optimizer';
  readonly paramGroups: ParamGroup[];
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Parameter variables by name. */
  protected readonly variables: Map<string, tf.Variable>;
  /** Per-parameter buffers: param name → buffer name → variable. */
  protected readonly buffers = new Map<string, Map<string, tf.Variable>>();
  /** Per-parameter step counts (torch `state[p]['step']`). */
  protected readonly steps = new Map<string, number>();

  /**
   * @param cfg `params` plus hyper-parameters (validated against `defaults`' keys)
   * @param defaults every hyper-parameter with its default; `undefined` marks a required one (SGD `lr`)
   */
  protected constructor(cfg: { params?: OptimizerParams; [key: string]: unknown }, defaults: Record<string, unknown>) {
    const owner = (this.constructor as typeof TorchOptimizer).type;
    checkArgs(cfg, [...COMMON_KEYS, ...Object.keys(defaults)], owner);
    const resolved: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(defaults)) resolved[k] = cfg[k] ?? v;
    this.defaults = resolved;
    const params = cfg.params ?? new Map<string, tf.Variable>();
    let groups: ParamGroupInput[];
    if (params instanceof Map) {
      this.variables = params;
      groups = [{ params: [...params.keys()] }];
    } else {
      this.variables = params.variables;
      groups = params.groups;
    }
    this.paramGroups = [];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Registry name of this optimizer. */
  get type(): string {
    return (this.constructor as typeof TorchOptimizer).type;
  }

  /**
   * Adds a group, filling missing hyper-parameters from `defaults` (torch `add_param_group`).
   * @throws ValueError `OPTIM_REQUIRED_PARAM` for a missing required value, `OPTIM_UNKNOWN_PARAM` for a
   *   name without a variable, `OPTIM_DUPLICATE_PARAM` for a parameter already in another group
   */
  addParamGroup(input: ParamGroupInput): void {
    const group: Record<string, unknown> = { ...input, params: [...input.params] };
    for (const [k, v] of Object.entries(this.defaults)) {
      if (group[k] === undefined) {
        if (v === undefined) {
          throw new ValueError('OPTIM_REQUIRED_PARAM', `parameter group didn't specify a value of required optimization parameter ${k}`, {
            hint: `set optimizer.${k} in the config`,
          });
        }
        group[k] = Array.isArray(v) ? [...v] : v;
      }
    }
    this.validateGroup(group);
    const seen = new Set<tf.Variable>();
    for (const other of this.paramGroups) for (const n of other.params) seen.add(this.variables.get(n) as tf.Variable);
    for (const n of group.params as string[]) {
      const v = this.variables.get(n);
      if (v === undefined) throw new ValueError('OPTIM_UNKNOWN_PARAM', `parameter ${n} is not among the optimizer's variables`);
      if (seen.has(v)) throw new ValueError('OPTIM_DUPLICATE_PARAM', 'some parameters appear in more than one parameter group', { hint: `${n}; set paramwise_cfg.bypass_duplicate=True to skip shared parameters` });
      seen.add(v);
    }
    this.paramGroups.push(group as ParamGroup);
  }

  /** Checks a group's hyper-parameters (torch's `Invalid ...` ValueErrors). */
  protected abstract validateGroup(group: Record<string, unknown>): void;

  /**
   * Computes and assigns one parameter's update. Runs inside `tf.tidy`; `grad` belongs to the caller.
   * @param name parameter name (state key)
   * @param param the variable to update
   * @param grad its gradient, same shape
   * @param group the parameter's group (current hyper-parameters)
   * @param step 1-based step count of this parameter, after increment
   */
  protected abstract updateParam(name: string, param: tf.Variable, grad: tf.Tensor, group: ParamGroup, step: number): void;

  /** A per-parameter buffer, or `undefined` before its first step. */
  protected getBuffer(name: string, key: string): tf.Variable | undefined {
    return this.buffers.get(name)?.get(key);
  }

  /** Stores `value` as a buffer (assigning into the existing variable, or creating it). Call inside tidy. */
  protected setBuffer(name: string, key: string, value: tf.Tensor): void {
    let m = this.buffers.get(name);
    if (m === undefined) {
      m = new Map();
      this.buffers.set(name, m);
    }
    const v = m.get(key);
    if (v === undefined) m.set(key, tf.variable(value, false));
    else v.assign(value);
  }

  step(grads: Map<string, tf.Tensor>): void {
    for (const group of this.paramGroups) {
      for (const name of group.params) {
        const grad = grads.get(name);
        if (grad === undefined) continue;
        const param = this.variables.get(name) as tf.Variable;
        if (grad.shape.length !== param.shape.length || grad.shape.some((d, i) => d !== param.shape[i])) {
          throw new ValueError('OPTIM_GRAD_SHAPE', `gradient of ${name} has shape [${grad.shape.join(', ')}], parameter has [${param.shape.join(', ')}]`);
        }
        const step = (this.steps.get(name) ?? 0) + 1;
        this.steps.set(name, step);
        tf.tidy(() => this.updateParam(name, param, grad, group, step));
      }
    }
  }

  stateDict(): { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] } {
    const state = new Map<string, tf.Tensor>();
    for (const [name, step] of this.steps) state.set(`${name}/step`, tf.scalar(step, 'float32'));
    for (const [name, m] of this.buffers) for (const [k, v] of m) state.set(`${name}/${k}`, tf.clone(v));
    return { state, param_groups: this.paramGroups.map(cloneGroup) };
  }

  /**
   * Restores a {@link stateDict} (tensors are copied; the caller keeps ownership of `sd.state`).
   * @throws ValueError `OPTIM_STATE_GROUPS` on a group-count or group-size mismatch,
   *   `OPTIM_STATE_SHAPE` when a buffer's shape differs from its parameter's
   */
  loadStateDict(sd: { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] }): void {
    if (sd.param_groups.length !== this.paramGroups.length) {
      throw new ValueError('OPTIM_STATE_GROUPS', 'loaded state dict has a different number of parameter groups');
    }
    const rename = new Map<string, string>();
    sd.param_groups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) {
        throw new ValueError('OPTIM_STATE_GROUPS', "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
      g.params.forEach((n, j) => rename.set(n, this.paramGroups[i].params[j]));
    });
    const pending: Array<[string, string, tf.Tensor]> = [];
    for (const [key, t] of sd.state) {
      const slash = key.lastIndexOf('/');
      const saved = key.slice(0, slash);
      const buf = key.slice(slash + 1);
      const name = rename.get(saved);
      if (name === undefined) throw new ValueError('OPTIM_STATE_UNKNOWN', `optimizer state ${key} names no parameter of the loaded param_groups`);
      const param = this.variables.get(name) as tf.Variable;
      if (buf !== 'step' && t.shape.join(',') !== param.shape.join(',')) {
        throw new ValueError('OPTIM_STATE_SHAPE', `optimizer state ${key} has shape [${t.shape.join(', ')}], parameter ${name} has [${param.shape.join(', ')}]`);
      }
      pending.push([name, buf, t]);
    }
    this.disposeState();
    for (const [name, buf, t] of pending) {
      if (buf === 'step') this.steps.set(name, t.dataSync()[0]);
      else tf.tidy(() => this.setBuffer(name, buf, tf.cast(t, 'float32')));
    }
    sd.param_groups.forEach((g, i) => {
      this.paramGroups[i] = { ...cloneGroup(g), params: this.paramGroups[i].params };
    });
  }

  private disposeState(): void {
    for (const m of this.buffers.values()) for (const v of m.values()) v.dispose();
    this.buffers.clear();
    this.steps.clear();
  }

  dispose(): void {
    this.disposeState();
  }
}

/** A deep copy of a param group (arrays copied, so `betas` edits do not alias). */
export function cloneGroup(g: ParamGroup): ParamGroup {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(g)) out[k] = Array.isArray(v) ? [...v] : v;
  return out as ParamGroup;
}

/** torch's `Invalid <what>: <value>` check (`0.0 <= value`). */
export function checkNonNegative(value: unknown, what: string): void {
  if (typeof value !== 'number' || !(value >= 0)) throw new ValueError('OPTIM_INVALID_VALUE', `Invalid ${what}: ${String(value)}`);
}
