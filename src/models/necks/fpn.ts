/**
 * @module Port of `mmdet/models/necks/fpn.py` (`FPN`) @ v2.28.2 (NHWC).
 *
 * Lateral 1x1 ConvModules, a top-down pathway (upsample + add), 3x3 output ConvModules, and extra
 * levels by stride-2 max-pool (`add_extra_convs: false`) or stride-2 3x3 convs on the input,
 * lateral or output (`'on_input'` / `'on_lateral'` / `'on_output'`; `true` = `'on_input'`).
 * State-dict names: `lateral_convs.0.conv.weight`, `fpn_convs.0.conv.weight`, ... (extra convs
 * continue the `fpn_convs` numbering).
 */
import { tf } from '../../backend/index.js';
import { assertKnownKeys, checkArg } from '../../nn/config_args.js';
import { ModuleList } from '../../nn/container.js';
import type { ActCfg } from '../../nn/activation.js';
import type { ConvCfg } from '../../nn/conv.js';
import { ConvModule } from '../../nn/conv_module.js';
import { addSameShape, relu } from '../../nn/functional.js';
import type { InitCfg } from '../../nn/initializers.js';
import { Module } from '../../nn/module.js';
import type { NormCfg } from '../../nn/norm.js';
import type { BuildContext } from '../../registry/registry.js';
import { ValueError } from '../../utils/errors.js';

/** Upsampling of the top-down pathway (torch `F.interpolate` keywords). */
export interface UpsampleCfg {
  /** `'nearest'` (default) or `'bilinear'`. */
  mode?: 'nearest' | 'bilinear';
  /** Fixed factor instead of matching the lower level's size. */
  scale_factor?: number;
  /** bilinear only. Default false. */
  align_corners?: boolean;
}

/** FPN config as written in config files (mmdet's keys). */
export interface FPNConfig {
  /** Channels of each backbone level fed in. */
  in_channels: number[];
  out_channels: number;
  /** Number of output levels. */
  num_outs: number;
  /** First backbone level used. Default 0. */
  start_level?: number;
  /** Last backbone level used (-1: the last). Default -1. */
  end_level?: number;
  /** Default false. */
  add_extra_convs?: boolean | 'on_input' | 'on_lateral' | 'on_output';
  /** ReLU before every extra conv but the first. Default false. */
  relu_before_extra_convs?: boolean;
  /** No norm on lateral convs. Default false. */
  no_norm_on_lateral?: boolean;
  conv_cfg?: ConvCfg | null;
  norm_cfg?: NormCfg | null;
  act_cfg?: ActCfg | null;
  /** Default `{mode: 'nearest'}`. */
  upsample_cfg?: UpsampleCfg;
  /** Default `{type: 'Xavier', layer: 'Conv2d', distribution: 'uniform'}`. */
  init_cfg?: InitCfg | InitCfg[] | null;
}

declare module '../../registry/root.js' {
  interface NeckTypes {
    FPN: FPNConfig;
  }
}

const KEYS = [
  'in_channels', 'out_channels', 'num_outs', 'start_level', 'end_level', 'add_extra_convs', 'relu_before_extra_convs',
  'no_norm_on_lateral', 'conv_cfg', 'norm_cfg', 'act_cfg', 'upsample_cfg', 'init_cfg',
];

/**
 * Feature pyramid network: `forward(feats)` with `feats[i]` `[N, H_i, W_i, in_channels[i]]` →
 * `num_outs` maps of `out_channels`, from the finest used level to the coarsest.
 *
 * @example
 * // RetinaNet: P3-P7 from C3-C5
 * const fpn = new FPN({ in_channels: [256, 512, 1024, 2048], out_channels: 256, start_level: 1, add_extra_convs: 'on_input', num_outs: 5 });
 */
export class FPN extends Module {
  static readonly type = 'FPN';
  static override readonly torchName: string = 'FPN';
  static override readonly torchBases: readonly string[] = ['BaseModule'];

  readonly in_channels: number[];
  readonly out_channels: number;
  readonly num_ins: number;
  readonly num_outs: number;
  readonly start_level: number;
  readonly end_level: number;
  readonly backbone_end_level: number;
  readonly add_extra_convs: false | 'on_input' | 'on_lateral' | 'on_output';
  readonly relu_before_extra_convs: boolean;
  readonly no_norm_on_lateral: boolean;
  readonly upsample_cfg: UpsampleCfg;
  readonly lateral_convs: ModuleList<ConvModule>;
  readonly fpn_convs: ModuleList<ConvModule>;

  /** Builds from a config node (Registry `build` entry point). */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): FPN {
    return new FPN(args as unknown as FPNConfig, ctx);
  }

  /** @throws TypeError_ `CONFIG_UNEXPECTED_KEY`, ValueError `CONFIG_INVALID_VALUE` naming the config key */
  constructor(cfg: FPNConfig, ctx?: BuildContext) {
    super();
    assertKnownKeys('FPN', cfg, KEYS, ctx);
    const { in_channels, out_channels, num_outs, start_level = 0, end_level = -1 } = cfg;
    checkArg(Array.isArray(in_channels) && in_channels.length > 0, ctx, 'in_channels', 'in_channels must be a non-empty list');
    checkArg(Number.isInteger(out_channels) && out_channels > 0, ctx, 'out_channels', `out_channels must be a positive int, got ${out_channels}`);
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.num_ins = in_channels.length;
    this.num_outs = num_outs;
    this.relu_before_extra_convs = cfg.relu_before_extra_convs ?? false;
    this.no_norm_on_lateral = cfg.no_norm_on_lateral ?? false;
    this.upsample_cfg = { mode: 'nearest', ...(cfg.upsample_cfg ?? {}) };
    checkArg(this.upsample_cfg.mode === 'nearest' || this.upsample_cfg.mode === 'bilinear', ctx, 'upsample_cfg.mode', `upsample mode must be 'nearest' or 'bilinear', got '${String(this.upsample_cfg.mode)}'`);
    checkArg(Number.isInteger(start_level) && start_level >= 0 && start_level < this.num_ins, ctx, 'start_level', `start_level must be in 0..${this.num_ins - 1}, got ${start_level}`);
    if (end_level === -1 || end_level === this.num_ins - 1) {
      this.backbone_end_level = this.num_ins;
      checkArg(num_outs >= this.num_ins - start_level, ctx, 'num_outs', `num_outs (${num_outs}) must be >= len(in_channels) - start_level (${this.num_ins - start_level})`);
    } else {
      // if end_level is not the last level, no extra level is allowed
      this.backbone_end_level = end_level + 1;
      checkArg(end_level < this.num_ins && end_level >= start_level, ctx, 'end_level', `end_level must be in start_level..${this.num_ins - 1}, got ${end_level}`);
      checkArg(num_outs === end_level - start_level + 1, ctx, 'num_outs', `num_outs must equal end_level - start_level + 1 (${end_level - start_level + 1}), got ${num_outs}`);
    }
    this.start_level = start_level;
    this.end_level = end_level;
    const extra = cfg.add_extra_convs ?? false;
    checkArg(
      typeof extra === 'boolean' || ['on_input', 'on_lateral', 'on_output'].includes(extra),
      ctx,
      'add_extra_convs',
      `add_extra_convs must be a bool or one of 'on_input', 'on_lateral', 'on_output', got ${JSON.stringify(extra)}`,
    );
    this.add_extra_convs = extra === true ? 'on_input' : extra;
    const conv_cfg = cfg.conv_cfg ?? null;
    const norm_cfg = cfg.norm_cfg ?? null;
    const act_cfg = cfg.act_cfg ?? null;
    this.lateral_convs = this.addModule('lateral_convs', new ModuleList<ConvModule>());
    this.fpn_convs = this.addModule('fpn_convs', new ModuleList<ConvModule>());
    for (let i = start_level; i < this.backbone_end_level; i++) {
      this.lateral_convs.append(
        new ConvModule({ in_channels: in_channels[i]!, out_channels, kernel_size: 1, conv_cfg, norm_cfg: this.no_norm_on_lateral ? null : norm_cfg, act_cfg, inplace: false }),
      );
      this.fpn_convs.append(new ConvModule({ in_channels: out_channels, out_channels, kernel_size: 3, padding: 1, conv_cfg, norm_cfg, act_cfg, inplace: false }));
    }
    const extraLevels = num_outs - this.backbone_end_level + start_level;
    if (this.add_extra_convs !== false && extraLevels >= 1) {
      for (let i = 0; i < extraLevels; i++) {
        const cin = i === 0 && this.add_extra_convs === 'on_input' ? in_channels[this.backbone_end_level - 1]! : out_channels;
        this.fpn_convs.append(new ConvModule({ in_channels: cin, out_channels, kernel_size: 3, stride: 2, padding: 1, conv_cfg, norm_cfg, act_cfg, inplace: false }));
      }
    }
    this.init_cfg = cfg.init_cfg === undefined ? { type: 'Xavier', layer: 'Conv2d', distribution: 'uniform' } : cfg.init_cfg;
  }

  private upsampleAdd(lower: tf.Tensor4D, upper: tf.Tensor4D): tf.Tensor4D {
    const { mode, scale_factor, align_corners = false } = this.upsample_cfg;
    const size: [number, number] =
      scale_factor === undefined
        ? [lower.shape[1], lower.shape[2]]
        : [Math.floor(upper.shape[1] * scale_factor), Math.floor(upper.shape[2] * scale_factor)];
    // torch nearest: src = floor(dst · in/out) = tfjs without align_corners / half-pixel centres;
    // torch bilinear (align_corners=False) uses half-pixel centres.
    const up = mode === 'bilinear' ? tf.image.resizeBilinear(upper, size, align_corners, !align_corners) : tf.image.resizeNearestNeighbor(upper, size, false, false);
    return addSameShape(lower, up);
  }

  /**
   * @param inputs backbone levels; `inputs.length` must equal `in_channels.length`
   * @returns `num_outs` feature maps `[N, H_l, W_l, out_channels]` (owned by the caller)
   * @throws ValueError `NN_BAD_INPUT` for a wrong number of inputs
   */
  forward(inputs: readonly tf.Tensor4D[]): tf.Tensor4D[] {
    return tf.tidy(() => {
      if (inputs.length !== this.in_channels.length) {
        throw new ValueError('NN_BAD_INPUT', `FPN expects ${this.in_channels.length} input levels (in_channels), got ${inputs.length}`);
      }
      const laterals = [...this.lateral_convs].map((conv, i) => conv.forward(inputs[i + this.start_level]!));
      const used = laterals.length;
      for (let i = used - 1; i > 0; i--) laterals[i - 1] = this.upsampleAdd(laterals[i - 1]!, laterals[i]!);
      const outs = laterals.map((l, i) => this.fpn_convs.at(i).forward(l));
      if (this.num_outs > outs.length) {
        if (this.add_extra_convs === false) {
          for (let i = 0; i < this.num_outs - used; i++) outs.push(tf.maxPool(outs[outs.length - 1]!, 1, 2, 'valid'));
        } else {
          const source =
            this.add_extra_convs === 'on_input' ? inputs[this.backbone_end_level - 1]! : this.add_extra_convs === 'on_lateral' ? laterals[laterals.length - 1]! : outs[outs.length - 1]!;
          outs.push(this.fpn_convs.at(used).forward(source));
          for (let i = used + 1; i < this.num_outs; i++) {
            const prev = outs[outs.length - 1]!;
            outs.push(this.fpn_convs.at(i).forward(this.relu_before_extra_convs ? relu(prev) : prev));
          }
        }
      }
      return outs;
    });
  }
}
