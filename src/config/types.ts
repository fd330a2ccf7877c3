/**
 * @module Loose types of detkit / mmdetection 2.x config files (`configs/**.ts`): the keys of
 * mmdet's schema with open records below them. Precise per-component types come from the
 * registries (`src/registry/root.ts` type maps) once components are registered.
 */

/** A config dict node (mmcv `ConfigDict`): snake_case keys, plain values. */
export interface ConfigDict {
  [key: string]: unknown;
}

/** A component built from the registry: `type` names the class (optional in partial child configs). */
export interface ComponentConfig extends ConfigDict {
  type?: string;
}

/** `data = dict(samples_per_gpu=..., workers_per_gpu=..., train=..., val=..., test=...)`. */
export interface DataConfig extends ConfigDict {
  samples_per_gpu?: number;
  workers_per_gpu?: number;
  persistent_workers?: boolean;
  train?: ComponentConfig;
  val?: ComponentConfig;
  test?: ComponentConfig;
}

/**
 * An mmdetection 2.x config file, whole or partial (every key optional, unknown keys allowed,
 * as intermediate variables such as `img_norm_cfg` and `train_pipeline` are config keys too).
 */
export interface DetConfig extends ConfigDict {
  /** Base files merged first, relative to this file. */
  _base_?: string | string[];
  model?: ComponentConfig;
  data?: DataConfig;
  evaluation?: ConfigDict;
  optimizer?: ComponentConfig;
  optimizer_config?: ConfigDict;
  lr_config?: ConfigDict | null;
  momentum_config?: ConfigDict | null;
  runner?: ComponentConfig;
  checkpoint_config?: ConfigDict;
  log_config?: ConfigDict;
  custom_hooks?: ComponentConfig[];
  dist_params?: ConfigDict;
  log_level?: string;
  load_from?: string | null;
  resume_from?: string | null;
  /** `[['train', 1]]` or `[['train', 1], ['val', 1]]`. */
  workflow?: [string, number][];
  work_dir?: string;
  auto_resume?: boolean;
  opencv_num_threads?: number;
  mp_start_method?: string;
  auto_scale_lr?: ConfigDict;
  /** Modules to import before building (`{imports: ['./my_head.ts'], allow_failed_imports: false}`). */
  custom_imports?: { imports?: string | string[]; allow_failed_imports?: boolean };
}

/** Options of {@link Config.fromFile}. */
export interface FromFileOptions {
  /** Replace `{{ fileDirname }}`, `{{ fileBasename }}`, ... (mmcv default: true). */
  usePredefinedVariables?: boolean;
  /** Import the modules listed in `custom_imports` (mmcv default: true). */
  importCustomModules?: boolean;
}

/** Options of {@link Config.mergeFromDict}. */
export interface MergeFromDictOptions {
  /** Let digit path parts index into lists (`data.train.pipeline.1.img_scale`); mmcv default: true. */
  allowListKeys?: boolean;
}
