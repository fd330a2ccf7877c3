/**
 * @module Port of `mmcv/cnn/bricks/activation.py` (+ the torch activations mmcv registers) @ mmcv v1.7.
 *
 * Activation layers registered in ACTIVATION_LAYERS: `ReLU`, `LeakyReLU`, `ReLU6`, `ELU`,
 * `Sigmoid`, `Tanh`, `GELU`, `Swish`, `HSigmoid`, `HSwish`. They have no parameters.
 * Porting note: `inplace` is accepted for config compatibility and ignored (tensors are immutable).
 */
import { tf } from '../backend/index.js';
import { ACTIVATION_LAYERS } from '../registry/root.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import { relu } from './functional.js';
import { Module } from './module.js';

/** An `act_cfg` dict: `{type: 'ReLU' | 'LeakyReLU' | ..., inplace?, negative_slope?, ...}`. */
export interface ActCfg {
  type: string;
  [key: string]: unknown;
}

/** Options every activation accepts (`inplace` is ignored). */
export interface ActivationOptions {
  inplace?: boolean;
}

/** Base of the parameter-free activation layers: `forward(x)` keeps the shape. */
export abstract class Activation extends Module {
  override get hasInitWeights(): boolean {
    return false;
  }
  /** Applies the function elementwise; the result belongs to the caller. */
  forward<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => this.fn(x)) as T;
  }
  protected abstract fn(x: tf.Tensor): tf.Tensor;
}

/** `max(x, 0)`; its backward keeps the output, not the input (see `functional.ts`). */
export class ReLU extends Activation {
  static override readonly torchName: string = 'ReLU';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return relu(x);
  }
}

/** `x` if `x ≥ 0` else `negative_slope·x` (default slope 0.01). */
export class LeakyReLU extends Activation {
  static override readonly torchName: string = 'LeakyReLU';
  readonly negative_slope: number;
  constructor(options: ActivationOptions & { negative_slope?: number } = {}) {
    super();
    this.negative_slope = options.negative_slope ?? 0.01;
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.leakyRelu(x, this.negative_slope);
  }
}

/** `min(max(x, 0), 6)`. */
export class ReLU6 extends Activation {
  static override readonly torchName: string = 'ReLU6';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.relu6(x);
  }
}

/** `x` if `x > 0` else `alpha·(exp(x) − 1)` (default alpha 1). */
export class ELU extends Activation {
  static override readonly torchName: string = 'ELU';
  readonly alpha: number;
  constructor(options: ActivationOptions & { alpha?: number } = {}) {
    super();
    this.alpha = options.alpha ?? 1;
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return this.alpha === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(tf.expm1(x), this.alpha));
  }
}

/** `1 / (1 + exp(−x))`. */
export class Sigmoid extends Activation {
  static override readonly torchName: string = 'Sigmoid';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
}

/** `tanh(x)`. */
export class Tanh extends Activation {
  static override readonly torchName: string = 'Tanh';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}

/** Exact GELU: `x·Φ(x) = 0.5·x·(1 + erf(x/√2))`. */
export class GELU extends Activation {
  static override readonly torchName: string = 'GELU';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  }
}

/** mmcv `Swish`: `x·sigmoid(x)`. */
export class Swish extends Activation {
  static override readonly torchName: string = 'Swish';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, tf.sigmoid(x));
  }
}

/** mmcv 1.7 `HSigmoid`: `clamp((x + bias) / divisor, min_value, max_value)`, defaults 3, 6, 0, 1. */
export class HSigmoid extends Activation {
  static override readonly torchName: string = 'HSigmoid';
  readonly bias: number;
  readonly divisor: number;
  readonly min_value: number;
  readonly max_value: number;
  constructor(options: ActivationOptions & { bias?: number; divisor?: number; min_value?: number; max_value?: number } = {}) {
    super();
    this.bias = options.bias ?? 3;
    this.divisor = options.divisor ?? 6;
    this.min_value = options.min_value ?? 0;
    this.max_value = options.max_value ?? 1;
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.clipByValue(tf.div(tf.add(x, this.bias), this.divisor), this.min_value, this.max_value);
  }
}

/** mmcv `HSwish`: `x·relu6(x + 3)/6`. */
export class HSwish extends Activation {
  static override readonly torchName: string = 'HSwish';
  constructor(_options: ActivationOptions = {}) {
    super();
  }
  protected fn(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6);
  }
}

/** Registry name → class, for ACTIVATION_LAYERS. */
export const ACTIVATION_CLASSES = { ReLU, LeakyReLU, ReLU6, ELU, Sigmoid, Tanh, GELU, Swish, HSigmoid, HSwish } as const;

/**
 * mmcv `build_activation_layer`: builds an activation from `act_cfg`.
 * @throws KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown type (naming its config path)
 */
export function buildActivationLayer(cfg: ActCfg): Activation {
  return ACTIVATION_LAYERS.build<Activation>(cfg, undefined, { path: configPathOf(cfg), file: configFileOf(cfg) });
}
