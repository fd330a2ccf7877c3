/**
 * @module The optimizers and the optimizer constructor of this package: the registration function
 * the engine's index calls, typed config entries, and the public API of `engine/optim`.
 */
import type { Registry } from '../../registry/registry.js';
import { Adam, type AdamConfig } from './adam.js';
import { AdamW, type AdamWConfig } from './adamw.js';
import { DefaultOptimizerConstructor, type ParamwiseConfig } from './default_constructor.js';
import { RMSprop, type RMSpropConfig } from './rmsprop.js';
import { SGD, type SGDConfig } from './sgd.js';

/** Keys of the `optimizer` node that `buildOptimizer` takes out before building the optimizer. */
export interface OptimizerBuildKeys {
  /** Per-parameter lr / weight-decay rules (mmcv DefaultOptimizerConstructor). */
  paramwise_cfg?: ParamwiseConfig | null;
}

declare module '../../registry/root.js' {
  interface OptimizerTypes {
    SGD: SGDConfig & OptimizerBuildKeys;
    Adam: AdamConfig & OptimizerBuildKeys;
    AdamW: AdamWConfig & OptimizerBuildKeys;
    RMSprop: RMSpropConfig & OptimizerBuildKeys;
  }
}

/** The optimizers, by registry name. */
export const OPTIMIZER_LIST = [SGD, Adam, AdamW, RMSprop] as const;

/**
 * Registers the optimizers in OPTIMIZERS and `DefaultOptimizerConstructor` in OPTIMIZER_BUILDERS
 * (call once, from the engine's index).
 */
export function registerOptimizers(optimizers: Registry, builders: Registry): void {
  for (const O of OPTIMIZER_LIST) optimizers.register(O.type, O);
  builders.register(DefaultOptimizerConstructor.type, DefaultOptimizerConstructor);
}

export { SGD, Adam, AdamW, RMSprop, DefaultOptimizerConstructor };
export type { SGDConfig, AdamConfig, AdamWConfig, RMSpropConfig, ParamwiseConfig };
export { TorchOptimizer, type OptimizerParams, type ParamGroupInput } from './optimizer.js';
export { buildOptimizer, inferParamKind, type OptimizerConfig, type OptimizableModel, type ParamKind, type ParamKindsProvider, type CustomKeyConfig } from './default_constructor.js';
export { clipGradNorm, type GradClipConfig } from './clip_grad.js';
export { simulateSchedule, runSchedule, type ScheduleConfig, type ScheduleCurve } from './simulate_schedule.js';
export type { Optimizer, ParamGroup } from './types.js';
