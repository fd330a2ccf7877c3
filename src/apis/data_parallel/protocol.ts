/**
 * @module The messages between `MMDataParallel` (main thread, device 0) and its replica workers
 * (devices 1..n-1), and the packing of named tensors into transferable typed arrays.
 *
 * Tensors cross threads as plain typed arrays listed in the transfer list (moved, not copied). A
 * worker error crosses as {@link WireError} data, never as a thrown object.
 */
import { tf, type BackendName } from '../../backend/index.js';
import type { DetBatch } from '../../structures/det_types.js';
import { DetkitError } from '../../utils/errors.js';

/** What a replica worker receives at spawn (`workerData`). */
export interface ReplicaInit {
  /** Device index of this replica (1..n-1). */
  device: number;
  /** The main thread's tfjs backend; the replica initialises the same one. */
  backend: BackendName;
  /** The plain-data `cfg.model` of the master, with this replica's sampler seeds. */
  modelCfg: Record<string, unknown>;
  /** Absolute paths or package names to `require` before building (the config's `custom_imports`). */
  imports: string[];
}

/** Named tensors as typed arrays: `data[i]` has shape `shapes[i]` and dtype `dtypes[i]`. */
export interface WireTensors {
  names: string[];
  shapes: number[][];
  dtypes: tf.DataType[];
  data: Array<Float32Array | Int32Array | Uint8Array>;
}

/** A step request: the replica's chunk of the batch and the master's state dict (params and buffers). */
export interface StepRequest {
  id: number;
  batch: DetBatch;
  state: WireTensors;
}

/** A replica's answer to a {@link StepRequest}: plain-number losses and its gradients. */
export interface StepReply {
  id: number;
  loss?: number;
  log_vars?: Record<string, number>;
  num_samples?: number;
  grads?: WireTensors;
  error?: WireError;
  /** Where the error happened: building the replica (`init`) or computing the step (`step`). */
  phase?: 'init' | 'step';
}

/** A worker error as data. */
export interface WireError {
  name: string;
  code: string;
  message: string;
  file?: string | undefined;
  hint?: string | undefined;
  configPath?: string | undefined;
  stack?: string | undefined;
}

/** Serialises any thrown value as {@link WireError}. */
export function toWireError(err: unknown, fallbackCode: string): WireError {
  if (err instanceof DetkitError) {
    return { name: err.name, code: err.code, message: err.message, file: err.file, hint: err.hint, configPath: err.configPath, stack: err.stack };
  }
  const e = err as Error | undefined;
  return { name: e?.name ?? 'Error', code: fallbackCode, message: e?.message ?? String(err), stack: e?.stack };
}

/** Rebuilds a {@link WireError} as a DetkitError whose stack is the worker's. */
export function fromWireError(e: WireError, where: string): DetkitError {
  const err = new DetkitError(e.code, e.message, { file: e.file, hint: e.hint, configPath: e.configPath });
  if (e.stack !== undefined) err.stack = `${e.stack}\n    (in ${where})`;
  return err;
}

/**
 * Reads tensors into typed arrays that the caller owns (safe to transfer).
 * @param tensors name → tensor (not disposed)
 * @param copy force a copy even where `dataSync` already returns a fresh array (needed when the same
 *   arrays are sent to more than one thread)
 */
export function packTensors(tensors: Map<string, tf.Tensor>, copy = false): WireTensors {
  // The wasm backend's dataSync copies out of its heap; the cpu backend returns its own storage.
  const mustCopy = copy || tf.getBackend() !== 'wasm';
  const out: WireTensors = { names: [], shapes: [], dtypes: [], data: [] };
  for (const [name, t] of tensors) {
    const d = t.dataSync() as Float32Array | Int32Array | Uint8Array;
    out.names.push(name);
    out.shapes.push([...t.shape]);
    out.dtypes.push(t.dtype);
    out.data.push(mustCopy || d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength ? d.slice() : d);
  }
  return out;
}

/** The ArrayBuffers of packed tensors (the transfer list). */
export function wireBuffers(w: WireTensors): ArrayBuffer[] {
  return w.data.map((d) => d.buffer as ArrayBuffer);
}

/**
 * The transferable buffers of a chunk: its image only (annotations are small and are copied). A
 * loader's recycled image lives in a SharedArrayBuffer, which cannot be transferred: it is copied.
 */
export function batchBuffers(batch: DetBatch): ArrayBuffer[] {
  const img = batch.img;
  return img.buffer instanceof ArrayBuffer && img.byteOffset === 0 && img.byteLength === img.buffer.byteLength ? [img.buffer] : [];
}
