/**
 * @module Multithreaded wasm in Node: tfjs-backend-wasm's threaded SIMD build, whose XNNPACK thread
 * pool runs on Emscripten pthreads (Node `worker_threads` sharing one `WebAssembly.Memory`).
 *
 * tfjs-backend-wasm 4.22 never picks that build in Node: its `WASM_HAS_MULTITHREAD_SUPPORT` flag
 * answers `false` under `IS_NODE` (tfjs issue #3830), and even with the flag forced its `init()`
 * hands the pthread workers the worker script and the main script as Blob URLs, which a Node
 * `Worker` cannot start and the worker's `importScripts` (a `readFileSync`) cannot read. So detkit
 * replaces the `wasm` backend factory (same name and priority, so every kernel registered for
 * `wasm`, tfjs' and detkit's, applies unchanged) with one that calls the threaded Emscripten factory
 * itself, with file paths:
 * - `locateFile('…worker.js')` → `wasm_threads_worker.cjs`, which evaluates tfjs' worker script;
 * - `mainScriptUrlOrBlob` → the threaded glue's own file, which each worker evaluates;
 * - `instantiateWasm` reports `2·threads` logical cores to the module. Its C++ `init_with_threads_count`
 *   caps the pool at `emscripten_num_logical_cores() / 2` ("2 threads per core"), which is 1 on a
 *   2-core machine, so without this `setThreadsCount(2)` still gave one thread.
 *
 * After the backend starts, the pool's spare workers (Emscripten pre-starts 8) are terminated, and
 * the running ones are `unref`ed so that they never keep Node alive.
 *
 * Oversubscription guard: a wasm backend started in a worker thread of the same process (a
 * data-parallel replica) announces itself on a `BroadcastChannel`; the main thread then drops its
 * XNNPACK pool to one thread for the rest of the process, so N replicas keep one thread per core.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel, isMainThread, type Worker, Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { ValueError } from '../utils/errors.js';

const require = createRequire(import.meta.url);
const GLUE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const BINARY = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm';
/** tfjs-backend-wasm registers `wasm` with priority 2; the replacement keeps it. */
const WASM_PRIORITY = 2;
/** Channel on which worker threads announce their wasm backends (see the module note). */
const CHANNEL = 'detkit:wasm-backend-started';

/** The threaded module of this thread's running backend, if any. */
let threadedModule: ThreadedModule | undefined;

/**
 * The most XNNPACK threads detkit asks for: the threaded build pre-starts 8 pthread workers
 * (`PTHREAD_POOL_SIZE`) and its C++ side caps the pool at 8. A larger pool would need workers
 * started while the main thread blocks, which never completes in Emscripten.
 */
export const MAX_WASM_THREADS = 8;

/**
 * Default XNNPACK thread count. On the main thread: the cores idle right now ({@link measureFreeCores}),
 * rounded, from 1 to the core count (at most {@link MAX_WASM_THREADS}). Every kernel waits for all
 * of its threads, so a thread on a core that other processes keep busy delays each kernel: on this
 * 2-core machine at load 12 one training iteration took 4.6 s with two threads against 0.59 s with
 * one. In worker threads 1 (data-parallel replicas and loader workers each run their own wasm
 * instance). The test suite pins `DETKIT_WASM_THREADS=1` in `vitest.config.ts` (it runs test
 * files in parallel).
 * @param freeCores idle cores (default: all of them)
 */
export function defaultWasmThreads(freeCores: number = availableParallelism()): number {
  if (!isMainThread) return 1;
  const cores = Math.min(availableParallelism(), MAX_WASM_THREADS);
  return Math.max(1, Math.min(cores, Math.round(freeCores)));
}

/**
 * Idle cores over the next `windowMs`: the sum over CPUs of their idle share of that window
 * (`os.cpus()` times). Unlike the load average, it does not remember the previous process of a
 * sequence (a bench run's last workload).
 */
export async function measureFreeCores(windowMs = 100): Promise<number> {
  const sample = () => cpus().map((c) => ({ idle: c.times.idle, total: c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq }));
  const a = sample();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = sample();
  let free = 0;
  b.forEach((t, i) => {
    const total = t.total - a[i]!.total;
    if (total > 0) free += (t.idle - a[i]!.idle) / total;
  });
  return free;
}

/**
 * Checks a requested XNNPACK thread count.
 * @param source where the value came from, for the message (`DETKIT_WASM_THREADS`, `wasmThreads`)
 * @throws ValueError `WASM_THREADS_INVALID` unless an integer in `[1, MAX_WASM_THREADS]`
 */
export function checkWasmThreads(n: number, source: string): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new ValueError('WASM_THREADS_INVALID', `${source} must be an integer from 1 to ${MAX_WASM_THREADS}, got '${n}'`, {
      hint: 'DETKIT_WASM_THREADS=1 runs the single-threaded wasm build',
    });
  }
  return n;
}

/**
 * The XNNPACK thread count for this thread: `DETKIT_WASM_THREADS` on the main thread, else
 * {@link defaultWasmThreads}. Worker threads ignore the variable (they inherit the process
 * environment, and N replicas × the variable's threads would oversubscribe the cores).
 * @param freeCores idle cores, for the default (see {@link resolveWasmThreads})
 * @throws ValueError `WASM_THREADS_INVALID` for a value that is not an integer in `[1, 8]`
 */
export function wasmThreadsFromEnv(env: NodeJS.ProcessEnv = process.env, freeCores?: number): number {
  if (defaultApplies(env)) return defaultWasmThreads(freeCores);
  const v = env.DETKIT_WASM_THREADS!;
  return checkWasmThreads(/^\d+$/.test(v.trim()) ? Number(v) : Number.NaN, `DETKIT_WASM_THREADS ('${v}')`);
}

/** Whether {@link defaultWasmThreads} decides: a worker thread, or `DETKIT_WASM_THREADS` unset or empty. */
function defaultApplies(env: NodeJS.ProcessEnv): boolean {
  const v = env.DETKIT_WASM_THREADS;
  return !isMainThread || v === undefined || v === '';
}

/**
 * {@link wasmThreadsFromEnv}, measuring the idle cores (100 ms) only when the default applies on
 * the main thread.
 */
export async function resolveWasmThreads(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const measure = isMainThread && defaultApplies(env);
  return wasmThreadsFromEnv(env, measure ? await measureFreeCores() : undefined);
}

/** The few WebAssembly JS API types used here (the project's `lib` has no DOM/WebAssembly types). */
interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
type WasmInstance = object;
type WasmModule = object;
const WebAssemblyApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance; module: WasmModule }> };
}).WebAssembly;

/** The parts of the threaded Emscripten module detkit touches. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: Worker[]; unusedWorkers: Worker[] };
  wasmMemory: WasmMemory;
  HEAP8: Int8Array;
  HEAP16: Int16Array;
  HEAP32: Int32Array;
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  HEAPU32: Uint32Array;
  HEAPF32: Float32Array;
  HEAPF64: Float64Array;
  tfjs?: Record<string, (...args: number[]) => number>;
}

/** Emscripten's `instantiateWasm` hook: the import object and the callback taking the instance. */
type InstantiateWasm = (
  info: { env: Record<string, unknown> },
  receive: (instance: WasmInstance, module: WasmModule) => void,
) => Record<string, never>;

type ThreadedFactory = (config: {
  mainScriptUrlOrBlob: string;
  locateFile: (path: string, prefix: string) => string;
  instantiateWasm: InstantiateWasm;
  onAbort: (what: unknown) => void;
}) => Promise<ThreadedModule>;

/**
 * Re-takes the module's heap views when the shared memory grew under them.
 *
 * Porting note: with a shared memory, growth by another thread leaves the main thread's views at the
 * old length (a SharedArrayBuffer is never detached). The glue re-takes them only in its own
 * accessors, so the backend's reads and writes, and detkit's JS kernels' views, check first.
 */
function syncHeapViews(m: ThreadedModule): void {
  const buffer = m.wasmMemory.buffer;
  if (m.HEAPU8.buffer === buffer) return;
  m.HEAP8 = new Int8Array(buffer);
  m.HEAP16 = new Int16Array(buffer);
  m.HEAP32 = new Int32Array(buffer);
  m.HEAPU8 = new Uint8Array(buffer);
  m.HEAPU16 = new Uint16Array(buffer);
  m.HEAPU32 = new Uint32Array(buffer);
  m.HEAPF32 = new Float32Array(buffer);
  m.HEAPF64 = new Float64Array(buffer);
}

/** tfjs' `BackendWasm` on the threaded module, taking fresh heap views before touching the heap. */
class ThreadedBackendWasm extends BackendWasm {
  private get threaded(): ThreadedModule {
    return this.wasm as unknown as ThreadedModule;
  }

  override move(...args: Parameters<BackendWasm['move']>): void {
    syncHeapViews(this.threaded);
    super.move(...args);
  }

  override readSync(...args: Parameters<BackendWasm['readSync']>): ReturnType<BackendWasm['readSync']> {
    syncHeapViews(this.threaded);
    return super.readSync(...args);
  }

  override typedArrayFromHeap(...args: Parameters<BackendWasm['typedArrayFromHeap']>): ReturnType<BackendWasm['typedArrayFromHeap']> {
    syncHeapViews(this.threaded);
    return super.typedArrayFromHeap(...args);
  }
}

/** Starts the threaded module and the backend on it with `threads` XNNPACK threads. */
async function createThreadedBackend(threads: number): Promise<BackendWasm> {
  // The build needs SIMD; evaluating the flag here also lets `backendInfo` read it synchronously.
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error('this Node has no wasm SIMD');
  const factory = require(GLUE) as ThreadedFactory;
  const binary = require.resolve(BINARY);
  const workerScript = fileURLToPath(new URL('./wasm_threads_worker.cjs', import.meta.url));
  let failed: (e: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (failed = reject));
  const instantiateWasm: InstantiateWasm = (info, receive) => {
    info.env.emscripten_num_logical_cores = () => 2 * threads;
    readFile(binary)
      .then((bytes) => WebAssemblyApi.instantiate(bytes, info))
      .then((r) => receive(r.instance, r.module), failed);
    return {};
  };
  // The glue starts its 8 pool workers synchronously inside `factory()`, with `new Worker(file)`: a
  // Node Worker inherits the parent's execArgv (`--import tsx`, `--input-type=module`, which fails
  // for a file), so for that call `worker_threads.Worker` starts them with none.
  const workerThreads = require('node:worker_threads') as { Worker: typeof NodeWorker };
  const original = workerThreads.Worker;
  workerThreads.Worker = class extends original {
    constructor(file: string | URL, options: WorkerOptions = {}) {
      super(file, { ...options, execArgv: [] });
    }
  };
  let starting: Promise<ThreadedModule>;
  try {
    starting = factory({
      mainScriptUrlOrBlob: require.resolve(GLUE),
      locateFile: (path, prefix) => (path.endsWith('.worker.js') ? workerScript : path.endsWith('.wasm') ? binary : prefix + path),
      instantiateWasm,
      onAbort: (what) => failed(new Error(`threaded wasm module aborted: ${String(what)}`)),
    });
  } finally {
    workerThreads.Worker = original;
  }
  const module = await Promise.race([starting, aborted]);
  const fn = (name: string, ret: string | null, args: string[]) => module.cwrap(name, ret, args);
  module.tfjs = {
    init: fn('init', null, []),
    initWithThreadsCount: fn('init_with_threads_count', null, ['number']),
    getThreadsCount: fn('get_threads_count', 'number', []),
    registerTensor: fn('register_tensor', null, ['number', 'number', 'number']),
    disposeData: fn('dispose_data', null, ['number']),
    dispose: fn('dispose', null, []),
  };
  setThreadsCount(threads);
  // The constructor creates the XNNPACK pool: threads - 1 pthreads taken from the pre-started workers.
  const backend = new ThreadedBackendWasm(module as never);
  for (const w of module.PThread.runningWorkers) w.unref();
  for (const w of module.PThread.unusedWorkers.splice(0)) void w.terminate();
  threadedModule = module;
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = () => {
    channel.close();
    dropToOneThread(module);
  };
  return backend;
}

/**
 * Replaces the XNNPACK pool of `module` with a one-thread pool (`init_with_threads_count(1)` again;
 * kernels read the pool pointer on every call). Runs between kernels, from the event loop.
 *
 * Porting note: the old pool is not destroyed (tfjs exports no `pthreadpool_destroy`); its worker
 * waits on a futex, using no CPU, until the process exits.
 */
function dropToOneThread(module: ThreadedModule): void {
  if (module.tfjs === undefined || module.tfjs.getThreadsCount!() <= 1) return;
  module.tfjs.initWithThreadsCount!(1);
}

/**
 * Tells the main thread that this worker thread runs its own wasm backend (called by `initBackend`
 * in worker threads), so that a multithreaded main thread drops to one XNNPACK thread.
 */
export function announceWorkerWasmBackend(): void {
  if (isMainThread) return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage('started');
  channel.close();
}

/**
 * Makes the `wasm` backend start on the threaded build with `threads` XNNPACK threads (call before
 * the backend is first set up; `initBackend` does). If the threaded module fails to start, tfjs'
 * own single-threaded factory runs instead, with a warning.
 * @returns false (and changes nothing) when the `wasm` backend is already running
 */
export function useThreadedWasm(threads: number): boolean {
  checkWasmThreads(threads, 'wasmThreads');
  const engine = tf.engine() as unknown as {
    registry: Record<string, unknown>;
    registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend> }>;
  };
  if ('wasm' in engine.registry) return false;
  const stock = engine.registryFactory.wasm?.factory;
  if (stock === undefined) return false;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const backend = await createThreadedBackend(threads);
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
        return backend;
      } catch (err) {
        process.emitWarning(`detkit: the threaded wasm build failed to start (${String(err)}); running single-threaded`);
        return stock();
      }
    },
    WASM_PRIORITY,
  );
  return true;
}

/** XNNPACK threads of the running wasm backend (1 for the single-threaded build). */
export function wasmThreadsInUse(): number {
  return threadedModule?.tfjs?.getThreadsCount?.() ?? getThreadsCount();
}
