/**
 * @module Test helpers for tensor code: run a suite on every backend, compare backends, and
 * assert that a closure does not leak tensors (tfjs `describeWithFlags`, mmengine test utils).
 */
import { beforeAll, describe, expect } from 'vitest';
import { initBackend, tf, type BackendName } from '../backend/index.js';

/** Backends op tests run on: the reference first, then the default. */
export const TEST_BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

/**
 * Runs the suite `fn` once per backend, as `name [cpu]` and `name [wasm]`, with that backend
 * active (set in `beforeAll`).
 * @example
 * describeEachBackend('nms', (backend) => { it('keeps the best box', () => { ... }); });
 */
export function describeEachBackend(name: string, fn: (backend: BackendName) => void): void {
  for (const backend of TEST_BACKENDS) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await initBackend(backend);
      });
      fn(backend);
    });
  }
}

/**
 * Runs `fn` with `backend` active and reads its result back as plain arrays; the previous backend
 * is restored afterwards. Tensors `fn` makes are freed.
 * @returns the values of each returned tensor, flattened
 */
export async function onBackend(backend: BackendName, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend() as BackendName | undefined;
  await initBackend(backend);
  try {
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  } finally {
    if (previous !== undefined && previous !== backend) await initBackend(previous);
  }
}

/**
 * Largest absolute difference between `actual` and `expected`, divided by the largest magnitude
 * in `expected` (a scale-relative error; 0 when both are all zeros).
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Asserts that calling `fn` does not grow `tf.memory().numTensors` nor the backend's buffer count
 * (`numDataIds`, which also catches buffers a kernel forgot to free): one warm-up call, then
 * `iterations` calls, after which both counts must equal those after warm-up. Tensors `fn`
 * returns are disposed after each call (they belong to the caller).
 */
export async function expectLeakFree(
  fn: () => tf.TensorContainer | void | Promise<tf.TensorContainer | void>,
  iterations = 100,
): Promise<void> {
  const call = async () => {
    const out = await fn();
    if (out !== undefined) tf.dispose(out);
  };
  await call();
  const before = tf.memory().numTensors;
  const buffersBefore = tf.engine().backend.numDataIds();
  for (let i = 0; i < iterations; i++) await call();
  expect(tf.memory().numTensors, `tensors leaked over ${iterations} calls`).toBe(before);
  expect(tf.engine().backend.numDataIds(), `backend buffers leaked over ${iterations} calls`).toBe(buffersBefore);
}
