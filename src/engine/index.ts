/**
 * @module Registers this folder's components (one explicit list) and re-exports its public API.
 */
import { HOOKS, OPTIMIZER_BUILDERS, OPTIMIZERS, RUNNERS } from '../registry/root.js';
import { registerScheduleHooks } from './hooks/schedule_index.js';
import { registerOptimizers } from './optim/index.js';
import { CheckpointHook, type CheckpointHookConfig } from './hooks/checkpoint.js';
import { ClosureHook, type ClosureHookConfig } from './hooks/closure.js';
import { EarlyStoppingHook, type EarlyStoppingHookConfig } from './hooks/early_stopping.js';
import { EMAHook, type EMAHookConfig } from './hooks/ema.js';
import { EvalHook, type EvalHookConfig } from './hooks/evaluation.js';
import { IterTimerHook, type IterTimerHookConfig } from './hooks/iter_timer.js';
import { TensorboardLoggerHook, type TensorboardLoggerHookConfig } from './hooks/logger/tensorboard.js';
import { TextLoggerHook, type TextLoggerHookConfig } from './hooks/logger/text.js';
import { EmptyCacheHook, type EmptyCacheHookConfig } from './hooks/memory.js';
import { DistSamplerSeedHook, type DistSamplerSeedHookConfig } from './hooks/sampler_seed.js';
import { EpochBasedRunner, type EpochBasedRunnerConfig } from './runner/epoch_based_runner.js';
import { IterBasedRunner, type IterBasedRunnerConfig } from './runner/iter_based_runner.js';

declare module '../registry/root.js' {
  interface RunnerTypes {
    EpochBasedRunner: EpochBasedRunnerConfig;
    IterBasedRunner: IterBasedRunnerConfig;
  }
  interface HookTypes {
    CheckpointHook: CheckpointHookConfig;
    ClosureHook: ClosureHookConfig;
    DistSamplerSeedHook: DistSamplerSeedHookConfig;
    EarlyStoppingHook: EarlyStoppingHookConfig;
    EMAHook: EMAHookConfig;
    EmptyCacheHook: EmptyCacheHookConfig;
    EvalHook: EvalHookConfig;
    IterTimerHook: IterTimerHookConfig;
    TensorboardLoggerHook: TensorboardLoggerHookConfig;
    TextLoggerHook: TextLoggerHookConfig;
  }
}

/** Runners, by registry name. */
const RUNNER_LIST = [EpochBasedRunner, IterBasedRunner] as const;
/** Hooks of the engine proper (the optimizer/LR/momentum hooks register in their own list). */
const HOOK_LIST = [
  CheckpointHook,
  ClosureHook,
  DistSamplerSeedHook,
  EarlyStoppingHook,
  EMAHook,
  EmptyCacheHook,
  EvalHook,
  IterTimerHook,
  TensorboardLoggerHook,
  TextLoggerHook,
] as const;

for (const R of RUNNER_LIST) RUNNERS.register(R.type, R);
for (const H of HOOK_LIST) HOOKS.register(H.type, H);
registerScheduleHooks(HOOKS);
registerOptimizers(OPTIMIZERS, OPTIMIZER_BUILDERS);

export { BaseRunner, type BaseRunnerOptions, type TrainingHooksConfig, type Workflow, type HookSpec } from './runner/base_runner.js';
export { EpochBasedRunner, IterBasedRunner };
export { IterLoader } from './runner/iter_loader.js';
export { LogBuffer } from './log_buffer.js';
export { RunLogger, MemoryLogger, type RunLoggerOptions } from './logging/logger.js';
export { ProgressBar, type ProgressBarOptions } from './logging/progress_bar.js';
export { SummaryWriter } from './logging/tensorboard_writer.js';
export { saveCheckpoint, loadCheckpoint, findLatestCheckpoint, readCheckpointMeta, type LoadedCheckpoint, type LoadCheckpointOptions } from './checkpoint/checkpoint.js';
export { Hook, HOOK_STAGES, type HookStage } from './hooks/hook.js';
export { Priority, getPriority } from './hooks/priority.js';
export { LoggerHook } from './hooks/logger/base.js';
export {
  CheckpointHook,
  ClosureHook,
  DistSamplerSeedHook,
  EarlyStoppingHook,
  EMAHook,
  EmptyCacheHook,
  EvalHook,
  IterTimerHook,
  TensorboardLoggerHook,
  TextLoggerHook,
};
export type { DataLoaderLike, LogBufferLike, LoggerLike, NamedVariable, RunnerLike, StepOutputs, TrainableModel } from './types.js';
export { buildOptimizer, simulateSchedule, runSchedule, SGD, Adam, AdamW, RMSprop, DefaultOptimizerConstructor, clipGradNorm, type OptimizerConfig, type ParamwiseConfig, type ParamKind, type ParamKindsProvider, type ScheduleConfig, type ScheduleCurve } from './optim/index.js';
export { LR_UPDATER_HOOKS, MOMENTUM_UPDATER_HOOKS, OPTIMIZER_HOOKS, buildLrUpdaterHook, buildMomentumUpdaterHook } from './hooks/schedule_index.js';
export { LrUpdaterHook } from './hooks/lr_updater.js';
export { MomentumUpdaterHook } from './hooks/momentum_updater.js';
export { OptimizerHook, GradientCumulativeOptimizerHook } from './hooks/optimizer.js';
