/**
 * Crash-resume end to end: the regression example is SIGKILLed in the middle of an epoch, rerun
 * with --auto-resume, and must finish exactly as an uninterrupted run (same weights, same lr and
 * counters in its records), with no incomplete checkpoint left behind.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/engine/checkpoint/safetensors.js';
import { tempDir } from '../../src/testing/engine_helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TRAIN = join(ROOT, 'examples/regression/train.ts');
const OPTS = ['--cfg-options', 'runner.max_epochs=4', 'data.train.num_batches=20', 'log_config.interval=5'];

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs the example; if `killAt` matches a stdout line, SIGKILLs it right there. */
function train(workDir: string, extra: string[], killAt?: RegExp): Promise<Result> {
  return new Promise((res, rej) => {
    // one process (`node --import tsx`), so SIGKILL hits the trainer itself
    const child = spawn(process.execPath, ['--import', 'tsx', TRAIN, '--work-dir', workDir, ...OPTS, ...extra], { cwd: ROOT, env: { ...process.env, DETKIT_BACKEND: 'cpu' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAt !== undefined && killAt.test(stdout)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout }));
  });
}

interface Rec {
  mode: string;
  epoch: number;
  iter: number;
  lr: number;
}

function records(dir: string): Rec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log.json'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as Rec));
}

function weights(file: string): Record<string, number[]> {
  const { tensors } = readSafetensors(file);
  return Object.fromEntries([...tensors].filter(([k]) => !k.startsWith('optimizer.')).map(([k, t]) => [k, [...new Float32Array(t.data.buffer)]]));
}

describe('engine crash + auto-resume (regression example)', () => {
  it('continues from the last checkpoint with the same lr and counters as an uninterrupted run', async () => {
    const ref = tempDir();
    const r0 = await train(ref, []);
    expect(r0.code, r0.stdout).toBe(0);

    const dir = tempDir();
    // killed while epoch 3 runs (after epoch_2 was saved), 10 of its 20 iterations done
    const r1 = await train(dir, ['--iter-delay-ms', '25'], /Epoch \[3\]\[10\/20\]/);
    expect(r1.signal).toBe('SIGKILL');
    expect(r1.stdout).toContain('Saving checkpoint at 2 epochs');
    expect(r1.stdout).not.toContain('Saving checkpoint at 3 epochs');
    // every file named like a checkpoint is complete
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.safetensors'))) expect(() => readSafetensors(join(dir, f))).not.toThrow();

    const r2 = await train(dir, ['--auto-resume']);
    expect(r2.code, r2.stdout).toBe(0);
    expect(r2.stdout).toContain('resumed epoch 2, iter 40');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);

    // same weights at the end
    const a = weights(join(ref, 'epoch_4.safetensors'));
    const b = weights(join(dir, 'epoch_4.safetensors'));
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(b[k]).toEqual(a[k]);
    // same records (mode, epoch, iter, lr) for epochs 3-4 as the reference run
    const key = (r: Rec): string => `${r.mode} ${r.epoch} ${r.iter} ${r.lr}`;
    const refTail = records(ref).filter((r) => r.epoch >= 3).map(key);
    const resumedRun = readdirSync(dir).filter((f) => f.endsWith('.log.json')).sort().at(-1)!;
    const ours = readFileSync(join(dir, resumedRun), 'utf8').trim().split('\n').slice(1).map((l) => key(JSON.parse(l) as Rec));
    expect(ours).toEqual(refTail);
  }, 120_000);
});
