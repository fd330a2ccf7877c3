/**
 * @module Port of `torch.nn.Conv2d` (registered as mmcv CONV_LAYERS `Conv2d` / `Conv`), NHWC.
 *
 * Porting notes:
 * - The filter is stored `[kh, kw, in/groups, out]` (tfjs layout); state-dict name `weight`,
 *   transposed to PyTorch's `[out, in/groups, kh, kw]` by `torch_layout.ts`.
 * - Dilation: with stride 1 and `groups = 1` tfjs' native dilated conv is used (its gradient is
 *   supplied by `backend/kernel_gaps`, registered by `initBackend`). tfjs rejects stride > 1 together
 *   with dilation > 1, and has no dilated depthwise gradient, so those cases (and grouped convs)
 *   insert zeros into the filter instead (same result, differentiable, more FLOPs).
 * - `groups`: 1 → `conv2d`; `groups == in_channels` → `depthwiseConv2d`; otherwise one conv per group.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import type { Rng } from '../utils/rng.js';
import { assertKnownKeys } from './config_args.js';
import { addBias } from './functional.js';
import { Module } from './module.js';
import { torchDefaultInit } from './weight_init.js';

/** An int or an `(h, w)` pair, as PyTorch's `_pair`. */
export type IntOrPair = number | readonly [number, number] | readonly number[];

/** Options of {@link Conv2d} (PyTorch's constructor arguments). */
export interface Conv2dOptions {
  in_channels: number;
  out_channels: number;
  kernel_size: IntOrPair;
  /** Default 1. */
  stride?: IntOrPair;
  /** Zero padding on each side. Default 0. */
  padding?: IntOrPair;
  /** Default 1. */
  dilation?: IntOrPair;
  /** Default 1. */
  groups?: number;
  /** Add a learnable bias. Default true. */
  bias?: boolean;
  /** Only `'zeros'` is supported. */
  padding_mode?: 'zeros';
}

/**
 * PyTorch's `_pair`: an int becomes `[v, v]`.
 * @throws ValueError `NN_BAD_ARG` for anything but a non-negative int or a pair of them
 */
export function pair(v: IntOrPair, what: string): [number, number] {
  const p: readonly number[] = typeof v === 'number' ? [v, v] : v;
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new ValueError('NN_BAD_ARG', `${what} must be a non-negative int or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0]!, p[1]!];
}

/** Inserts `d-1` zeros between filter taps: `[kh,kw,i,o]` → `[(kh-1)dh+1, (kw-1)dw+1, i, o]`. */
function dilateFilter(w: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  let out: tf.Tensor4D = w;
  if (dh > 1) {
    const e = tf.pad(tf.reshape(out, [kh, 1, kw, ci, co]), [[0, 0], [0, dh - 1], [0, 0], [0, 0], [0, 0]]);
    out = tf.slice(tf.reshape(e, [kh * dh, kw, ci, co]), [0, 0, 0, 0], [(kh - 1) * dh + 1, kw, ci, co]) as tf.Tensor4D;
  }
  if (dw > 1) {
    const h = out.shape[0];
    const e = tf.pad(tf.reshape(out, [h, kw, 1, ci, co]), [[0, 0], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    out = tf.slice(tf.reshape(e, [h, kw * dw, ci, co]), [0, 0, 0, 0], [h, (kw - 1) * dw + 1, ci, co]) as tf.Tensor4D;
  }
  return out;
}

/**
 * 2-D convolution on NHWC input: `[N, H, W, in_channels]` → `[N, H', W', out_channels]` with
 * `H' = floor((H + 2·pad_h − dil_h·(kh−1) − 1) / stride_h) + 1`.
 *
 * @example
 * const conv = new Conv2d({ in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1 });
 * conv.initWeights(new Rng(0));
 * const y = conv.forward(tf.zeros([1, 32, 32, 3])); // [1, 32, 32, 8]
 */
export class Conv2d extends Module {
  static override readonly torchName: string = 'Conv2d';
  static override readonly torchBases: readonly string[] = ['_ConvNd'];

  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  /** `[kh, kw, in/groups, out]`. */
  readonly weight: tf.Variable;
  /** `[out]`, or null without bias. */
  readonly bias: tf.Variable | null;

  /** @throws ValueError `NN_BAD_ARG` for channels not divisible by `groups` or bad sizes */
  constructor(options: Conv2dOptions) {
    super();
    assertKnownKeys('Conv2d', options, ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode']);
    const { in_channels, out_channels, groups = 1, bias = true, padding_mode = 'zeros' } = options;
    if (!Number.isInteger(in_channels) || in_channels <= 0 || !Number.isInteger(out_channels) || out_channels <= 0) {
      throw new ValueError('NN_BAD_ARG', `Conv2d: in_channels and out_channels must be positive ints, got ${in_channels} and ${out_channels}`);
    }
    if (!Number.isInteger(groups) || groups <= 0) throw new ValueError('NN_BAD_ARG', `groups must be a positive integer, got ${groups}`);
    if (in_channels % groups !== 0) throw new ValueError('NN_BAD_ARG', 'in_channels must be divisible by groups');
    if (out_channels % groups !== 0) throw new ValueError('NN_BAD_ARG', 'out_channels must be divisible by groups');
    if (padding_mode !== 'zeros') throw new ValueError('NN_BAD_ARG', `padding_mode '${String(padding_mode)}' is not supported (only 'zeros')`);
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.kernel_size = pair(options.kernel_size, 'kernel_size');
    this.stride = pair(options.stride ?? 1, 'stride');
    this.padding = pair(options.padding ?? 0, 'padding');
    this.dilation = pair(options.dilation ?? 1, 'dilation');
    if (this.kernel_size.includes(0) || this.stride.includes(0) || this.dilation.includes(0)) {
      throw new ValueError('NN_BAD_ARG', 'kernel_size, stride and dilation must be positive');
    }
    this.groups = groups;
    const [kh, kw] = this.kernel_size;
    this.weight = this.addParameter('weight', tf.zeros([kh, kw, in_channels / groups, out_channels]), { layout: 'conv2d' });
    this.bias = bias ? this.addParameter('bias', tf.zeros([out_channels])) : null;
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  /** mmcv `is_dw_conv`: `in_channels == groups`. */
  override get isDepthwise(): boolean {
    return this.in_channels === this.groups;
  }

  /** PyTorch default: Kaiming-uniform(a=√5) weight, U(±1/√fan_in) bias. */
  override resetParameters(rng: Rng): void {
    torchDefaultInit(this, rng);
  }

  /**
   * @param x `[N, H, W, in_channels]` float32
   * @returns `[N, H', W', out_channels]` (owned by the caller)
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.rank !== 4 || x.shape[3] !== this.in_channels) {
        throw new ValueError('NN_BAD_INPUT', `Conv2d expected input [N, H, W, ${this.in_channels}], got [${x.shape.join(', ')}]`);
      }
      const [dh, dw] = this.dilation;
      const dilated = dh > 1 || dw > 1;
      const native = dilated && this.groups === 1 && this.stride[0] === 1 && this.stride[1] === 1;
      const w = dilated && !native ? dilateFilter(this.weight as tf.Tensor4D, dh, dw) : (this.weight as tf.Tensor4D);
      const [ph, pw] = this.padding;
      const pad: number | [[number, number], [number, number], [number, number], [number, number]] =
        ph === pw ? ph : [[0, 0], [ph, ph], [pw, pw], [0, 0]];
      const stride = this.stride;
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = native ? tf.conv2d(x, w, stride, pad, 'NHWC', this.dilation) : tf.conv2d(x, w, stride, pad);
      } else if (this.groups === this.in_channels) {
        const [kh, kw] = w.shape;
        y = tf.depthwiseConv2d(x, tf.reshape(w, [kh, kw, this.in_channels, this.out_channels / this.in_channels]) as tf.Tensor4D, stride, pad);
      } else {
        const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
        const ws = tf.split(w, this.groups, 3) as tf.Tensor4D[];
        y = tf.concat(xs.map((xi, i) => tf.conv2d(xi, ws[i]!, stride, pad)), 3);
      }
      // The bias add keeps no tensor for backward (tfjs' Add would keep the conv's whole output).
      return this.bias === null ? y : addBias(y, this.bias);
    });
  }
}
