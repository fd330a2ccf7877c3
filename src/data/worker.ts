/**
 * @module Entry of a loader worker thread (`workers_per_gpu`): rebuilds the dataset from its config,
 * then answers `{id, indices, positions, epoch}` requests with collated batches whose buffers are
 * transferred (not copied). Errors are sent back as data (code, message, file) — never thrown.
 * Every worker receives every request; a worker starts one only if it claims it first (an atomic
 * swap of its claim word), so batches go to whichever worker is free first.
 * With recycling on, a request names an image slot: a SharedArrayBuffer this worker and the loader
 * both hold, which the batch image is written into instead of a new array (see
 * `DataLoaderOptions.recycle_buffers`).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import type { DetBatch } from '../structures/det_types.js';
import { DetkitError } from '../utils/errors.js';
import { buildDataset, type DatasetConfig } from './builder.js';
import { collate, loadSamples, transferables, type TakeBuffer } from './collate.js';
import { claimWord } from './data_loader.js';
import './index.js';

/** What the loader passes to a worker at spawn. */
export interface WorkerInit {
  /** This worker's index in the pool (its claim value). */
  index: number;
  /**
   * The pool's claim ring (`Int32Array`): entry `id mod length` of a request holds
   * `claimWord(id)` until a worker claims it by storing its index there.
   */
  claims: SharedArrayBuffer;
  datasetCfg: DatasetConfig;
  seed: number;
  sizeDivisor: number;
  /**
   * Modules to load first (custom transforms registered outside data/): absolute paths of `.ts`/`.js`
   * files. They are `require`d through tsx's CommonJS hook, so they share this thread's registries.
   */
  imports: string[];
}

/** A request for one batch. */
export interface WorkerRequest {
  id: number;
  indices: number[];
  positions: number[];
  epoch: number;
  /** The image slot to collate into (recycling on; see `DataLoaderOptions.recycle_buffers`). */
  slot?: number;
  /** The slot's current buffer, sent once to each worker that has not seen it. */
  sab?: SharedArrayBuffer;
  /** Floats a slot grown by this request gets at least (the largest batch image seen so far). */
  minLength?: number;
}

/** Where a batch's image went: `length` floats at the start of slot `slot`'s buffer. */
export interface SlotFill {
  slot: number;
  length: number;
  /** The slot's new buffer when this worker had to grow it (the loader adopts it). */
  sab?: SharedArrayBuffer | undefined;
}

/** A worker's answer to a {@link WorkerRequest}. */
export interface WorkerReply {
  id: number;
  /** The batch (`img` empty when it went into `slot`). */
  batch?: DetBatch;
  slot?: SlotFill | undefined;
  error?: WorkerError;
}

/** A worker error as data. */
export interface WorkerError {
  name: string;
  code: string;
  message: string;
  file?: string | undefined;
  hint?: string | undefined;
  stack?: string | undefined;
  /** The error's cause, serialised the same way. */
  cause?: WorkerError;
}

function toWorkerError(err: unknown, depth = 0): WorkerError {
  const e = err as (Error & { cause?: unknown }) | undefined;
  const out: WorkerError =
    err instanceof DetkitError
      ? { name: err.name, code: err.code, message: err.message, file: err.file, hint: err.hint, stack: err.stack }
      : { name: e?.name ?? 'Error', code: 'DATA_WORKER_ERROR', message: e?.message ?? String(err), stack: e?.stack };
  if (e?.cause !== undefined && depth < 4) out.cause = toWorkerError(e.cause, depth + 1);
  return out;
}

const init = workerData as WorkerInit;
// Loader workers already run one image per core; libvips' own per-image threads (default: one per
// core, process-wide) would oversubscribe the cores N workers share. Measured on the
// pipeline-coco-train-2w bench (see docs/data.md).
sharp.concurrency(1);
// The main thread already reported annotation warnings when it built the dataset; do not repeat
// them once per worker.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const opts = rest[0] as { code?: string } | undefined;
  const code = typeof opts === 'object' && opts !== null ? opts.code : undefined;
  if (typeof code === 'string' && /^(DATA|SHAPES)_/.test(code)) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
const port = parentPort!;
const ready = (async () => {
  const req = createRequire(import.meta.url);
  for (const m of init.imports) req(m);
  return buildDataset(init.datasetCfg);
})();

/** This worker's view of the loader's image slots: slot id → its current shared buffer. */
const slots = new Map<number, SharedArrayBuffer>();

/** The pool's claim ring (see {@link WorkerInit.claims}). */
const claims = new Int32Array(init.claims);

/**
 * Loads and collates one requested batch if no other worker has started it, answering with the
 * batch or the error as data.
 */
async function handle(req: WorkerRequest): Promise<void> {
  let dataset: Awaited<typeof ready>;
  try {
    dataset = await ready;
  } catch (err) {
    // This worker cannot load anything: it answers the requests no running worker has taken.
    if (claim(req)) port.postMessage({ id: req.id, error: toWorkerError(err) });
    return;
  }
  if (!claim(req)) return;
  try {
    const samples = await loadSamples(dataset, req.indices, req.positions, init.seed, req.epoch);
    let filled: SlotFill | undefined;
    // The batch image goes into the request's slot (a test-time batch's other augmentations get
    // ordinary transferred arrays). A slot too small for this batch shape gets a new buffer.
    const take: TakeBuffer = (length) => {
      if (req.slot === undefined || filled !== undefined) return null;
      let sab = slots.get(req.slot);
      const grown = sab === undefined || sab.byteLength < length * Float32Array.BYTES_PER_ELEMENT;
      if (grown) {
        sab = new SharedArrayBuffer(Math.max(length, req.minLength ?? 0) * Float32Array.BYTES_PER_ELEMENT);
        slots.set(req.slot, sab);
      }
      filled = { slot: req.slot, length, ...(grown ? { sab } : {}) };
      return new Float32Array(sab!, 0, length);
    };
    const batch = collate(samples, init.sizeDivisor, take);
    if (filled !== undefined) {
      // The pixels are in the slot: the message carries only its id (the loader rebuilds the view).
      const none = new Float32Array(0);
      batch.img = none;
      if (batch.augs !== undefined) batch.augs[0]!.img = none;
    }
    port.postMessage({ id: req.id, batch, slot: filled } satisfies WorkerReply, transferables(batch));
  } catch (err) {
    port.postMessage({ id: req.id, error: toWorkerError(err) });
  }
}

/** Takes request `req` for this worker; false when another worker took it first. */
function claim(req: WorkerRequest): boolean {
  const word = claimWord(req.id);
  return Atomics.compareExchange(claims, req.id % claims.length, word, init.index) === word;
}

// Requests and state updates run one at a time in message order: the loader awaits batches in
// request order, so the oldest finishes first (interleaving two batches delayed both), and a
// state update lands exactly between the batches requested before and after it.
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (req: WorkerRequest | { state: unknown }) => {
  if ('state' in req) {
    queue = queue.then(async () => (await ready).applyWorkerState?.(req.state)).catch(() => undefined);
    return;
  }
  if (req.slot !== undefined && req.sab !== undefined) slots.set(req.slot, req.sab);
  queue = queue.then(() => handle(req));
});
