/**
 * @module The public config API (mmcv `Config`, `DictAction`): load, merge, print and dump
 * mmdetection-style config files.
 */
export { Config, baseRef, RESERVED_KEYS } from './config.js';
export { importCustomModules, ImportError_ } from './custom_imports.js';
export { replaceCfgVals } from './replace_cfg_vals.js';
export { parseCfgOptions, parseIterable, parseIntFloatBool, type CfgOptionValue } from './dict_action.js';
export { ConfigParseError, AttributeError_, OSError_ } from './errors.js';
export type { ConfigDict, ComponentConfig, DataConfig, DetConfig, FromFileOptions, MergeFromDictOptions } from './types.js';
