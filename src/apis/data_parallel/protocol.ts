/**
 * @module The messages between `MMDataParallel` (main thread, device 0) and its replica workers
 * (devices 1..n-1), and the packing of named tensors into transferable typed arrays.
 *
 * The state dict and the gradients cross threads through one `SharedArrayBuffer` per replica
 * ({@link SharedTensors}), written from and read into the backends' memory directly: no JS typed
 * array is made per tensor and step. Those arrays (two 75 MB copies per step for the ResNet-18
 * RetinaNet) were freed only by later garbage collections, and the C allocator kept their pages:
 * with them, the 2-device `retinanet-r18-train-512` bench peaked at 1,781 MB over 4 steps; with the
 * shared buffer (75 MB, kept), 1,635 MB. A chunk's image is transferred. A worker error crosses as {@link WireError} data, never as a thrown object.
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

/**
 * Where named tensors lie in a shared buffer: entry `i` is `names[i]`, of shape `shapes[i]` and
 * dtype `dtypes[i]`, at byte `offsets[i]`.
 */
export interface TensorLayout {
  names: string[];
  shapes: number[][];
  dtypes: tf.DataType[];
  offsets: number[];
}

/**
 * Named tensors in a `SharedArrayBuffer` that the main thread and one replica both see. Each replica
 * has one such buffer for its whole life, used in turn: the main thread writes the state dict into
 * it before posting a step, the replica copies the state out into its wasm heap, computes, and writes
 * its gradients over it; the main thread reads them before it writes the next state.
 */
export interface SharedTensors {
  buffer: SharedArrayBuffer;
  layout: TensorLayout;
}

/** A step request: the replica's chunk of the batch and the master's state dict (params and buffers). */
export interface StepRequest {
  id: number;
  batch: DetBatch;
  /** The master's state dict, in the replica's shared buffer. */
  state: SharedTensors;
}

/** A replica's answer to a {@link StepRequest}: plain-number losses and its gradients. */
export interface StepReply {
  id: number;
  loss?: number;
  log_vars?: Record<string, number>;
  num_samples?: number;
  /** The replica's gradients, in its shared buffer (a larger buffer when they did not fit, which the master keeps). */
  grads?: SharedTensors;
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

/** Byte alignment of entries in a shared buffer (any typed array can view an aligned entry). */
const ALIGN = 8;

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/**
 * The layout of `tensors` packed one after the other, each at an {@link ALIGN}-byte boundary.
 * @returns the layout and the bytes it needs
 * @throws DetkitError `DP_BAD_DTYPE` for a dtype other than float32, int32 or bool
 */
export function layoutOf(tensors: Map<string, tf.Tensor>): { layout: TensorLayout; bytes: number } {
  const layout: TensorLayout = { names: [], shapes: [], dtypes: [], offsets: [] };
  let bytes = 0;
  for (const [name, t] of tensors) {
    const per = BYTES[t.dtype];
    if (per === undefined) throw new DetkitError('DP_BAD_DTYPE', `data-parallel replicas exchange float32, int32 and bool tensors; ${name} is ${t.dtype}`);
    layout.names.push(name);
    layout.shapes.push([...t.shape]);
    layout.dtypes.push(t.dtype);
    layout.offsets.push(bytes);
    bytes += Math.ceil((t.size * per) / ALIGN) * ALIGN;
  }
  return { layout, bytes };
}

/** A typed-array view of entry `i` of `shared` (no copy). */
export function viewAt(shared: SharedTensors, i: number): Float32Array | Int32Array | Uint8Array {
  const { shapes, dtypes, offsets } = shared.layout;
  const size = shapes[i]!.reduce((a, b) => a * b, 1);
  const dtype = dtypes[i]!;
  if (dtype === 'int32') return new Int32Array(shared.buffer, offsets[i]!, size);
  if (dtype === 'bool') return new Uint8Array(shared.buffer, offsets[i]!, size);
  return new Float32Array(shared.buffer, offsets[i]!, size);
}

/**
 * A tensor's values without a copy: a view of the wasm heap, or the cpu backend's own array. Use it
 * before the backend allocates again (a growing heap detaches the view).
 */
function valuesOf(t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  const b = tf.backend() as Partial<{ typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array }>;
  return typeof b.typedArrayFromHeap === 'function' ? b.typedArrayFromHeap(t) : (t.dataSync() as Float32Array | Int32Array | Uint8Array);
}

/**
 * Copies `tensors` into `buffer`, straight from the backend's memory (no JS copy), or into a new
 * shared buffer when `buffer` is null or too small.
 * @param tensors name → tensor (not disposed)
 * @returns the buffer used and the layout
 */
export function writeShared(tensors: Map<string, tf.Tensor>, buffer: SharedArrayBuffer | null): SharedTensors {
  const { layout, bytes } = layoutOf(tensors);
  const shared: SharedTensors = { buffer: buffer !== null && buffer.byteLength >= bytes ? buffer : new SharedArrayBuffer(bytes), layout };
  let i = 0;
  for (const t of tensors.values()) viewAt(shared, i++).set(valuesOf(t));
  return shared;
}

/**
 * A new tensor holding entry `i` of `shared`. The wasm backend copies the view into its heap; the
 * cpu backend keeps the array it is given, so it gets a copy (the buffer is overwritten next step).
 * @returns a tensor owned by the caller
 */
export function tensorAt(shared: SharedTensors, i: number): tf.Tensor {
  const view = viewAt(shared, i);
  return tf.tensor(tf.getBackend() === 'wasm' ? view : view.slice(), shared.layout.shapes[i], shared.layout.dtypes[i]);
}

/**
 * The transferable buffers of a chunk: its image only (annotations are small and are copied). A
 * loader's recycled image lives in a SharedArrayBuffer, which cannot be transferred: it is copied.
 */
export function batchBuffers(batch: DetBatch): ArrayBuffer[] {
  const img = batch.img;
  return img.buffer instanceof ArrayBuffer && img.byteOffset === 0 && img.byteLength === img.buffer.byteLength ? [img.buffer] : [];
}
