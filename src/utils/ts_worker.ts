/**
 * @module Spawning a `worker_threads` Worker whose entry is a TypeScript source file (detkit runs its
 * `.ts` sources through tsx, also inside workers). Used by the data loader's workers and by
 * `MMDataParallel`'s replicas.
 *
 * Porting note: `execArgv: ['--import', 'tsx']` does not apply tsx's ESM hooks inside worker threads
 * on Node 20 (module.register hooks are per main thread there; verified on 20.20: "Unknown file
 * extension .ts"). tsx's CommonJS hook does work in workers, so a worker is a tiny eval'd CJS
 * script that registers it and requires the entry file.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Options of {@link spawnTsWorker}. */
export interface TsWorkerOptions {
  /** Structured-cloned into the worker's `workerData`. */
  workerData?: unknown;
  /** Thread name shown in inspectors and heap snapshots. */
  name?: string;
}

/**
 * Starts a worker thread running the TypeScript (or JavaScript) module `entry`.
 * @param entry absolute path or `file:` URL of the entry module (e.g. `new URL('./worker.ts', import.meta.url)`)
 * @returns the Worker (referenced: call `unref()` if it must not keep the process alive)
 */
export function spawnTsWorker(entry: string | URL, options: TsWorkerOptions = {}): Worker {
  const require = createRequire(import.meta.url);
  const tsxCjs = require.resolve('tsx/cjs/api');
  const file = entry instanceof URL || entry.startsWith('file:') ? fileURLToPath(entry) : entry;
  const boot = `require(${JSON.stringify(tsxCjs)}).register();\nrequire(${JSON.stringify(file)});`;
  // execArgv: [] — the parent's flags (`--input-type=module`, loader hooks) must not change how the
  // CJS boot script runs.
  return new Worker(boot, {
    eval: true,
    workerData: options.workerData,
    execArgv: [],
    ...(options.name !== undefined ? { name: options.name } : {}),
  });
}
