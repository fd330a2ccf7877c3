/**
 * @module Port of `mmcv/runner/hooks/sampler_seed.py` @ v1.7.2.
 */
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';

/** `DistSamplerSeedHook` takes no options. */
export type DistSamplerSeedHookConfig = Record<string, never>;

/** Calls `data_loader.setEpoch(runner.epoch)` before each epoch, so seeded shuffles differ per epoch. */
export class DistSamplerSeedHook extends Hook {
  static override readonly type: string = 'DistSamplerSeedHook';

  constructor(_cfg: DistSamplerSeedHookConfig = {}) {
    super();
  }

  override before_epoch(runner: RunnerLike): void {
    runner.data_loader?.setEpoch?.(runner.epoch);
  }
}
