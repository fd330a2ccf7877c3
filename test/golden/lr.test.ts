/**
 * Golden parity of the LR / momentum schedules with mmcv 1.7.2: every case of
 * `shared/golden/lr/cases.json` is replayed through the schedule hooks on a probe runner that calls
 * the hook stages in mmcv's order, and the lr (and momentum) of param group 0 read in
 * `before_train_iter` after all schedule hooks must match the recorded values at every iteration.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Priority } from '../../src/engine/hooks/priority.js';
import { buildLrUpdaterHook, buildMomentumUpdaterHook, type PolicyConfig } from '../../src/engine/hooks/schedule_index.js';
import type { ParamGroupInput } from '../../src/engine/optim/optimizer.js';
import { SGD } from '../../src/engine/optim/sgd.js';
import { runSchedule, type ScheduleHookLike } from '../../src/engine/optim/simulate_schedule.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const goldenDir = path.join(path.resolve(repoRoot, '../shared/golden'), 'lr');

interface LrCase {
  name: string;
  optimizer: { lr: number; momentum?: number; group_lrs?: number[] };
  runner: 'EpochBasedRunner' | 'IterBasedRunner';
  max_epochs?: number;
  max_iters?: number;
  iters_per_epoch: number;
  lr_config: PolicyConfig;
  momentum_config?: PolicyConfig;
}

const cases: LrCase[] = existsSync(path.join(goldenDir, 'cases.json'))
  ? (JSON.parse(readFileSync(path.join(goldenDir, 'cases.json'), 'utf8')) as { cases: LrCase[] }).cases
  : [];

function expectClose(actual: number[], gold: number[], what: string): void {
  expect(actual.length, `${what}: number of iterations`).toBe(gold.length);
  for (let i = 0; i < gold.length; i++) {
    const rel = Math.abs(actual[i] - gold[i]) / Math.max(Math.abs(gold[i]), 1e-300);
    if (!(rel < 1e-6) && Math.abs(actual[i] - gold[i]) > 1e-15) {
      throw new Error(`${what}: iteration ${i}: got ${actual[i]}, mmcv ${gold[i]} (relative error ${rel})`);
    }
  }
}

function replay(c: LrCase): { lr: number[]; momentum: number[] } {
  // mmcv's test harness: torch.optim.SGD(lr, momentum=0.9 unless given); group_lrs → one group each.
  const groups: ParamGroupInput[] = (c.optimizer.group_lrs ?? [c.optimizer.lr]).map((lr) => ({ params: [], lr }));
  const optimizer = new SGD({ lr: c.optimizer.lr, momentum: c.optimizer.momentum ?? 0.9, params: { variables: new Map(), groups } });
  // IterBasedRunner.register_training_hooks: lr_config.setdefault('by_epoch', False).
  const lrCfg = c.runner === 'IterBasedRunner' && !('by_epoch' in c.lr_config) ? { ...c.lr_config, by_epoch: false } : c.lr_config;
  const hooks: Array<[number, ScheduleHookLike]> = [[Priority.VERY_HIGH, buildLrUpdaterHook(lrCfg)]];
  if (c.momentum_config !== undefined) hooks.push([Priority.HIGH, buildMomentumUpdaterHook(c.momentum_config)]);
  return runSchedule({
    hooks: hooks.map(([, h]) => h),
    optimizer,
    runnerType: c.runner,
    ...(c.runner === 'IterBasedRunner' ? { maxIters: c.max_iters as number } : { maxEpochs: c.max_epochs as number }),
    itersPerEpoch: c.iters_per_epoch,
  });
}

describe('mmcv 1.7.2 LR / momentum schedules (shared/golden/lr)', () => {
  it('finds the golden cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.name}: lr of param group 0 at every iteration`, () => {
      const gold = JSON.parse(readFileSync(path.join(goldenDir, 'gold', `${c.name}.json`), 'utf8')) as number[];
      expectClose(replay(c).lr, gold, c.name);
    });
    const momentumFile = path.join(goldenDir, 'gold', `${c.name}__momentum.json`);
    if (existsSync(momentumFile)) {
      it(`${c.name}: momentum of param group 0 at every iteration`, () => {
        const gold = JSON.parse(readFileSync(momentumFile, 'utf8')) as number[];
        expectClose(replay(c).momentum, gold, `${c.name}__momentum`);
      });
    }
  }
});
