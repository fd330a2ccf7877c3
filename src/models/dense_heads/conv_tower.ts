/**
 * @module The stacked 3×3 ConvModule towers that RetinaHead, ATSSHead and FCOSHead (mmdet
 * `_init_cls_convs` / `_init_reg_convs`) build for their classification and regression branches.
 */
import type { tf } from '../../backend/index.js';
import { ConvModule } from '../../nn/conv_module.js';
import { ModuleList } from '../../nn/container.js';
import type { ConvCfg } from '../../nn/conv.js';
import type { NormCfg } from '../../nn/norm.js';

/** Options of {@link convTower}. */
export interface ConvTowerOptions {
  /** Number of convs (mmdet `stacked_convs`). */
  stacked: number;
  inChannels: number;
  featChannels: number;
  convCfg: ConvCfg | null;
  normCfg: NormCfg | null;
  /** ConvModule `bias` (default `'auto'`: a bias iff there is no norm). */
  bias?: boolean | 'auto';
}

/** `stacked` 3×3 stride-1 ConvModules (ReLU), the first from `inChannels`, named `0..n-1`. */
export function convTower(o: ConvTowerOptions): ModuleList<ConvModule> {
  return new ModuleList(
    Array.from({ length: o.stacked }, (_, i) =>
      new ConvModule({
        in_channels: i === 0 ? o.inChannels : o.featChannels,
        out_channels: o.featChannels,
        kernel_size: 3,
        stride: 1,
        padding: 1,
        conv_cfg: o.convCfg,
        norm_cfg: o.normCfg,
        bias: o.bias ?? 'auto',
      }),
    ),
  );
}

/** Runs `x` through every module of a tower. */
export function applyTower(tower: ModuleList<ConvModule>, x: tf.Tensor4D): tf.Tensor4D {
  let y = x;
  for (const m of tower) y = m.forward(y);
  return y;
}
