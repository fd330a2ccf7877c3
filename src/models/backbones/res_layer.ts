/**
 * @module Port of `mmdet/models/utils/res_layer.py` (`ResLayer`) @ v2.28.2.
 *
 * Porting note: lives beside the backbones (its only user here) rather than in `models/utils`.
 */
import { Sequential, type ForwardModule } from '../../nn/container.js';
import { buildConvLayer, type ConvCfg } from '../../nn/conv.js';
import type { InitCfg } from '../../nn/initializers.js';
import { buildNormLayer, type NormCfg } from '../../nn/norm.js';
import { AvgPool2d } from '../../nn/pooling.js';
import type { ResBlockClass } from './resnet_blocks.js';

/** Options of {@link ResLayer} (mmdet's keyword arguments). */
export interface ResLayerOptions {
  block: ResBlockClass;
  inplanes: number;
  planes: number;
  num_blocks: number;
  stride?: number;
  dilation?: number;
  style?: 'pytorch' | 'caffe';
  conv_cfg?: ConvCfg | null;
  norm_cfg?: NormCfg;
  /** Shortcut downsamples by average pooling then a stride-1 conv (ResNetV1d). Default false. */
  avg_down?: boolean;
  /** Put the stride (and shortcut) on the first block (true) or the last. Default true. */
  downsample_first?: boolean;
  /** `init_cfg` of every block (ResNet passes the zero-init-residual config). */
  block_init_cfg?: InitCfg | InitCfg[] | null;
  with_cp?: boolean;
}

/**
 * One ResNet stage: `num_blocks` blocks named `0..n-1`; the first (or last) one strides and owns a
 * `downsample` shortcut (1x1 conv + norm) when the stride or the channel count changes.
 * It is an mmcv `Sequential` (a `BaseModule`): `init_weights` recurses into its blocks.
 */
export class ResLayer extends Sequential {
  static override readonly torchName: string = 'ResLayer';
  static override readonly torchBases: readonly string[] = ['Sequential'];

  constructor(options: ResLayerOptions) {
    super();
    const { block, inplanes, planes, num_blocks, stride = 1, dilation = 1, style = 'pytorch', conv_cfg = null, downsample_first = true } = options;
    const norm_cfg = options.norm_cfg ?? { type: 'BN' };
    const outPlanes = planes * block.expansion;
    let downsample: Sequential | null = null;
    if (stride !== 1 || inplanes !== outPlanes) {
      const parts: ForwardModule[] = [];
      let convStride = stride;
      if (options.avg_down) {
        // mmdet adds the pooling whenever there is a shortcut (kernel 1 = identity when stride is 1).
        convStride = 1;
        parts.push(new AvgPool2d({ kernel_size: stride, stride, ceil_mode: true, count_include_pad: false }));
      }
      parts.push(buildConvLayer(conv_cfg, { in_channels: inplanes, out_channels: outPlanes, kernel_size: 1, stride: convStride, bias: false }));
      parts.push(buildNormLayer(norm_cfg, outPlanes)[1] as ForwardModule);
      downsample = new Sequential(parts);
    }
    const common = { dilation, style, conv_cfg, norm_cfg, init_cfg: options.block_init_cfg ?? null };
    if (downsample_first) {
      this.append(new block({ inplanes, planes, stride, downsample, ...common }));
      for (let i = 1; i < num_blocks; i++) this.append(new block({ inplanes: outPlanes, planes, stride: 1, ...common }));
    } else {
      for (let i = 0; i < num_blocks - 1; i++) this.append(new block({ inplanes, planes: inplanes, stride: 1, ...common }));
      this.append(new block({ inplanes, planes, stride, downsample, ...common }));
    }
  }

  /** mmcv `Sequential` is a `BaseModule`: the parent's `init_weights` recurses into it. */
  override get hasInitWeights(): boolean {
    return true;
  }
}
