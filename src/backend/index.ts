/**
 * @module The one place that initialises tfjs for detkit.
 *
 * `wasm` (XNNPACK + SIMD) is the default backend; `cpu` is the test reference. `DETKIT_BACKEND`
 * selects one (`wasm` | `cpu`). Before the first backend is set up, `kernel_gaps/` registers the
 * kernels wasm lacks or gets wrong or slow, the gradients tfjs-core lacks, and the numeric-pad fix.
 * On the main thread wasm runs tfjs' threaded build with one XNNPACK thread per idle core
 * (`DETKIT_WASM_THREADS`, `wasm_threads.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ValueError } from '../utils/errors.js';
import { earlyReleaseInstalled, installEarlyReleaseGradients, uninstallEarlyReleaseGradients } from './early_release_gradients.js';
import { registerFusedFocalLoss } from './fused/focal_loss_kernels.js';
import { registerFusedNorms } from './fused/norm_kernels.js';
import { loadGradientsBundle } from './gradients_bundle.js';
import { GRADIENT_GAPS, registerKernelGaps, WASM_KERNEL_GAPS } from './kernel_gaps/index.js';
import { announceWorkerWasmBackend, checkWasmThreads, resolveWasmThreads, useThreadedWasm, wasmThreadsInUse } from './wasm_threads.js';

// tfjs-core's Node entry registers neither the gradients nor the chained tensor methods
// (`x.mul(y)`); gradients_bundle.ts builds (once, cached) and loads them for every backend.
loadGradientsBundle();
// detkit's own fused kernels (fused/), for cpu and wasm.
registerFusedNorms();
registerFusedFocalLoss();

export { tf };
export { assertKernelsOnWasm, kernelsUsed, missingKernels } from './kernel_coverage.js';
export { GRADIENT_GAPS, registerKernelGaps, WASM_KERNEL_GAPS };
export { fusedSigmoidFocalLoss } from './fused/focal_loss_kernels.js';
export { fusedNormInfer, fusedNormTrain, type FusedNormTrainResult } from './fused/norm_kernels.js';
export { earlyReleaseInstalled, installEarlyReleaseGradients, uninstallEarlyReleaseGradients };
export { defaultWasmThreads, MAX_WASM_THREADS, measureFreeCores, wasmThreadsFromEnv } from './wasm_threads.js';

/** Backends detkit can run on. */
export type BackendName = 'wasm' | 'cpu';

let ready: Promise<BackendName> | undefined;
let readyName: BackendName | undefined;

/**
 * The backend named by `DETKIT_BACKEND`, default `wasm`.
 * @throws ValueError `BACKEND_INVALID` for any other value
 */
export function defaultBackend(): BackendName {
  const v = process.env.DETKIT_BACKEND;
  if (v === undefined || v === '') return 'wasm';
  if (v !== 'wasm' && v !== 'cpu') {
    throw new ValueError('BACKEND_INVALID', `DETKIT_BACKEND must be 'wasm' or 'cpu', got '${v}'`);
  }
  return v;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * XNNPACK threads of the wasm backend, 1–8 (default {@link wasmThreadsFromEnv}: `DETKIT_WASM_THREADS`,
   * else on the main thread the cores idle at start-up, and 1 in worker threads). 1 runs the single-threaded
   * build. Only the first initialisation of wasm in a thread decides it; once a worker thread of the
   * process starts its own wasm backend (data-parallel replicas), the main thread drops to 1.
   */
  wasmThreads?: number;
}

/**
 * Initialises tfjs on `name` (default: {@link defaultBackend}); idempotent per backend name.
 * Registers the kernel gaps first, so gradients of convs, depthwise convs and gathers work on wasm,
 * and makes backward free memory as it goes ({@link installEarlyReleaseGradients}; off with
 * `DETKIT_EARLY_RELEASE=0`). With more than one wasm thread, wasm starts on the threaded build.
 * @returns the active backend name
 * @throws DetkitError `BACKEND_INIT_FAILED` when tfjs cannot set the backend up
 * @throws ValueError `WASM_THREADS_INVALID` for a thread count outside 1–8
 * @example
 * await initBackend();          // wasm, or DETKIT_BACKEND
 * await initBackend('cpu');     // the reference backend, for tests
 * await initBackend('wasm', { wasmThreads: 1 });  // single-threaded (e.g. next to other busy threads)
 */
export async function initBackend(name: BackendName = defaultBackend(), options: InitBackendOptions = {}): Promise<BackendName> {
  if (ready !== undefined && readyName === name) return ready;
  if (options.wasmThreads !== undefined) checkWasmThreads(options.wasmThreads, 'wasmThreads');
  registerKernelGaps();
  // Backward frees saved activations and used gradients as it goes (early_release_gradients.ts).
  if (process.env.DETKIT_EARLY_RELEASE !== '0') installEarlyReleaseGradients();
  readyName = name;
  ready = (async () => {
    if (name === 'wasm') {
      const threads = options.wasmThreads ?? (await resolveWasmThreads());
      if (threads > 1) useThreadedWasm(threads);
    }
    const ok = await tf.setBackend(name);
    if (!ok) throw new ValueError('BACKEND_INIT_FAILED', `tfjs backend '${name}' failed to initialise`);
    await tf.ready();
    // The cpu backend greets Node users with an advert for tfjs-node on its first write.
    if (name === 'cpu') (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
    // A replica's wasm next to a multithreaded main thread would oversubscribe the cores.
    if (name === 'wasm') announceWorkerWasmBackend();
    return name;
  })();
  return ready;
}

/** Facts about the active backend, for `detkit env` and bench reports. */
export interface BackendInfo {
  /** Active backend name. */
  backend: string;
  /** wasm: SIMD enabled (XNNPACK SIMD kernels). */
  simd: boolean;
  /** wasm: running tfjs' threaded build (XNNPACK thread pool on worker threads). */
  threads: boolean;
  /** wasm: XNNPACK threads in use (1 single-threaded); 1 on cpu. */
  threadsCount: number;
}

/** Describes the active backend (call after {@link initBackend}). */
export function backendInfo(): BackendInfo {
  return {
    backend: tf.getBackend(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: tf.getBackend() === 'wasm' && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    threadsCount: tf.getBackend() === 'wasm' ? wasmThreadsInUse() : 1,
  };
}
