/**
 * @module The one place that initialises tfjs for detkit.
 *
 * `wasm` (XNNPACK + SIMD) is the default backend; `cpu` is the test reference. `DETKIT_BACKEND`
 * selects one (`wasm` | `cpu`). Kernels wasm lacks are registered by `kernel_gaps/` before use.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export { tf };

/** Backends detkit can run on. */
export type BackendName = 'wasm' | 'cpu';

let ready: Promise<BackendName> | undefined;
let readyName: BackendName | undefined;

/** The backend named by `DETKIT_BACKEND`, default `wasm`. */
export function defaultBackend(): BackendName {
  const v = process.env.DETKIT_BACKEND;
  if (v === undefined || v === '') return 'wasm';
  if (v !== 'wasm' && v !== 'cpu') throw new Error(`DETKIT_BACKEND must be 'wasm' or 'cpu', got '${v}'`);
  return v;
}

/**
 * Initialises tfjs on `name` (default: {@link defaultBackend}); idempotent per backend name.
 * @returns the active backend name
 */
export async function initBackend(name: BackendName = defaultBackend()): Promise<BackendName> {
  if (ready !== undefined && readyName === name) return ready;
  readyName = name;
  ready = (async () => {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend '${name}' failed to initialise`);
    await tf.ready();
    return name;
  })();
  return ready;
}
