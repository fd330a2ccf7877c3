/**
 * @module The data loader (mmdet `build_dataloader` + torch's `DataLoader`): samples indices, runs
 * the pipeline — in this thread or in `workers_per_gpu` worker threads — and yields collated
 * {@link DetBatch}es. Satisfies the engine's `DataLoaderLike` structurally (data/ and engine/ are
 * siblings and never import each other; `test/e2e/data_loader.test.ts` checks the assignment).
 *
 * Determinism: the epoch order depends only on (seed, epoch) and every sample's transform RNG only on
 * (seed, epoch, position), so batches are identical with 0 or N workers. The workers share one
 * queue of batch requests (the first free worker takes the next batch) and batches are yielded in
 * order, with up to `prefetch_factor × N` in flight.
 * A failing sample rejects its batch with the pipeline's error (`DATA_PIPELINE_FAILED` naming the
 * transform and image); a crashed worker rejects the batch it was loading (`DATA_WORKER_DIED`; the
 * other workers go on with the rest, and when none is left every pending batch rejects); nothing
 * waits forever. Workers run the TypeScript sources through tsx's CommonJS hook (`utils/ts_worker.ts`).
 *
 * Recycling (`recycle_buffers`): workers collate batch images into loader-owned shared slots, reused
 * once the consumer asks for the next batch. Porting note: torch's workers hand over shared-memory
 * tensors freed by refcount; a transferred ArrayBuffer per batch instead made V8 collect the main
 * heap every few batches (see docs/data.md).
 */
import type { Worker } from 'node:worker_threads';
import type { DetBatch } from '../structures/det_types.js';
import { DetkitError, ValueError } from '../utils/errors.js';
import { spawnTsWorker } from '../utils/ts_worker.js';
import { datasetConfigOf } from './builder.js';
import { collate, loadSamples } from './collate.js';
import { CustomDataset } from './custom.js';
import { Pad } from './pipelines/pad.js';
import { GroupSampler, RandomSampler, SequentialSampler, type Sampler } from './samplers/group_sampler.js';
import type { DetDataset } from './types.js';
import type { SlotFill, WorkerError, WorkerInit, WorkerReply, WorkerRequest } from './worker.js';

/** Options of {@link DataLoader} / {@link buildDataloader} (mmdet `build_dataloader` keywords). */
export interface DataLoaderOptions {
  /** Images per batch. */
  samples_per_gpu: number;
  /** Worker threads (0: load in this thread). Default 0. */
  workers_per_gpu?: number;
  /** Shuffle (GroupSampler when the dataset has aspect groups). Default true. */
  shuffle?: boolean;
  /** Seed of the sampling order and of the random transforms. Default 0. */
  seed?: number | null;
  /**
   * Keep workers alive between epochs. Porting note: default **true** (torch/mmdet: false) — torch
   * forks workers cheaply, while a detkit worker rebuilds the dataset (parses the annotation file);
   * idle workers never keep the process alive, and `close()` ends them.
   */
  persistent_workers?: boolean;
  /** Batches in flight per worker (default 2). */
  prefetch_factor?: number;
  /** Batch padding multiple (default: the `size_divisor` of the dataset's Pad transform, else 1). */
  size_divisor?: number;
  /** Modules each worker imports before building the dataset (custom transforms). */
  worker_imports?: string[];
  /**
   * Recycle batch image buffers (with workers): once the consumer is done with a batch, its `img`
   * buffer (and its augmentations' `img`s) go back to the workers, which refill them with later
   * batches instead of allocating new ones — the receiving thread then garbage-collects no batch
   * images. Contract: a batch's `img` stays valid until the consumer asks for the next batch
   * (`next()`, i.e. the next `for await` iteration) or passes it to {@link DataLoader.recycle},
   * whichever comes first; after that `batch.img` is a detached, empty array (`length 0`). Keep a
   * copy (`batch.img.slice()`) to use it longer, and dispose tensors made from it before (the cpu
   * backend's `tf.tensor(batch.img)` may share its memory). Metas and the `gt_*` arrays are never
   * recycled. Default: on when the loader feeds a runner (`runner_type` given, as `trainDetector`
   * passes it; the runners drop each batch before asking for the next), off otherwise. No effect
   * with 0 workers.
   */
  recycle_buffers?: boolean;
  /**
   * Devices one loader batch feeds (mmdet `build_dataloader(num_gpus, dist=False)`): a batch holds
   * `samples_per_gpu × num_gpus` images, `workers_per_gpu × num_gpus` workers load them, and the
   * GroupSampler still groups by `samples_per_gpu`. Default 1.
   */
  num_gpus?: number;
  dist?: boolean;
  runner_type?: string;
}

function findPadDivisor(ds: DetDataset): number | undefined {
  const inner = ds as unknown as { dataset?: DetDataset; datasets?: DetDataset[] };
  if (ds instanceof CustomDataset) {
    const walk = (ts: readonly unknown[]): number | undefined => {
      for (const t of ts) {
        if (t instanceof Pad && t.size_divisor !== null) return t.size_divisor;
        const nested = (t as { transforms?: { transforms?: unknown[] } }).transforms?.transforms;
        if (Array.isArray(nested)) {
          const d = walk(nested);
          if (d !== undefined) return d;
        }
      }
      return undefined;
    };
    return walk(ds.pipeline.transforms);
  }
  if (inner.dataset !== undefined) return findPadDivisor(inner.dataset);
  if (inner.datasets !== undefined && inner.datasets.length > 0) return findPadDivisor(inner.datasets[0]!);
  return undefined;
}

/** Request ids wrap around here (claim words of unclaimed requests stay distinct from worker indices). */
export const CLAIM_ID_LIMIT = 2 ** 30;

/**
 * The claim word of request `id` while no worker has started it: `~id` (negative). A worker claims
 * the request by swapping it for its own index (≥ 0); a worker reaching a request that another
 * worker claimed — or a stale copy of a request whose ring entry a later request reuses — finds
 * another value and skips it.
 */
export function claimWord(id: number): number {
  return ~id;
}

/** Rebuilds a worker's error (and its cause chain) as DetkitErrors with the worker's stacks. */
function fromWorkerError(e: WorkerError, worker: number): DetkitError {
  const err = new DetkitError(e.code, e.message, {
    file: e.file,
    hint: e.hint,
    ...(e.cause === undefined ? {} : { cause: fromWorkerError(e.cause, worker) }),
  });
  if (e.stack !== undefined) err.stack = `${e.stack}\n    (in loader worker ${worker})`;
  return err;
}

/** A worker's batch and, with recycling, the slot holding its image. */
interface Loaded {
  batch: DetBatch;
  slot: SlotFill | undefined;
  /** The worker that loaded it. */
  worker: number;
}

interface Pending {
  resolve(b: Loaded): void;
  reject(e: unknown): void;
}

/**
 * A pool of loader workers sharing one queue of batch requests. Every request is posted to every
 * running worker; the first one free to start it claims it (an atomic compare-and-swap on the
 * request's claim word, see {@link claimWord}) and the others skip it.
 *
 * Porting note: torch hands batch `k` to worker `k mod N` ahead of time, and detkit's previous
 * "fewest pending requests" did the same with another rule: a batch committed to a worker that is
 * still busy waits while the other worker idles (at the end of each epoch one worker loaded the
 * last two batches alone). With the shared queue a worker idles only when no requested batch is
 * left to start. Which worker loads a batch never changes its content (seeds depend on positions).
 */
class WorkerPool {
  readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly dead = new Set<number>();
  private closing = false;
  /** One claim word per ring entry (request id mod length), shared with every worker. */
  private readonly claims: Int32Array;

  /**
   * @param n worker threads
   * @param maxInFlight the most requests pending at once (the claim ring's length is larger)
   */
  constructor(n: number, init: Omit<WorkerInit, 'index' | 'claims'>, maxInFlight: number) {
    const entry = new URL('./worker.ts', import.meta.url);
    const claims = new SharedArrayBuffer(4 * Math.max(64, 2 * maxInFlight));
    this.claims = new Int32Array(claims);
    for (let k = 0; k < n; k++) {
      const w = spawnTsWorker(entry, { workerData: { ...init, index: k, claims } satisfies WorkerInit, name: `detkit loader worker ${k}` });
      w.on('message', (msg: WorkerReply) => {
        const p = this.pending.get(msg.id);
        if (p === undefined) return;
        this.pending.delete(msg.id);
        this.refresh();
        if (msg.error !== undefined) p.reject(fromWorkerError(msg.error, k));
        else p.resolve({ batch: msg.batch!, slot: msg.slot, worker: k });
      });
      const fail = (err: unknown): void => {
        this.dead.add(k);
        const none = this.dead.size === this.workers.length;
        for (const [id, p] of this.pending) {
          // Unclaimed requests stay with the running workers (they hold them too).
          if (!none && Atomics.load(this.claims, id % this.claims.length) !== k) continue;
          this.pending.delete(id);
          p.reject(new DetkitError('DATA_WORKER_DIED', `loader worker ${k} stopped: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
        }
        this.refresh();
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
      this.workers.push(w);
      w.unref();
    }
  }

  /** Keeps the process alive only while requests are pending (an idle pool never blocks exit). */
  private refresh(): void {
    // `terminate()` keeps the process alive until the worker has stopped: leave it so.
    if (this.closing) return;
    const busy = this.pending.size > 0;
    for (const w of this.workers) {
      if (busy) w.ref();
      else w.unref();
    }
  }

  /** Indices of the running workers. */
  running(): number[] {
    return this.workers.map((_, k) => k).filter((k) => !this.dead.has(k));
  }

  /**
   * Offers a batch request to every running worker; the first free one loads it.
   * @param extra per-worker fields added to its copy of the request (a slot's buffer it lacks)
   */
  request(req: Omit<WorkerRequest, 'id'>, extra?: (worker: number) => Partial<WorkerRequest>): Promise<Loaded> {
    const running = this.running();
    if (running.length === 0) return Promise.reject(new DetkitError('DATA_WORKER_DIED', 'no loader worker is running'));
    if (this.pending.size >= this.claims.length) {
      return Promise.reject(new DetkitError('DATA_LOADER_OVERFLOW', `more than ${this.claims.length} batch requests in flight (concurrent passes over one loader?)`));
    }
    const id = this.nextId;
    this.nextId = (this.nextId + 1) % CLAIM_ID_LIMIT;
    Atomics.store(this.claims, id % this.claims.length, claimWord(id));
    return new Promise<Loaded>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.refresh();
      for (const k of running) this.workers[k]!.postMessage({ ...req, ...extra?.(k), id });
    });
  }

  /** Sends the dataset's mutable state to every worker (before the next requests). */
  broadcastState(state: unknown): void {
    for (const w of this.workers) w.postMessage({ state });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

/** Loads batches of a dataset (see the module doc). */
export class DataLoader implements AsyncIterable<DetBatch> {
  readonly dataset: DetDataset;
  readonly sampler: Sampler;
  readonly samples_per_gpu: number;
  readonly workers_per_gpu: number;
  /** Images per batch: `samples_per_gpu × num_gpus`. */
  readonly batch_size: number;
  /** Worker threads: `workers_per_gpu × num_gpus`. */
  readonly num_workers: number;
  readonly seed: number;
  readonly size_divisor: number;
  readonly persistent_workers: boolean;
  readonly prefetch_factor: number;
  /** See {@link DataLoaderOptions.recycle_buffers}. */
  readonly recycle_buffers: boolean;
  private readonly workerImports: string[];
  private epoch = 0;
  private pool: WorkerPool | null = null;
  /**
   * Image slots (recycling on): shared buffers a batch image is collated into, reused once the
   * batch is recycled. `knownBy`: the workers holding the current buffer; `batch`: its holder.
   */
  private readonly slots: Array<{ sab: SharedArrayBuffer | null; knownBy: Set<number>; batch: DetBatch | null }> = [];
  /** The most floats a batch image has needed (slots grow at least to this). */
  private maxSlotLength = 0;
  /** Ids of slots free for the next request. */
  private readonly freeSlots: number[] = [];
  /** Requests of a pass that stopped early, recycling their batches when they arrive. */
  private readonly draining: Array<Promise<void>> = [];
  /** The slot of each yielded batch not yet recycled (only these are recycled). */
  private readonly slotOf = new WeakMap<DetBatch, number>();

  constructor(dataset: DetDataset, options: DataLoaderOptions) {
    const spg = options.samples_per_gpu;
    if (!Number.isInteger(spg) || spg < 1) throw new ValueError('DATA_BAD_LOADER', `samples_per_gpu must be a positive integer, got ${spg}`, { configPath: 'data.samples_per_gpu' });
    const nw = options.workers_per_gpu ?? 0;
    if (!Number.isInteger(nw) || nw < 0) throw new ValueError('DATA_BAD_LOADER', `workers_per_gpu must be a non-negative integer, got ${nw}`, { configPath: 'data.workers_per_gpu' });
    if (dataset.length === 0) {
      const cfg = datasetConfigOf(dataset) as { ann_file?: unknown } | undefined;
      throw new ValueError('DATA_EMPTY_DATASET', `the dataset has no images${cfg?.ann_file === undefined ? '' : ` (ann_file ${String(cfg.ann_file)})`} after filtering`, {
        hint: 'training drops images without boxes of the selected classes (filter_empty_gt) and images under 32 px: check that `classes` match the annotation file',
      });
    }
    this.dataset = dataset;
    const ng = options.num_gpus ?? 1;
    if (!Number.isInteger(ng) || ng < 1) throw new ValueError('DATA_BAD_LOADER', `num_gpus must be a positive integer, got ${ng}`, { configPath: 'gpu_ids' });
    this.samples_per_gpu = spg;
    this.workers_per_gpu = nw;
    this.batch_size = spg * ng;
    this.num_workers = nw * ng;
    this.seed = options.seed ?? 0;
    this.persistent_workers = options.persistent_workers ?? true;
    this.prefetch_factor = Math.max(1, options.prefetch_factor ?? 2);
    this.size_divisor = options.size_divisor ?? findPadDivisor(dataset) ?? 1;
    this.workerImports = options.worker_imports ?? [];
    this.recycle_buffers = options.recycle_buffers ?? options.runner_type !== undefined;
    const shuffle = options.shuffle ?? true;
    if (!shuffle) this.sampler = new SequentialSampler(dataset.length);
    else if (dataset.flag !== undefined && dataset.flag.length === dataset.length) this.sampler = new GroupSampler(dataset.flag, spg, this.seed);
    else this.sampler = new RandomSampler(dataset.length, this.seed);
  }

  /** Batches per epoch (`len(data_loader)`). */
  get length(): number {
    return Math.ceil(this.sampler.length / this.batch_size);
  }

  /** Sets the epoch that seeds the next iteration's order and transforms. */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  private startPool(): WorkerPool {
    const cfg = datasetConfigOf(this.dataset);
    if (cfg === undefined) {
      throw new DetkitError('DATA_WORKER_CONFIG', 'workers_per_gpu > 0 needs a dataset built by buildDataset(cfg) (workers rebuild it from its config)', {
        hint: 'build the dataset from a config, or set workers_per_gpu=0',
      });
    }
    try {
      structuredClone(cfg);
    } catch (err) {
      throw new DetkitError('DATA_WORKER_CONFIG', `the dataset config cannot be sent to worker threads: ${(err as Error).message}`, {
        cause: err,
        hint: 'configs for workers must be plain data (no functions or class instances); or set workers_per_gpu=0',
      });
    }
    // New workers hold no slot buffers yet.
    for (const s of this.slots) s.knownBy.clear();
    return new WorkerPool(this.num_workers, { datasetCfg: cfg, seed: this.seed, sizeDivisor: this.size_divisor, imports: this.workerImports }, this.num_workers * this.prefetch_factor);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DetBatch> {
    const epoch = this.epoch;
    const order = this.sampler.indices(epoch);
    const spg = this.batch_size;
    const nBatches = Math.ceil(order.length / spg);
    const batchAt = (k: number): { indices: number[]; positions: number[] } => {
      const positions = Array.from({ length: Math.min(spg, order.length - k * spg) }, (_, i) => k * spg + i);
      return { indices: positions.map((p) => order[p]!), positions };
    };
    if (this.num_workers === 0) {
      for (let k = 0; k < nBatches; k++) {
        const { indices, positions } = batchAt(k);
        yield collate(await loadSamples(this.dataset, indices, positions, this.seed, epoch), this.size_divisor);
      }
      return;
    }
    this.pool ??= this.startPool();
    const pool = this.pool;
    if (typeof this.dataset.workerState === 'function') pool.broadcastState(this.dataset.workerState());
    // A pass that stopped early (`break`, an error) left requests in flight: they recycle their
    // batches as they arrive, and this pass's requests would queue behind them in the workers
    // anyway. Then a new pass ends the previous one's last batch (kept after a `break`).
    if (this.draining.length > 0) await Promise.all(this.draining.splice(0));
    for (const s of this.slots) if (s.batch !== null) this.recycle(s.batch);
    const inFlight: Array<Promise<DetBatch>> = [];
    let next = 0;
    const window = this.num_workers * this.prefetch_factor;
    const issue = (): void => {
      while (next < nBatches && inFlight.length < window) {
        const slot = this.recycle_buffers ? this.takeSlot() : undefined;
        const p = pool.request({ ...batchAt(next), epoch, ...(slot === undefined ? {} : { slot: slot.slot, minLength: slot.minLength }) }, slot?.sabFor).then(
          (loaded) => this.adopt(loaded),
          (err: unknown) => {
            if (slot !== undefined) {
              // The worker may have grown the slot without telling: send it ours next time.
              this.slots[slot.slot]!.knownBy.clear();
              this.freeSlots.push(slot.slot);
            }
            throw err;
          },
        );
        p.catch(() => undefined); // handled when awaited; avoids unhandled rejections after an early stop
        inFlight.push(p);
        next++;
      }
    };
    try {
      issue();
      while (inFlight.length > 0) {
        const batch = await inFlight.shift()!;
        issue();
        yield batch;
        // Only reached when the consumer asks for the next batch (not on `break`/`return`, after
        // which it may still hold this one).
        this.recycle(batch);
      }
    } finally {
      for (const p of inFlight) this.draining.push(p.then((b) => this.recycle(b), () => undefined));
      if (!this.persistent_workers) {
        this.pool = null;
        await pool.close();
      }
    }
  }

  /**
   * A free image slot for the next request: its id, the floats it grows to at least, and the
   * per-worker request field that hands its buffer to each worker lacking it.
   */
  private takeSlot(): { slot: number; minLength: number; sabFor: (worker: number) => Partial<WorkerRequest> } {
    let id = this.freeSlots.pop();
    if (id === undefined) {
      id = this.slots.length;
      this.slots.push({ sab: null, knownBy: new Set(), batch: null });
    }
    const s = this.slots[id]!;
    const sabFor = (worker: number): Partial<WorkerRequest> => {
      if (s.sab === null || s.knownBy.has(worker)) return {};
      s.knownBy.add(worker);
      return { sab: s.sab };
    };
    // A slot that must grow grows to the largest batch seen, not just this batch's size: fewer
    // outgrown buffers waiting for every isolate's GC.
    return { slot: id, minLength: this.maxSlotLength, sabFor };
  }

  /** Puts a worker's batch image back on the view of its slot. */
  private adopt(loaded: Loaded): DetBatch {
    const { batch, slot: fill, worker } = loaded;
    if (fill === undefined) return batch;
    const s = this.slots[fill.slot]!;
    if (fill.sab !== undefined) {
      s.sab = fill.sab;
      s.knownBy = new Set([worker]);
    }
    this.maxSlotLength = Math.max(this.maxSlotLength, fill.length);
    const img = new Float32Array(s.sab!, 0, fill.length);
    batch.img = img;
    if (batch.augs !== undefined) batch.augs[0]!.img = img;
    s.batch = batch;
    this.slotOf.set(batch, fill.slot);
    return batch;
  }

  /**
   * Gives a batch's image slot back for the next batches now (see
   * {@link DataLoaderOptions.recycle_buffers}); afterwards `batch.img` is an empty array. Does
   * nothing when recycling is off, for batches this loader did not load in a worker, and for a
   * batch already recycled.
   * @param batch a batch this loader yielded
   */
  recycle(batch: DetBatch): void {
    const id = this.slotOf.get(batch);
    if (id === undefined) return;
    this.slotOf.delete(batch);
    this.slots[id]!.batch = null;
    this.freeSlots.push(id);
    // A later read of `batch.img` finds no pixels rather than another batch's.
    const none = new Float32Array(0);
    batch.img = none;
    if (batch.augs !== undefined) batch.augs[0]!.img = none;
  }

  /** Terminates the workers (runner's owner calls it when training ends). */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    if (p !== null) await p.close();
  }
}

/** mmdet `build_dataloader` (one process, one GPU). */
export function buildDataloader(dataset: DetDataset, options: DataLoaderOptions): DataLoader {
  return new DataLoader(dataset, options);
}
