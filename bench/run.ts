/**
 * @module `npm run bench`: median wall time and peak RSS of each workload in `bench/workloads/`,
 * optionally side by side with PyTorch: each workload names its peer script (`torchPeer`, default
 * `shared/peer/torch_bench.py`; the two-stage detectors use `bench/torch_two_stage.py`).
 *
 *   npm run bench                          all workloads, one line each: name  median_ms  peak_rss_mb
 *   npm run bench -- --only conv3-train    one workload (repeatable)
 *   npm run bench -- --json                one JSON document {"median_ms": {...}, "peak_rss_mb": {...}, ...}
 *   npm run bench -- --vs-torch            also run each workload's PyTorch peer; print time and RSS ratios
 *   npm run bench -- --vs-torch --torch-threads 1   PyTorch on one thread (DETKIT_WASM_THREADS=1 for detkit)
 *   npm run bench -- --profile             per-kernel time of one run (tf.profile), top kernels
 *   npm run bench -- --backend cpu         another backend (default: DETKIT_BACKEND or wasm)
 *
 * Each workload runs in its own child process (`--child <file>`), so its peak RSS is its own.
 * Benchmarks are not tests: nothing here runs under vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_TORCH_PEER, type Workload } from './workload.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const PYTHON = '/usr/bin/python3';

/** What a child process reports for one workload. */
interface ChildResult {
  name: string;
  median_ms: number;
  min_ms: number;
  runs: number;
  peak_rss_mb: number;
  backend: string;
  profile?: Array<[string, number, number]>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Workload files, sorted by name. */
function workloadFiles(): string[] {
  const dir = join(HERE, 'workloads');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));
}

async function loadWorkload(file: string): Promise<Workload> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: Workload };
  const w = mod.default;
  if (w === undefined || typeof w.name !== 'string' || typeof w.setup !== 'function' || typeof w.run !== 'function') {
    throw new Error(`${file}: must default-export {name, setup(), run(ctx), teardown?(ctx)}`);
  }
  return w;
}

/** Child mode: time one workload and print one JSON line. */
async function child(file: string, backendName: string | undefined, profile: boolean): Promise<void> {
  const { initBackend, backendInfo, tf } = await import('../src/backend/index.js');
  const initialised = await initBackend(backendName === undefined ? undefined : (backendName as 'wasm' | 'cpu'));
  const threads = backendInfo().threadsCount;
  const backend = threads > 1 ? `${initialised} ${threads} threads` : initialised;
  const w = await loadWorkload(file);
  const ctx = await w.setup();
  for (let i = 0; i < (w.warmup ?? 2); i++) await w.run(ctx);
  const times: number[] = [];
  for (let i = 0; i < (w.runs ?? 5); i++) {
    const t0 = performance.now();
    await w.run(ctx);
    times.push(performance.now() - t0);
  }
  const result: ChildResult = {
    name: w.name,
    median_ms: round2(median(times)),
    min_ms: round2(Math.min(...times)),
    runs: times.length,
    peak_rss_mb: 0,
    backend,
  };
  if (profile) {
    const info = await tf.profile(async () => {
      await w.run(ctx);
    });
    const agg = new Map<string, [number, number]>();
    for (const k of info.kernels) {
      if (k.name.endsWith('__op')) continue; // customGrad wrappers; their kernels are listed too
      const [ms, n] = agg.get(k.name) ?? [0, 0];
      agg.set(k.name, [ms + (k.kernelTimeMs as number), n + 1]);
    }
    result.profile = [...agg].map(([k, [ms, n]]): [string, number, number] => [k, round2(ms), n]).sort((a, b) => b[1] - a[1]);
  }
  await w.teardown?.(ctx);
  result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs one workload file in a child process. */
function runChild(file: string, backend: string | undefined, profile: boolean): ChildResult | Error {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file];
  if (backend !== undefined) args.push('--backend', backend);
  if (profile) args.push('--profile');
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || line === undefined) {
    const err = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('var Module')).slice(-6).join('\n');
    return new Error(`${file}: exit ${r.status}\n${err.slice(0, 2000)}`);
  }
  return JSON.parse(line) as ChildResult;
}

interface TorchFigure {
  median_ms: number;
  peak_rss_mb: number;
  torch: string;
}

/**
 * PyTorch's figure for workload `name` from its peer script (`peer`, a path from the repository
 * root), run in its own python process so its peak RSS is the workload's; `undefined` when the
 * script has no workload of that name.
 */
function torchFigure(name: string, peer: string, threads: string): TorchFigure | undefined | Error {
  const script = resolve(ROOT, peer);
  if (!existsSync(PYTHON)) return new Error(`--vs-torch needs ${PYTHON} with torch installed`);
  if (!existsSync(script)) return new Error(`--vs-torch: ${name}'s PyTorch peer ${script} does not exist`);
  const r = spawnSync(PYTHON, [script, '--json', '--threads', threads, '--only', name], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return new Error(`${basename(script)} failed (exit ${r.status}): ${r.stderr.slice(-800)}`);
  const doc = JSON.parse(r.stdout.trim().split('\n').pop()!) as { median_ms: Record<string, number>; peak_rss_mb: number; torch: string };
  const ms = doc.median_ms[name];
  return ms === undefined ? undefined : { median_ms: ms, peak_rss_mb: doc.peak_rss_mb, torch: doc.torch };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      'vs-torch': { type: 'boolean', default: false },
      'torch-threads': { type: 'string', default: '2' },
      profile: { type: 'boolean', default: false },
      backend: { type: 'string' },
      child: { type: 'string' },
    },
  });
  if (values.child !== undefined) {
    await child(values.child, values.backend, values.profile === true);
    return 0;
  }
  const only = values.only ?? [];
  const files = workloadFiles();
  /** name, file, PyTorch peer script */
  const selected: Array<[string, string, string]> = [];
  for (const f of files) {
    const w = await loadWorkload(f);
    if (only.length === 0 || only.includes(w.name)) selected.push([w.name, f, w.torchPeer ?? DEFAULT_TORCH_PEER]);
  }
  const unknown = only.filter((n) => !selected.some(([name]) => name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown workload(s): ${unknown.join(', ')}; known: ${(await Promise.all(files.map(loadWorkload))).map((w) => w.name).join(', ')}\n`);
    return 2;
  }
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const loadBefore = load();
  if (!values.json) process.stdout.write(`# detkit bench, ${selected.length} workload(s), load average ${loadBefore}\n`);
  const results: ChildResult[] = [];
  const torch = new Map<string, TorchFigure>();
  const threads = values['torch-threads'] ?? '2';
  let failed = 0;
  for (const [name, file, peer] of selected) {
    const r = runChild(file, values.backend, values.profile === true);
    if (r instanceof Error) {
      failed++;
      process.stderr.write(`${name}: FAILED\n${r.message}\n`);
      continue;
    }
    results.push(r);
    if (values['vs-torch'] === true) {
      // Back to back with the detkit run, so both see the same machine load.
      const t = torchFigure(r.name, peer, threads);
      if (t instanceof Error) {
        failed++;
        process.stderr.write(`${t.message}\n`);
      } else if (t !== undefined) torch.set(r.name, t);
    }
    if (!values.json) {
      process.stdout.write(`${r.name.padEnd(28)} ${r.median_ms.toFixed(2).padStart(10)} ms   peak_rss_mb ${r.peak_rss_mb.toFixed(1)}   (${r.backend}, median of ${r.runs}, min ${r.min_ms.toFixed(2)})\n`);
      for (const [k, ms, n] of (r.profile ?? []).slice(0, 12)) {
        process.stdout.write(`    ${k.padEnd(36)} ${ms.toFixed(2).padStart(9)} ms  x${n}\n`);
      }
    }
  }
  if (values['vs-torch'] === true && !values.json) {
    process.stdout.write(`# vs PyTorch ${[...torch.values()][0]?.torch ?? ''} (${threads} thread(s)), load average ${load()}\n`);
    for (const r of results) {
      const t = torch.get(r.name);
      const line = t === undefined
        ? `${r.name.padEnd(28)} (no PyTorch figure)`
        : `${r.name.padEnd(28)} detkit ${r.median_ms.toFixed(2).padStart(9)} ms   torch ${t.median_ms.toFixed(2).padStart(9)} ms   ratio ${(r.median_ms / t.median_ms).toFixed(2)}x   `
          + `peak_rss_mb ${r.peak_rss_mb.toFixed(1)} vs ${t.peak_rss_mb.toFixed(1)}   rss ratio ${(r.peak_rss_mb / t.peak_rss_mb).toFixed(2)}x`;
      process.stdout.write(`${line}\n`);
    }
  }
  if (values.json) {
    const doc: Record<string, unknown> = {
      backend: results[0]?.backend ?? values.backend ?? 'wasm',
      median_ms: Object.fromEntries(results.map((r) => [r.name, r.median_ms])),
      peak_rss_mb: Object.fromEntries(results.map((r) => [r.name, r.peak_rss_mb])),
      load_average: loadBefore,
    };
    if (values['vs-torch'] === true) {
      doc.torch_threads = Number(threads);
      doc.torch_median_ms = Object.fromEntries([...torch].map(([k, v]) => [k, v.median_ms]));
      doc.torch_peak_rss_mb = Object.fromEntries([...torch].map(([k, v]) => [k, v.peak_rss_mb]));
      const compared = results.filter((r) => torch.get(r.name) !== undefined);
      doc.ratio = Object.fromEntries(compared.map((r) => [r.name, round2(r.median_ms / torch.get(r.name)!.median_ms)]));
      doc.rss_ratio = Object.fromEntries(compared.map((r) => [r.name, round2(r.peak_rss_mb / torch.get(r.name)!.peak_rss_mb)]));
    }
    if (values.profile === true) doc.profile = Object.fromEntries(results.map((r) => [r.name, r.profile]));
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
