/**
 * `detkit vis-scheduler`: one JSON document per run, the PNG, the summary, usage errors
 * (expected values computed by hand from mmcv's cyclic / step formulas).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { keyIndices } from './vis_scheduler.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'detkit-vis-scheduler-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

const cyclicCfg = join(tmp, 'cyclic.json');
writeFileSync(
  cyclicCfg,
  JSON.stringify({
    optimizer: { type: 'SGD', lr: 0.001, momentum: 0.95 },
    lr_config: { policy: 'cyclic', target_ratio: [10, 1e-4], cyclic_times: 1, step_ratio_up: 0.4 },
    momentum_config: { policy: 'cyclic', target_ratio: [0.85 / 0.95, 1], cyclic_times: 1, step_ratio_up: 0.4 },
    runner: { type: 'IterBasedRunner', max_iters: 100 },
    data: { samples_per_gpu: 2 },
  }),
);

describe('detkit vis-scheduler', () => {
  it('--json prints exactly one document, one entry per iteration (bin/detkit.mjs), and --out writes a PNG', async () => {
    const png = join(tmp, 'lr.png');
    const res = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/detkit.mjs'), 'vis-scheduler', cyclicCfg, '--dataset-size', '10', '--json', '--out', png], {
      encoding: 'utf8',
      cwd: REPO_ROOT,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const doc = JSON.parse(res.stdout) as { lr: number[]; momentum: number[] };
    expect(Object.keys(doc)).toEqual(['lr', 'momentum']);
    expect(doc.lr).toHaveLength(100);
    expect(doc.lr[0]).toBeCloseTo(0.001, 15);
    expect(doc.lr[40]).toBeCloseTo(0.01, 15); // peak at int(0.4 * 100)
    expect(doc.momentum[40]).toBeCloseTo(0.85, 15);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(500);
  });

  it('applies --cfg-options and prints a per-epoch summary by default', async () => {
    const cfg = join(tmp, 'step.json');
    writeFileSync(cfg, JSON.stringify({ optimizer: { type: 'SGD', lr: 0.02 }, lr_config: { policy: 'step', step: [1] }, runner: { type: 'EpochBasedRunner', max_epochs: 2 }, data: { samples_per_gpu: 4 } }));
    const res = await run(['vis-scheduler', cfg, '--dataset-size', '10', '--cfg-options', 'lr_config.gamma=0.5']);
    expect(res.code).toBe(0);
    expect(res.out).toContain('iterations: 6 (2 epochs x 3 iterations)');
    expect(res.out).toContain('epoch 2 (iter 3): lr 0.01, momentum 0');
    // COCO-sized schedules (10^5–10^6 iterations) summarise without blowing the stack
    const big = await run(['vis-scheduler', cfg, '--dataset-size', '2000000']);
    expect(big.code).toBe(0);
    expect(big.out).toContain('iterations: 1000000 (2 epochs x 500000 iterations)');
    expect(big.out).toContain('lr: first 0.02, max 0.02, min 0.002, last 0.002');
  });

  it('usage errors exit 2, config errors exit 1 with the key path', async () => {
    expect((await run(['vis-scheduler', cyclicCfg])).code).toBe(2);
    expect((await run(['vis-scheduler', cyclicCfg, '--dataset-size', 'many'])).code).toBe(2);
    const bad = await run(['vis-scheduler', cyclicCfg, '--dataset-size', '10', '--cfg-options', 'lr_config.step_ratio_up=1.5']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('"step_ratio_up" must be in range [0,1)');
    expect(bad.err).toContain('lr_config');
  });

  it('keeps every change point when thinning a curve for the chart', () => {
    expect(keyIndices([[1, 1, 1, 2, 2, 2, 3]])).toEqual([0, 2, 3, 5, 6]);
    expect(keyIndices([Array.from({ length: 100 }, (_, i) => i)], 10)).toHaveLength(11);
  });
});
