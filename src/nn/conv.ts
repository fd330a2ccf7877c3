/**
 * @module Port of `mmcv/cnn/bricks/conv.py` (`build_conv_layer`) @ mmcv v1.7.
 */
import { CONV_LAYERS } from '../registry/root.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import type { Conv2d, Conv2dOptions } from './conv2d.js';

/** A `conv_cfg` dict: `{type: 'Conv2d' | 'Conv', ...extra constructor options}`; null = `Conv2d`. */
export interface ConvCfg {
  type: string;
  [key: string]: unknown;
}

/**
 * Builds a conv layer from `conv_cfg` (mmcv `build_conv_layer`): `null` means `Conv2d`; the
 * layer arguments are merged over the config's extra keys.
 * @throws KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown `conv_cfg.type` (naming its config path)
 * @example buildConvLayer(null, { in_channels: 3, out_channels: 64, kernel_size: 7, stride: 2, padding: 3, bias: false })
 */
export function buildConvLayer(cfg: ConvCfg | null | undefined, options: Conv2dOptions): Conv2d {
  const c: ConvCfg = cfg ?? { type: 'Conv2d' };
  return CONV_LAYERS.build<Conv2d>({ ...c, ...options }, undefined, { path: configPathOf(c), file: configFileOf(c) });
}
