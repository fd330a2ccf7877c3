import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from './index.js';
import { checkWasmThreads, defaultWasmThreads, MAX_WASM_THREADS, measureFreeCores, wasmThreadsFromEnv } from './wasm_threads.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));
const TS_WORKER = fileURLToPath(new URL('../utils/ts_worker.ts', import.meta.url));

/**
 * The same computation for both builds: convs (plain, strided, fused with bias + ReLU), a
 * depthwise conv, a matMul, a softmax, and conv gradients (detkit's JS/XNNPACK backprop kernels),
 * with a 256 MB tensor made in between so that the wasm memory grows while views are in use.
 * Returns every output as a flat array, plus the tensor count after a second identical run.
 */
function computeSource(indexPath: string): string {
  return `
import { initBackend, tf, backendInfo } from ${JSON.stringify(indexPath)};
await initBackend('wasm');
const info = backendInfo();
function run() {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 33, 33, 16], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 16, 32], 0, 0.2, 'float32', 2);
    const b = tf.randomNormal([32], 0, 0.2, 'float32', 3);
    const dw = tf.randomNormal([3, 3, 16, 2], 0, 0.2, 'float32', 4);
    const a = tf.randomNormal([96, 200], 0, 1, 'float32', 5);
    const m = tf.randomNormal([200, 64], 0, 1, 'float32', 6);
    const y1 = tf.conv2d(x, w, 1, 'same');
    const big = tf.fill([64 * 1024 * 1024], 7);
    const y2 = tf.conv2d(x, w, 2, 'valid');
    const y3 = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' });
    const y4 = tf.depthwiseConv2d(x, dw, 1, 'same');
    const y5 = tf.softmax(tf.matMul(a, m));
    const g = tf.grads((xx, ww) => tf.sum(tf.square(tf.conv2d(xx, ww, 2, 'same'))))([x, w]);
    const bigLast = tf.slice(big, [64 * 1024 * 1024 - 1], [1]);
    return [y1, y2, y3, y4, y5, g[0], g[1], bigLast].map((t) => Array.from(t.dataSync()));
  });
}
const out = run();
const before = tf.memory().numTensors;
run();
process.stdout.write(JSON.stringify({ info, out, tensorsGrew: tf.memory().numTensors - before }));
`;
}

/**
 * A main thread on 2 wasm threads starts a worker thread that initialises its own wasm backend (as a
 * data-parallel replica does), then reports both threads' XNNPACK thread counts and a conv's sum.
 */
function replicaSource(dir: string): string {
  const replica = join(dir, 'replica.ts');
  writeFileSync(
    replica,
    `import { parentPort } from 'node:worker_threads';
import { backendInfo, initBackend } from ${JSON.stringify(INDEX)};
void initBackend('wasm').then(() => parentPort!.postMessage(backendInfo().threadsCount));
`,
  );
  return `
import { once } from 'node:events';
import { backendInfo, initBackend, tf } from ${JSON.stringify(INDEX)};
import { spawnTsWorker } from ${JSON.stringify(TS_WORKER)};
await initBackend('wasm');
const before = backendInfo().threadsCount;
const worker = spawnTsWorker(${JSON.stringify(replica)});
const [replica] = await once(worker, 'message');
await worker.terminate();
const t0 = Date.now();
while (backendInfo().threadsCount !== 1 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
const sum = tf.tidy(() => tf.sum(tf.conv2d(tf.ones([1, 16, 16, 8]), tf.ones([3, 3, 8, 4]), 1, 'valid')).dataSync()[0]);
process.stdout.write(JSON.stringify({ before, replica, after: backendInfo().threadsCount, sum }));
`;
}

/** Runs {@link computeSource} (or `source`) in a fresh Node process with `DETKIT_WASM_THREADS=threads`. */
function runChild(threads: number, source = computeSource(INDEX)) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DETKIT_WASM_THREADS: String(threads) },
    timeout: 90_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr, ms: Date.now() - t0, stdout: r.stdout };
}

describe('DETKIT_WASM_THREADS', () => {
  it('defaults to the idle cores on the main thread; the suite pins 1 (vitest.config.ts)', async () => {
    const cores = Math.min(availableParallelism(), MAX_WASM_THREADS);
    expect(defaultWasmThreads()).toBe(cores);
    expect(defaultWasmThreads(cores + 0.4)).toBe(cores);
    expect(defaultWasmThreads(1.4)).toBe(Math.min(cores, 1));
    expect(defaultWasmThreads(0.1)).toBe(1);
    expect(process.env.DETKIT_WASM_THREADS).toBeDefined();
    expect(wasmThreadsFromEnv({ DETKIT_WASM_THREADS: '' }, 2.2)).toBe(Math.min(cores, 2));
    const free = await measureFreeCores(50);
    expect(free).toBeGreaterThanOrEqual(0);
    expect(free).toBeLessThanOrEqual(availableParallelism() + 1e-9);
  });

  it('takes an integer from 1 to 8', () => {
    expect(wasmThreadsFromEnv({ DETKIT_WASM_THREADS: '1' })).toBe(1);
    expect(wasmThreadsFromEnv({ DETKIT_WASM_THREADS: '3' })).toBe(3);
    expect(wasmThreadsFromEnv({ DETKIT_WASM_THREADS: '8' })).toBe(8);
    for (const bad of ['0', '9', '-1', '1.5', 'two', '2x']) {
      expect(() => wasmThreadsFromEnv({ DETKIT_WASM_THREADS: bad })).toThrow(
        expect.objectContaining({ code: 'WASM_THREADS_INVALID', message: expect.stringContaining('DETKIT_WASM_THREADS') }),
      );
    }
    expect(() => checkWasmThreads(0, 'wasmThreads')).toThrow(expect.objectContaining({ code: 'WASM_THREADS_INVALID' }));
    expect(checkWasmThreads(4, 'wasmThreads')).toBe(4);
  });
});

describe('threaded wasm build', () => {
  let single: number[][];
  beforeAll(async () => {
    // This process runs the single-threaded build (vitest default); it is the reference.
    await initBackend('wasm');
    const r = runChild(1);
    expect(r.status, r.stderr).toBe(0);
    single = (JSON.parse(r.stdout) as { out: number[][] }).out;
  });

  it('runs with 2 XNNPACK threads, matches the single-threaded build, and lets the process exit', () => {
    const r = runChild(2);
    // The child ends on its own (no process.exit): the pthread workers do not keep Node alive.
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { info: { threads: boolean; threadsCount: number }; out: number[][]; tensorsGrew: number };
    expect(res.info).toMatchObject({ threads: true, threadsCount: 2 });
    expect(res.tensorsGrew).toBe(0);
    expect(res.out.length).toBe(single.length);
    res.out.forEach((vals, i) => {
      const ref = single[i]!;
      expect(vals.length).toBe(ref.length);
      let maxDiff = 0;
      let maxRef = 0;
      for (let j = 0; j < ref.length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(vals[j]! - ref[j]!));
        maxRef = Math.max(maxRef, Math.abs(ref[j]!));
      }
      expect(maxDiff / maxRef, `output ${i}`).toBeLessThan(1e-5);
    });
    // The last element of the 256 MB tensor, read after the memory grew for it.
    expect(res.out[7]).toEqual([7]);
  });

  it('drops the main thread to one thread when a worker thread starts its own wasm backend', () => {
    const dir = mkdtempSync(join(tmpdir(), 'detkit-wasm-threads-'));
    try {
      const r = runChild(2, replicaSource(dir));
      expect(r.status, r.stderr).toBe(0);
      // 14·14 outputs of a 3×3×8 all-ones conv: 72 each, 4 channels.
      expect(JSON.parse(r.stdout)).toEqual({ before: 2, replica: 1, after: 1, sum: 14 * 14 * 4 * 72 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the single-threaded reference agrees with this process', () => {
    const y = tf.tidy(() => {
      const x = tf.randomNormal([2, 33, 33, 16], 0, 1, 'float32', 1);
      const w = tf.randomNormal([3, 3, 16, 32], 0, 0.2, 'float32', 2);
      return Array.from(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync());
    });
    expect(y).toEqual(single[0]);
  });
});
