/**
 * @module Port of the init functions of `mmcv/cnn/utils/weight_init.py` @ mmcv v1.7 (and the
 * `torch.nn.init` formulas they call).
 *
 * Each `xxxInit(module, ...)` fills `module.weight` and sets `module.bias` to a constant, as mmcv's
 * helpers do. Fans are computed from the PyTorch shape of the weight (`[out, in/groups, kh, kw]`),
 * whatever detkit's storage layout, so initial weights are distributed exactly as in PyTorch.
 *
 * Porting note: randomness comes from the explicit seeded {@link Rng}, never a global generator.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import type { Rng } from '../utils/rng.js';
import type { Module, ParamLayout } from './module.js';
import { torchShape } from './torch_layout.js';

/** Nonlinearities understood by {@link calculateGain} (torch `calculate_gain`). */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** `fan_in` / `fan_out` mode of Kaiming init. */
export type FanMode = 'fan_in' | 'fan_out';

/** Sampling distribution of Xavier / Kaiming init. */
export type InitDistribution = 'normal' | 'uniform';

/**
 * torch `calculate_gain`: the recommended gain for a nonlinearity.
 * @param param negative slope for `leaky_relu` (default 0.01 as torch when not given)
 * @throws ValueError `INIT_BAD_NONLINEARITY` for an unknown name
 */
export function calculateGain(nonlinearity: string, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError('INIT_BAD_NONLINEARITY', `Unsupported nonlinearity ${nonlinearity}`);
  }
}

/**
 * torch `_calculate_fan_in_and_fan_out` on a PyTorch-layout shape.
 * @returns `[fanIn, fanOut]`
 * @throws ValueError `INIT_FAN_UNDEFINED` for fewer than 2 dimensions
 */
export function computeFans(torchShapeOfWeight: readonly number[]): [number, number] {
  if (torchShapeOfWeight.length < 2) {
    throw new ValueError('INIT_FAN_UNDEFINED', 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions', {
      hint: 'Kaiming/Xavier init applies to conv and linear weights; restrict it with `layer`',
    });
  }
  let receptive = 1;
  for (let i = 2; i < torchShapeOfWeight.length; i++) receptive *= torchShapeOfWeight[i]!;
  return [torchShapeOfWeight[1]! * receptive, torchShapeOfWeight[0]! * receptive];
}

function layoutOf(module: Module, name: string): ParamLayout {
  return module.paramLayouts().get(name) ?? 'plain';
}

function assignData(variable: tf.Variable, data: Float32Array): void {
  const t = tf.tensor(data, variable.shape, 'float32');
  variable.assign(t);
  t.dispose();
}

/**
 * A fast uniform [0, 1) stream for one tensor fill (mulberry32), seeded from `rng`: filling
 * ResNet-50's 23M weights through the general-purpose generator would take seconds.
 */
function streamFrom(rng: Rng): () => number {
  let a = rng.nextUint32();
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills with U(low, high) draws seeded by `rng`. */
function fillUniform(variable: tf.Variable, low: number, high: number, rng: Rng): void {
  const data = new Float32Array(variable.size);
  const next = streamFrom(rng);
  const span = high - low;
  for (let i = 0; i < data.length; i++) data[i] = low + span * next();
  assignData(variable, data);
}

/** Fills with N(mean, std²) draws seeded by `rng` (Box–Muller, both values of each pair used). */
function fillNormal(variable: tf.Variable, mean: number, std: number, rng: Rng): void {
  const data = new Float32Array(variable.size);
  const next = streamFrom(rng);
  for (let i = 0; i < data.length; i += 2) {
    let u = next();
    while (u === 0) u = next();
    const r = std * Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * next();
    data[i] = mean + r * Math.cos(theta);
    if (i + 1 < data.length) data[i + 1] = mean + r * Math.sin(theta);
  }
  assignData(variable, data);
}

function fillConstant(variable: tf.Variable, value: number): void {
  const t = tf.fill(variable.shape, value, variable.dtype);
  variable.assign(t);
  t.dispose();
}

function setBias(module: Module, bias: number): void {
  const b = module.getParameter('bias');
  if (b !== undefined) fillConstant(b, bias);
}

function weightFans(module: Module, weight: tf.Variable): [number, number] {
  return computeFans(torchShape(weight.shape, layoutOf(module, 'weight')));
}

/** mmcv `constant_init`: `weight = val`, `bias = bias`. */
export function constantInit(module: Module, val: number, bias = 0): void {
  const w = module.getParameter('weight');
  if (w !== undefined) fillConstant(w, val);
  setBias(module, bias);
}

/** Options of {@link xavierInit}. */
export interface XavierInitOptions {
  gain?: number;
  bias?: number;
  distribution?: InitDistribution;
}

/** mmcv `xavier_init` (torch `xavier_normal_` / `xavier_uniform_`): std = gain·√(2/(fan_in+fan_out)). */
export function xavierInit(module: Module, options: XavierInitOptions, rng: Rng): void {
  const { gain = 1, bias = 0, distribution = 'normal' } = options;
  const w = module.getParameter('weight');
  if (w !== undefined) {
    const [fanIn, fanOut] = weightFans(module, w);
    const std = gain * Math.sqrt(2 / (fanIn + fanOut));
    if (distribution === 'uniform') {
      const bound = Math.sqrt(3) * std;
      fillUniform(w, -bound, bound, rng);
    } else {
      fillNormal(w, 0, std, rng);
    }
  }
  setBias(module, bias);
}

/** mmcv `normal_init`: weight ~ N(mean, std²). */
export function normalInit(module: Module, options: { mean?: number; std?: number; bias?: number }, rng: Rng): void {
  const { mean = 0, std = 1, bias = 0 } = options;
  const w = module.getParameter('weight');
  if (w !== undefined) fillNormal(w, mean, std, rng);
  setBias(module, bias);
}

/**
 * mmcv `trunc_normal_init`: weight ~ N(mean, std²) truncated to [a, b] (absolute bounds, as
 * torch `trunc_normal_`), sampled by rejection.
 */
export function truncNormalInit(module: Module, options: { mean?: number; std?: number; a?: number; b?: number; bias?: number }, rng: Rng): void {
  const { mean = 0, std = 1, a = -2, b = 2, bias = 0 } = options;
  const w = module.getParameter('weight');
  if (w !== undefined) {
    const data = new Float32Array(w.size);
    for (let i = 0; i < data.length; i++) {
      let v = Math.min(Math.max(mean, a), b);
      for (let tries = 0; tries < 1000; tries++) {
        const t = rng.normal(mean, std);
        if (t >= a && t <= b) {
          v = t;
          break;
        }
      }
      data[i] = v;
    }
    assignData(w, data);
  }
  setBias(module, bias);
}

/** mmcv `uniform_init`: weight ~ U(a, b). */
export function uniformInit(module: Module, options: { a?: number; b?: number; bias?: number }, rng: Rng): void {
  const { a = 0, b = 1, bias = 0 } = options;
  const w = module.getParameter('weight');
  if (w !== undefined) fillUniform(w, a, b, rng);
  setBias(module, bias);
}

/** Options of {@link kaimingInit}; defaults are mmcv's `kaiming_init`. */
export interface KaimingInitOptions {
  /** Negative slope for `leaky_relu`. Default 0. */
  a?: number;
  /** Default `fan_out`. */
  mode?: FanMode;
  /** Default `relu`. */
  nonlinearity?: string;
  bias?: number;
  /** Default `normal`. */
  distribution?: InitDistribution;
}

/**
 * mmcv `kaiming_init` (torch `kaiming_normal_` / `kaiming_uniform_`): std = gain/√fan with
 * gain = `calculate_gain(nonlinearity, a)`; uniform bound = √3·std.
 */
export function kaimingInit(module: Module, options: KaimingInitOptions, rng: Rng): void {
  const { a = 0, mode = 'fan_out', nonlinearity = 'relu', bias = 0, distribution = 'normal' } = options;
  const w = module.getParameter('weight');
  if (w !== undefined) {
    const [fanIn, fanOut] = weightFans(module, w);
    const fan = mode === 'fan_in' ? fanIn : fanOut;
    const std = calculateGain(nonlinearity, a) / Math.sqrt(fan);
    if (distribution === 'uniform') {
      const bound = Math.sqrt(3) * std;
      fillUniform(w, -bound, bound, rng);
    } else {
      fillNormal(w, 0, std, rng);
    }
  }
  setBias(module, bias);
}

/** mmcv `caffe2_xavier_init`: Kaiming uniform, `a=1`, `fan_in`, `leaky_relu` (Caffe2's XavierFill). */
export function caffe2XavierInit(module: Module, bias: number, rng: Rng): void {
  kaimingInit(module, { a: 1, mode: 'fan_in', nonlinearity: 'leaky_relu', bias, distribution: 'uniform' }, rng);
}

/**
 * mmcv `bias_init_with_prob`: the bias that makes `sigmoid(bias) = priorProb`, i.e.
 * `-log((1 - p) / p)`. RetinaNet uses `p = 0.01` → -4.59512.
 */
export function biasInitWithProb(priorProb: number): number {
  return -Math.log((1 - priorProb) / priorProb);
}

/**
 * PyTorch's default init of `Conv2d` / `Linear` (`reset_parameters`): weight Kaiming-uniform with
 * `a = √5` on `fan_in` (bound = 1/√fan_in), bias U(-1/√fan_in, 1/√fan_in).
 */
export function torchDefaultInit(module: Module, rng: Rng): void {
  const w = module.getParameter('weight');
  if (w === undefined) return;
  const [fanIn] = weightFans(module, w);
  const bound = 1 / Math.sqrt(fanIn);
  fillUniform(w, -bound, bound, rng);
  const b = module.getParameter('bias');
  if (b !== undefined) fillUniform(b, -bound, bound, rng);
}
