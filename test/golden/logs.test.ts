/**
 * Log format parity with mmcv 1.7.2's TextLoggerHook (`/work/shared/golden/logs/`): the same
 * runs (EpochBasedRunner 2 epochs × 7 iters train + 3 val batches, step LR with linear warmup,
 * grad clip, interval 2; IterBasedRunner 10 iters, interval 2) must print the same lines in the
 * same order with the same keys; lr values (deterministic) must match exactly. Times, host,
 * paths and loss values differ and are masked.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import '../../src/engine/index.js';
import { buildOptimizer } from '../../src/engine/optim/default_constructor.js';
import { EpochBasedRunner } from '../../src/engine/runner/epoch_based_runner.js';
import { IterBasedRunner } from '../../src/engine/runner/iter_based_runner.js';
import { RunLogger } from '../../src/engine/logging/logger.js';
import { ToyLoader, ToyModel } from '../../src/testing/toy.js';
import { realTrainingHooks, tempDir } from '../../src/testing/engine_helpers.js';

const GOLDEN = '/work/shared/golden/logs';
const RECORD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - \S+ - (INFO|WARNING|ERROR) - /;

beforeAll(async () => {
  await initBackend('cpu');
});

/** Splits a Python-logging file into messages (continuation lines belong to the previous record). */
function messages(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (RECORD.test(line)) out.push(line.replace(RECORD, '$1 '));
    else out[out.length - 1] += `\n${line}`;
  }
  return out;
}

/** Masks what legitimately differs between runs (host, dirs, times, losses). */
function mask(m: string): string {
  return m
    .replace(/host: \S+, work_dir: \S+/, 'host: <host>, work_dir: <dir>')
    .replace(/saved to \S+ by/, 'saved to <dir> by')
    .replace(/eta: [^,]+,/, 'eta: <eta>,')
    .replace(/ time: \d+\.\d{3}, data_time: \d+\.\d{3},/, ' time: <t>, data_time: <t>,')
    .replace(/: -?\d+\.\d{4}\b/g, ': <f4>');
}

const INT_KEYS = new Set(['epoch', 'iter', 'memory']);

function checkJson(ours: string, golden: string): void {
  const oLines = ours.trim().split('\n');
  const gLines = golden.trim().split('\n');
  expect(oLines.length).toBe(gLines.length);
  expect(oLines[0]).toBe(gLines[0]); // the meta record
  for (let i = 1; i < gLines.length; i++) {
    const o = JSON.parse(oLines[i]!) as Record<string, unknown>;
    const g = JSON.parse(gLines[i]!) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(Object.keys(g));
    for (const k of ['mode', 'epoch', 'iter', 'lr']) expect(o[k]).toEqual(g[k]);
    // json.dump text: `"key": value` pairs with ", " separators, floats as Python prints them
    for (const [, key, value] of oLines[i]!.matchAll(/"(\w+)": ([^,}]+)/g)) {
      if (key === 'mode') continue;
      expect(value, key).toMatch(INT_KEYS.has(key!) ? /^\d+$/ : /^-?(\d+\.\d+(e-\d+)?|\d+e-\d+)$/);
    }
  }
}

function readRun(dir: string, timestamp: string): { log: string; json: string } {
  const files = readdirSync(dir);
  expect(files).toContain(`${timestamp}.log`);
  expect(files).toContain(`${timestamp}.log.json`);
  return { log: readFileSync(join(dir, `${timestamp}.log`), 'utf8'), json: readFileSync(join(dir, `${timestamp}.log.json`), 'utf8') };
}

describe('TextLoggerHook output vs mmcv golden logs', () => {
  it('EpochBasedRunner, 2 epochs × 7 iters, train+val, step LR with warmup, grad clip, interval 2', async () => {
    const dir = tempDir();
    const model = new ToyModel();
    const optimizer = buildOptimizer(model, { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 });
    const timestamp = '20261126_121801';
    const runner = new EpochBasedRunner({
      model,
      optimizer,
      work_dir: dir,
      logger: new RunLogger({ name: 'mmdet_epoch_runner', log_file: join(dir, `${timestamp}.log`), console: false }),
      meta: { exp_name: 'tiny_example.py', seed: 0 },
      max_epochs: 2,
      timestamp,
      hook_registry: realTrainingHooks(),
    });
    runner.registerTrainingHooks({
      lr_config: { policy: 'step', warmup: 'linear', warmup_iters: 4, warmup_ratio: 0.1, step: [1] },
      optimizer_config: { grad_clip: { max_norm: 35, norm_type: 2 } },
      checkpoint_config: { interval: 1 },
      log_config: { interval: 2, hooks: [{ type: 'TextLoggerHook' }] },
    });
    await runner.run([new ToyLoader({ length: 7 }), new ToyLoader({ length: 3, seed: 1 })], [['train', 1], ['val', 1]]);
    const ours = readRun(dir, timestamp);
    expect(messages(ours.log).map(mask)).toEqual(messages(readFileSync(join(GOLDEN, 'epoch_runner.log'), 'utf8')).map(mask));
    checkJson(ours.json, readFileSync(join(GOLDEN, 'epoch_runner.log.json'), 'utf8'));
    optimizer.dispose();
    model.dispose();
  });

  it('IterBasedRunner, 10 iters, interval 2, by_epoch false', async () => {
    const dir = tempDir();
    const model = new ToyModel();
    const optimizer = buildOptimizer(model, { type: 'SGD', lr: 0.02, momentum: 0.9 });
    const timestamp = '20261126_121810';
    const runner = new IterBasedRunner({
      model,
      optimizer,
      work_dir: dir,
      logger: new RunLogger({ name: 'mmdet_iter_runner', log_file: join(dir, `${timestamp}.log`), console: false }),
      meta: { exp_name: 'tiny_example.py', seed: 0 },
      max_iters: 10,
      timestamp,
      hook_registry: realTrainingHooks(),
    });
    runner.registerTrainingHooks({
      lr_config: { policy: 'step', step: [7] },
      optimizer_config: {},
      log_config: { interval: 2, hooks: [{ type: 'TextLoggerHook' }] },
    });
    await runner.run([new ToyLoader({ length: 7 })], [['train', 1]]);
    const ours = readRun(dir, timestamp);
    expect(messages(ours.log).map(mask)).toEqual(messages(readFileSync(join(GOLDEN, 'iter_runner.log'), 'utf8')).map(mask));
    checkJson(ours.json, readFileSync(join(GOLDEN, 'iter_runner.log.json'), 'utf8'));
    optimizer.dispose();
    model.dispose();
  });
});
