/**
 * @module Port of `mmcv/cnn/bricks/norm.py` (`build_norm_layer`, `infer_abbr`) @ mmcv v1.7.
 */
import { NORM_LAYERS } from '../registry/root.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import { KeyError, TypeError_ } from '../utils/errors.js';
import type { Module } from './module.js';

/** A `norm_cfg` dict: `{type: 'BN' | 'BN2d' | 'SyncBN' | 'GN', requires_grad?, eps?, momentum?, num_groups?}`. */
export interface NormCfg {
  type: string;
  /** Whether the affine parameters are trained. Default true. */
  requires_grad?: boolean;
  /** Default 1e-5 (set by `build_norm_layer`). */
  eps?: number;
  momentum?: number | null;
  /** Required for `GN`. */
  num_groups?: number;
  [key: string]: unknown;
}

/**
 * mmcv `infer_abbr`: the name prefix of a norm layer class (`bn`, `gn`, `in`, `ln`), from its
 * static `abbr`, else from its class name.
 */
export function inferAbbr(cls: { abbr?: string; torchName?: string }): string {
  if (typeof cls.abbr === 'string') return cls.abbr;
  const name = (cls.torchName ?? '').toLowerCase();
  if (name.includes('batch')) return 'bn';
  if (name.includes('group')) return 'gn';
  if (name.includes('layer')) return 'ln';
  if (name.includes('instance')) return 'in';
  return 'norm_layer';
}

/**
 * Builds a norm layer (mmcv `build_norm_layer`) and returns `[name, layer]` with
 * `name = abbr + postfix` (`bn1`, `gn`); `requires_grad: false` freezes the affine parameters.
 * @param numFeatures channels to normalise
 * @param postfix appended to the abbreviation (`1` → `bn1`)
 * @throws TypeError_ `NN_BAD_NORM_CFG` when cfg is not a dict; KeyError `NN_BAD_NORM_CFG` without `type`
 *   or `num_groups` for GN; KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown type
 */
export function buildNormLayer(cfg: NormCfg, numFeatures: number, postfix: string | number = ''): [string, Module] {
  const path = configPathOf(cfg);
  const file = configFileOf(cfg);
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
    throw new TypeError_('NN_BAD_NORM_CFG', 'cfg must be a dict', { configPath: path, file });
  }
  if (!('type' in cfg)) throw new KeyError('NN_BAD_NORM_CFG', 'the cfg dict must contain the key "type"', { configPath: path, file });
  const cls = NORM_LAYERS.get(cfg.type) as ({ abbr?: string; torchName?: string } & (new (...a: never[]) => Module)) | undefined;
  if (cls === undefined) {
    // Let the registry produce its "did you mean" error.
    NORM_LAYERS.build(cfg, undefined, { path, file });
  }
  const name = `${inferAbbr(cls ?? {})}${postfix}`;
  const { requires_grad = true, ...rest } = cfg;
  const args: Record<string, unknown> = { eps: 1e-5, ...rest };
  if (cfg.type === 'GN') {
    if (!('num_groups' in rest)) {
      throw new KeyError('NN_BAD_NORM_CFG', `GN requires 'num_groups' in norm_cfg`, { configPath: path === undefined ? 'num_groups' : `${path}.num_groups`, file });
    }
    args.num_channels = numFeatures;
  } else {
    args.num_features = numFeatures;
  }
  const layer = NORM_LAYERS.build<Module>(args as { type: string }, undefined, { path, file });
  layer.requiresGrad(requires_grad);
  return [name, layer];
}
