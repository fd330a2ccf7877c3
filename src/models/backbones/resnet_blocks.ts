/**
 * @module Port of `BasicBlock` and `Bottleneck` from `mmdet/models/backbones/resnet.py` @ v2.28.2.
 *
 * Porting note: split from `resnet.ts` to keep files small. Parameter names are mmdet's
 * (`conv1.weight`, `bn1.running_mean`, `downsample.0.weight`, `downsample.1.weight`); `norm1`..`norm3`
 * are aliases of `bn1`..`bn3` (mmdet properties), so `init_cfg.override.name = 'norm2'` works.
 * `dcn`, `plugins` are not supported; `with_cp` (gradient checkpointing) only saves memory in
 * PyTorch and is accepted and ignored.
 */
import { tf } from '../../backend/index.js';
import { ReLU } from '../../nn/activation.js';
import type { Sequential } from '../../nn/container.js';
import { buildConvLayer, type ConvCfg } from '../../nn/conv.js';
import { addSameShape, relu } from '../../nn/functional.js';
import type { Conv2d } from '../../nn/conv2d.js';
import type { InitCfg } from '../../nn/initializers.js';
import { Module } from '../../nn/module.js';
import { buildNormLayer, type NormCfg } from '../../nn/norm.js';
import { normRelu, type NormLayer } from '../../nn/norm_act.js';

/** Options shared by {@link BasicBlock} and {@link Bottleneck} (mmdet's keyword arguments). */
export interface ResBlockOptions {
  inplanes: number;
  planes: number;
  stride?: number;
  dilation?: number;
  /** Shortcut projection (1x1 conv + norm), built by `ResLayer`. */
  downsample?: Sequential | null;
  style?: 'pytorch' | 'caffe';
  with_cp?: boolean;
  conv_cfg?: ConvCfg | null;
  norm_cfg?: NormCfg;
  init_cfg?: InitCfg | InitCfg[] | null;
}


/** A residual block: `forward(x)` = `relu(body(x) + shortcut(x))`. */
export abstract class ResBlock extends Module {
  static override readonly torchBases: readonly string[] = ['BaseModule'];
  /** Shortcut projection, registered as `downsample` (null: identity shortcut). */
  protected shortcut: Sequential | null = null;
  readonly relu = new ReLU();

  /** The shortcut projection (`downsample.0` conv, `downsample.1` norm), or null. */
  get downsample(): Sequential | null {
    return this.shortcut;
  }

  /** Registers the activation and the shortcut after the convs and norms (mmdet's attribute order). */
  protected addTail(downsample: Sequential | null | undefined): void {
    this.addModule('relu', this.relu);
    if (downsample) this.shortcut = this.addModule('downsample', downsample);
  }
  protected addNorm(cfg: NormCfg, channels: number, postfix: number): NormLayer {
    const [name, layer] = buildNormLayer(cfg, channels, postfix);
    this.addAlias(`norm${postfix}`, name);
    return this.addModule(name, layer as NormLayer);
  }
  protected abstract body(x: tf.Tensor4D): tf.Tensor4D;
  /**
   * @param x `[N, H, W, inplanes]`
   * @returns `[N, H/stride, W/stride, planes·expansion]` (owned by the caller)
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const identity = this.shortcut === null ? x : this.shortcut.forward(x);
      return relu(addSameShape(this.body(x), identity)) as tf.Tensor4D;
    });
  }
}

/** ResNet-18/34 block: 3x3 conv (stride, dilation) → norm → relu → 3x3 conv → norm, + shortcut. Expansion 1. */
export class BasicBlock extends ResBlock {
  static override readonly torchName: string = 'BasicBlock';
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: NormLayer;
  readonly conv2: Conv2d;
  readonly bn2: NormLayer;

  constructor(options: ResBlockOptions) {
    super();
    const { inplanes, planes, stride = 1, dilation = 1, conv_cfg = null, norm_cfg = { type: 'BN' } } = options;
    this.conv1 = this.addModule(
      'conv1',
      buildConvLayer(conv_cfg, { in_channels: inplanes, out_channels: planes, kernel_size: 3, stride, padding: dilation, dilation, bias: false }),
    );
    this.bn1 = this.addNorm(norm_cfg, planes, 1);
    this.conv2 = this.addModule('conv2', buildConvLayer(conv_cfg, { in_channels: planes, out_channels: planes, kernel_size: 3, padding: 1, bias: false }));
    this.bn2 = this.addNorm(norm_cfg, planes, 2);
    this.addTail(options.downsample);
    this.init_cfg = options.init_cfg ?? null;
  }

  protected body(x: tf.Tensor4D): tf.Tensor4D {
    const out = normRelu(this.bn1, this.conv1.forward(x));
    return this.bn2.forward(this.conv2.forward(out));
  }
}

/**
 * ResNet-50+ block: 1x1 → 3x3 → 1x1 (×4 channels). `style='pytorch'` puts the stride on the 3x3
 * conv, `'caffe'` on the first 1x1. Expansion 4.
 */
export class Bottleneck extends ResBlock {
  static override readonly torchName: string = 'Bottleneck';
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: NormLayer;
  readonly conv2: Conv2d;
  readonly bn2: NormLayer;
  readonly conv3: Conv2d;
  readonly bn3: NormLayer;

  constructor(options: ResBlockOptions) {
    super();
    const { inplanes, planes, stride = 1, dilation = 1, style = 'pytorch', conv_cfg = null, norm_cfg = { type: 'BN' } } = options;
    const [conv1Stride, conv2Stride] = style === 'pytorch' ? [1, stride] : [stride, 1];
    this.conv1 = this.addModule('conv1', buildConvLayer(conv_cfg, { in_channels: inplanes, out_channels: planes, kernel_size: 1, stride: conv1Stride, bias: false }));
    this.bn1 = this.addNorm(norm_cfg, planes, 1);
    this.conv2 = this.addModule(
      'conv2',
      buildConvLayer(conv_cfg, { in_channels: planes, out_channels: planes, kernel_size: 3, stride: conv2Stride, padding: dilation, dilation, bias: false }),
    );
    this.bn2 = this.addNorm(norm_cfg, planes, 2);
    this.conv3 = this.addModule('conv3', buildConvLayer(conv_cfg, { in_channels: planes, out_channels: planes * Bottleneck.expansion, kernel_size: 1, bias: false }));
    this.bn3 = this.addNorm(norm_cfg, planes * Bottleneck.expansion, 3);
    this.addTail(options.downsample);
    this.init_cfg = options.init_cfg ?? null;
  }

  protected body(x: tf.Tensor4D): tf.Tensor4D {
    let out = normRelu(this.bn1, this.conv1.forward(x));
    out = normRelu(this.bn2, this.conv2.forward(out));
    return this.bn3.forward(this.conv3.forward(out));
  }
}

/** A block class as `ResLayer` builds it. */
export type ResBlockClass = (typeof BasicBlock | typeof Bottleneck) & { expansion: number };
