/**
 * @module Port of `mmcv/cnn/bricks/conv_module.py` (`ConvModule`) @ mmcv v1.7.
 *
 * conv → norm → activation in a configurable `order`, with mmcv's names: `conv`, the norm layer
 * under its abbreviation (`bn` / `gn`), and `activate` (no parameters). State-dict keys are
 * `conv.weight`, `conv.bias` (only without norm when `bias='auto'`), `bn.weight`, `bn.running_mean`, ...
 *
 * Init (mmcv `ConvModule.init_weights`, run at construction and again whenever a parent
 * `BaseModule` recurses into it): conv Kaiming-normal, `fan_out`, relu (leaky_relu with its slope for
 * `LeakyReLU`), bias 0; norm weight 1, bias 0.
 * A BN/GN norm directly followed by ReLU runs as one fused kernel (see `BatchNorm2d.forward`).
 * Porting note: spectral norm and padding modes other than `zeros` are not supported.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import type { Rng } from '../utils/rng.js';
import { buildActivationLayer, ReLU, type ActCfg, type Activation } from './activation.js';
import { buildConvLayer, type ConvCfg } from './conv.js';
import type { Conv2d, IntOrPair } from './conv2d.js';
import { assertKnownKeys } from './config_args.js';
import { Module } from './module.js';
import { buildNormLayer, type NormCfg } from './norm.js';
import { fusesRelu, normRelu } from './norm_act.js';
import { constantInit, kaimingInit } from './weight_init.js';

/** One step of {@link ConvModuleOptions.order}. */
export type ConvModuleStep = 'conv' | 'norm' | 'act';

/** Options of {@link ConvModule} (mmcv's keys and defaults). */
export interface ConvModuleOptions {
  in_channels: number;
  out_channels: number;
  kernel_size: IntOrPair;
  stride?: IntOrPair;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  groups?: number;
  /** `'auto'` (default): a bias iff there is no norm layer. */
  bias?: boolean | 'auto';
  /** Default null (= `Conv2d`). */
  conv_cfg?: ConvCfg | null;
  /** Default null (no norm). */
  norm_cfg?: NormCfg | null;
  /** Default `{type: 'ReLU'}`; null for none. */
  act_cfg?: ActCfg | null;
  /** Passed to the activation as `inplace` (ignored there). Default true. */
  inplace?: boolean;
  with_spectral_norm?: false;
  padding_mode?: 'zeros';
  /** Default `['conv', 'norm', 'act']`. */
  order?: readonly ConvModuleStep[];
}

/** Activations mmcv does not pass `inplace` to. */
const NO_INPLACE = ['Tanh', 'PReLU', 'Sigmoid', 'HSigmoid', 'Swish', 'GELU'];

/**
 * A conv/norm/activation bundle.
 * @example
 * const m = new ConvModule({ in_channels: 256, out_channels: 256, kernel_size: 3, padding: 1, norm_cfg: { type: 'GN', num_groups: 32 } });
 * [...m.stateDict().keys()]; // ['conv.weight', 'gn.weight', 'gn.bias']
 */
export class ConvModule extends Module {
  static override readonly torchName: string = 'ConvModule';

  readonly conv: Conv2d;
  /** The norm layer, or null. */
  readonly norm: (Module & { forward(x: tf.Tensor4D): tf.Tensor4D }) | null;
  /** State-dict name of the norm layer (`bn`, `gn`), or null. */
  readonly norm_name: string | null;
  readonly activate: Activation | null;
  readonly order: readonly ConvModuleStep[];
  readonly with_norm: boolean;
  readonly with_activation: boolean;
  readonly with_bias: boolean;
  private readonly actCfg: ActCfg | null;

  /** @throws ValueError `NN_BAD_ARG` for a bad `order`, spectral norm, or padding mode */
  constructor(options: ConvModuleOptions) {
    super();
    assertKnownKeys('ConvModule', options, [
      'in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'conv_cfg', 'norm_cfg', 'act_cfg',
      'inplace', 'with_spectral_norm', 'padding_mode', 'order',
    ]);
    const { conv_cfg = null, norm_cfg = null, inplace = true, bias = 'auto' } = options;
    const act_cfg = options.act_cfg === undefined ? { type: 'ReLU' } : options.act_cfg;
    const order = options.order ?? ['conv', 'norm', 'act'];
    if (order.length !== 3 || new Set(order).size !== 3 || !order.every((o) => ['conv', 'norm', 'act'].includes(o))) {
      throw new ValueError('NN_BAD_ARG', `order must be a permutation of ('conv', 'norm', 'act'), got ${JSON.stringify(order)}`);
    }
    if (options.with_spectral_norm) throw new ValueError('NN_BAD_ARG', 'with_spectral_norm is not supported');
    if (options.padding_mode !== undefined && options.padding_mode !== 'zeros') {
      throw new ValueError('NN_BAD_ARG', `padding_mode '${String(options.padding_mode)}' is not supported (only 'zeros')`);
    }
    this.order = order;
    this.with_norm = norm_cfg !== null;
    this.with_activation = act_cfg !== null;
    this.with_bias = bias === 'auto' ? !this.with_norm : bias;
    this.actCfg = act_cfg;
    this.conv = this.addModule(
      'conv',
      buildConvLayer(conv_cfg, {
        in_channels: options.in_channels,
        out_channels: options.out_channels,
        kernel_size: options.kernel_size,
        stride: options.stride ?? 1,
        padding: options.padding ?? 0,
        dilation: options.dilation ?? 1,
        groups: options.groups ?? 1,
        bias: this.with_bias,
      }),
    );
    if (norm_cfg !== null) {
      const normChannels = order.indexOf('norm') > order.indexOf('conv') ? options.out_channels : options.in_channels;
      const [name, layer] = buildNormLayer(norm_cfg, normChannels);
      this.norm_name = name;
      this.norm = this.addModule(name, layer as Module & { forward(x: tf.Tensor4D): tf.Tensor4D });
    } else {
      this.norm_name = null;
      this.norm = null;
    }
    if (act_cfg !== null) {
      const cfg = NO_INPLACE.includes(act_cfg.type) ? act_cfg : { inplace, ...act_cfg };
      this.activate = this.addModule('activate', buildActivationLayer(cfg));
    } else {
      this.activate = null;
    }
  }

  /** mmcv `ConvModule.init_weights` at construction. */
  override resetParameters(rng: Rng): void {
    this.initConvModule(rng);
  }

  /** mmcv `ConvModule.init_weights` when a parent `BaseModule` recurses into it (no `init_cfg` here). */
  override applyInitWeights(rng: Rng): void {
    this.initConvModule(rng);
  }

  private initConvModule(rng: Rng): void {
    const leaky = this.with_activation && this.actCfg?.type === 'LeakyReLU';
    const a = leaky ? ((this.actCfg?.negative_slope as number | undefined) ?? 0.01) : 0;
    kaimingInit(this.conv, { a, nonlinearity: leaky ? 'leaky_relu' : 'relu' }, rng);
    if (this.norm !== null) constantInit(this.norm, 1, 0);
  }

  /**
   * @param x `[N, H, W, in_channels]`
   * @param activate apply the activation step (default true)
   * @param norm apply the norm step (default true)
   * @returns `[N, H', W', out_channels]` (owned by the caller)
   */
  forward(x: tf.Tensor4D, activate = true, norm = true): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (let i = 0; i < this.order.length; i++) {
        const step = this.order[i];
        if (step === 'conv') {
          y = this.conv.forward(y);
        } else if (step === 'norm' && norm && this.norm !== null) {
          // norm → ReLU runs as one fused kernel (the norm's `relu` flag); same values.
          const fuse = activate && this.order[i + 1] === 'act' && this.activate instanceof ReLU && fusesRelu(this.norm);
          y = fuse ? normRelu(this.norm, y) : this.norm.forward(y);
          if (fuse) i++;
        } else if (step === 'act' && activate && this.activate !== null) {
          y = this.activate.forward(y);
        }
      }
      return y === x ? x.clone() : y;
    });
  }
}
