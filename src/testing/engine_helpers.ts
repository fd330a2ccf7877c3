/**
 * @module Test helpers for the engine: a hook that records every stage call with the counters,
 * and stand-ins for the LR and optimizer hooks (the real ones live in `engine/hooks/lr_updater*`
 * and `optimizer*`) that act on the same stages with the same effect on the log buffer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../backend/index.js';
import { HOOKS } from '../registry/root.js';
import { Registry } from '../registry/registry.js';
import { Hook, HOOK_STAGES } from '../engine/hooks/hook.js';
import type { DataLoaderLike, RunnerLike, TrainableModel } from '../engine/types.js';
import type { Optimizer } from '../engine/optim/types.js';
import { LogBuffer } from '../engine/log_buffer.js';
import { MemoryLogger } from '../engine/logging/logger.js';
import { StepLrUpdaterHook } from '../engine/hooks/lr_updater.js';
import { OptimizerHook } from '../engine/hooks/optimizer.js';

/** Records `stage epoch iter inner_iter mode` for every stage call. */
export class RecorderHook extends Hook {
  static override readonly type: string = 'RecorderHook';
  readonly calls: string[] = [];
  constructor(readonly label = 'rec') {
    super();
    for (const stage of [...HOOK_STAGES, 'before_epoch', 'after_epoch'] as const) {
      (this as unknown as Record<string, unknown>)[stage] = (r: RunnerLike) => {
        this.calls.push(`${stage} e${r.epoch} i${r.iter} ii${r.inner_iter} ${r.mode ?? 'None'}`);
      };
    }
  }
}

/**
 * Stand-in for mmcv's `StepLrUpdaterHook` (by epoch, linear warmup by iteration): same stages
 * (`before_run`, `before_train_epoch`, `before_train_iter`) and the same lr values.
 */
export class StandInStepLrHook extends Hook {
  static override readonly type: string = 'StepLrUpdaterHook';
  private base: number[] = [];
  private regular: number[] = [];
  constructor(readonly cfg: { step: number[]; gamma?: number; warmup?: string | null; warmup_iters?: number; warmup_ratio?: number; by_epoch?: boolean }) {
    super();
  }
  override before_run(r: RunnerLike): void {
    for (const g of r.optimizer!.paramGroups) g.initial_lr ??= g.lr;
    this.base = r.optimizer!.paramGroups.map((g) => g.initial_lr!);
  }
  private lrAt(progress: number): number[] {
    const exp = this.cfg.step.filter((s) => progress >= s).length;
    return this.base.map((b) => b * (this.cfg.gamma ?? 0.1) ** exp);
  }
  private set(r: RunnerLike, lrs: number[]): void {
    r.optimizer!.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
  }
  override before_train_epoch(r: RunnerLike): void {
    if (this.cfg.by_epoch === false) return;
    this.regular = this.lrAt(r.epoch);
    this.set(r, this.regular);
  }
  override before_train_iter(r: RunnerLike): void {
    if (this.cfg.by_epoch === false) this.regular = this.lrAt(r.iter);
    const wi = this.cfg.warmup_iters ?? 0;
    if (this.cfg.warmup !== 'linear' || r.iter >= wi) {
      this.set(r, this.regular);
      return;
    }
    const k = (1 - r.iter / wi) * (1 - (this.cfg.warmup_ratio ?? 0.1));
    this.set(r, this.regular.map((l) => l * (1 - k)));
  }
}

/** Stand-in for mmcv's `OptimizerHook`: optional L2-norm clipping (logs `grad_norm`), step, dispose. */
export class StandInOptimizerHook extends Hook {
  static override readonly type: string = 'OptimizerHook';
  constructor(readonly cfg: { grad_clip?: { max_norm: number } | null } = {}) {
    super();
  }
  override after_train_iter(r: RunnerLike): void {
    const grads = r.outputs!.grads!;
    r.outputs!.grads = undefined;
    if (this.cfg.grad_clip) {
      const total = Math.sqrt([...grads.values()].reduce((a, g) => a + tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]!), 0));
      const coef = this.cfg.grad_clip.max_norm / (total + 1e-6);
      if (coef < 1) {
        for (const [k, g] of grads) {
          grads.set(k, tf.tidy(() => tf.mul(g, coef)));
          g.dispose();
        }
      }
      r.log_buffer.update({ grad_norm: total }, r.outputs!.num_samples);
    }
    r.optimizer!.step(grads);
    for (const g of grads.values()) if (!g.isDisposed) g.dispose();
  }
}

/** A copy of HOOKS with the stand-ins registered under the real names. */
export function standInHooks(): Registry {
  const reg = new Registry('hook', { scope: 'mmcv' });
  for (const k of HOOKS.keys()) reg.register(k, HOOKS.get(k)!);
  reg.register('StepLrUpdaterHook', StandInStepLrHook, { force: true });
  reg.register('OptimizerHook', StandInOptimizerHook, { force: true });
  reg.register('RecorderHook', RecorderHook, { force: true });
  return reg;
}

/** A fresh temp folder. */
export function tempDir(prefix = 'detkit-engine-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A copy of HOOKS with the real `StepLrUpdaterHook` and `OptimizerHook` (engine/hooks/lr_updater,
 * optimizer) registered, for tests that need mmcv's exact schedules and gradient clipping.
 */
export function realTrainingHooks(): Registry {
  const reg = new Registry('hook', { scope: 'mmcv' });
  for (const k of HOOKS.keys()) reg.register(k, HOOKS.get(k)!);
  reg.register('StepLrUpdaterHook', StepLrUpdaterHook, { force: true });
  reg.register('OptimizerHook', OptimizerHook, { force: true });
  return reg;
}

/** A runner-shaped object with settable counters, for driving single hooks (no loop). */
export interface FakeRunner extends RunnerLike {
  epoch: number;
  iter: number;
  inner_iter: number;
  max_epochs: number;
  max_iters: number;
  mode: 'train' | 'val' | null;
  data_loader: DataLoaderLike | null;
  hooks: Hook[];
  log_buffer: LogBuffer;
  logger: MemoryLogger;
}

/** Builds a {@link FakeRunner}; `lr`/`momentum` make `current_lr()`/`current_momentum()` answer. */
export function fakeRunner(init: Partial<FakeRunner> & { lr?: number; momentum?: number; loaderLength?: number } = {}): FakeRunner {
  const { lr, momentum, loaderLength, ...rest } = init;
  const optimizer = lr === undefined ? null : ({ type: 'SGD', paramGroups: [{ params: [], lr, weight_decay: 0, momentum: momentum ?? 0.9 }] } as unknown as Optimizer);
  const runner: FakeRunner = {
    model: {} as TrainableModel,
    optimizer,
    mode: 'train',
    epoch: 0,
    iter: 0,
    inner_iter: 0,
    max_epochs: 12,
    max_iters: 0,
    data_loader: loaderLength === undefined ? null : ({ length: loaderLength } as DataLoaderLike),
    log_buffer: new LogBuffer(),
    logger: new MemoryLogger(),
    work_dir: '',
    timestamp: '20240101_000000',
    meta: {},
    outputs: null,
    rank: 0,
    world_size: 1,
    hooks: [],
    model_name: 'Toy',
    runnerType: 'EpochBasedRunner',
    current_lr: () => runner.optimizer!.paramGroups.map((g) => g.lr),
    current_momentum: () => runner.optimizer!.paramGroups.map((g) => g.momentum ?? g.betas?.[0] ?? 0),
    should_stop: false,
    ...rest,
  };
  return runner;
}
