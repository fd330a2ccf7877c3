/**
 * @module The data loader (mmdet `build_dataloader` + torch's `DataLoader`): samples indices, runs
 * the pipeline — in this thread or in `workers_per_gpu` worker threads — and yields collated
 * {@link DetBatch}es. Satisfies the engine's `DataLoaderLike` structurally (data/ and engine/ are
 * siblings and never import each other; `test/e2e/data_loader.test.ts` checks the assignment).
 *
 * Determinism: the epoch order depends only on (seed, epoch) and every sample's transform RNG only on
 * (seed, epoch, position), so batches are identical with 0 or N workers. Each batch goes to the
 * worker with the fewest pending requests and batches are yielded in order, with up to
 * `prefetch_factor × N` in flight.
 * A failing sample rejects its batch with the pipeline's error (`DATA_PIPELINE_FAILED` naming the
 * transform and image); a crashed worker rejects its pending batches (`DATA_WORKER_DIED`); nothing
 * waits forever. Workers run the TypeScript sources through tsx's CommonJS hook (`utils/ts_worker.ts`).
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
import type { WorkerError, WorkerInit, WorkerRequest } from './worker.js';

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
  /** Only 1 GPU (one process) is supported; accepted for config compatibility. */
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

interface Pending {
  resolve(b: DetBatch): void;
  reject(e: unknown): void;
}

/** A pool of loader workers with request ids. */
class WorkerPool {
  readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending & { worker: number }>();
  private nextId = 0;
  private readonly dead = new Set<number>();

  constructor(n: number, init: WorkerInit) {
    const entry = new URL('./worker.ts', import.meta.url);
    for (let k = 0; k < n; k++) {
      const w = spawnTsWorker(entry, { workerData: init, name: `detkit loader worker ${k}` });
      w.on('message', (msg: { id: number; batch?: DetBatch; error?: WorkerError }) => {
        const p = this.pending.get(msg.id);
        if (p === undefined) return;
        this.pending.delete(msg.id);
        this.refresh(k);
        if (msg.error !== undefined) p.reject(fromWorkerError(msg.error, k));
        else p.resolve(msg.batch!);
      });
      const fail = (err: unknown): void => {
        this.dead.add(k);
        for (const [id, p] of this.pending) {
          if (p.worker !== k) continue;
          this.pending.delete(id);
          p.reject(new DetkitError('DATA_WORKER_DIED', `loader worker ${k} stopped: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
        }
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
      this.workers.push(w);
      w.unref();
    }
  }

  /** Keeps the process alive only while a worker has pending requests (an idle pool never blocks exit). */
  private refresh(k: number): void {
    const w = this.workers[k];
    if (w === undefined) return;
    let busy = false;
    for (const p of this.pending.values()) if (p.worker === k) busy = true;
    if (busy) w.ref();
    else w.unref();
  }

  /**
   * The running worker with the fewest pending requests (lowest index on ties). Porting note: torch
   * hands batch `k` to worker `k mod N`; a worker slowed by larger images then stalls the in-order
   * queue while the others idle. Which worker loads a batch never changes its content (seeds depend
   * on positions only).
   */
  leastBusy(): number {
    const counts = new Array<number>(this.workers.length).fill(0);
    for (const p of this.pending.values()) counts[p.worker]++;
    let best = -1;
    for (let k = 0; k < counts.length; k++) {
      if (this.dead.has(k)) continue;
      if (best === -1 || counts[k]! < counts[best]!) best = k;
    }
    return best === -1 ? 0 : best;
  }

  request(worker: number, req: Omit<WorkerRequest, 'id'>): Promise<DetBatch> {
    if (this.dead.has(worker)) return Promise.reject(new DetkitError('DATA_WORKER_DIED', `loader worker ${worker} is not running`));
    const id = this.nextId++;
    return new Promise<DetBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.refresh(worker);
      this.workers[worker]!.postMessage({ ...req, id });
    });
  }

  /** Sends the dataset's mutable state to every worker (before the next requests). */
  broadcastState(state: unknown): void {
    for (const w of this.workers) w.postMessage({ state });
  }

  async close(): Promise<void> {
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
  readonly seed: number;
  readonly size_divisor: number;
  readonly persistent_workers: boolean;
  readonly prefetch_factor: number;
  private readonly workerImports: string[];
  private epoch = 0;
  private pool: WorkerPool | null = null;

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
    this.samples_per_gpu = spg;
    this.workers_per_gpu = nw;
    this.seed = options.seed ?? 0;
    this.persistent_workers = options.persistent_workers ?? true;
    this.prefetch_factor = Math.max(1, options.prefetch_factor ?? 2);
    this.size_divisor = options.size_divisor ?? findPadDivisor(dataset) ?? 1;
    this.workerImports = options.worker_imports ?? [];
    const shuffle = options.shuffle ?? true;
    if (!shuffle) this.sampler = new SequentialSampler(dataset.length);
    else if (dataset.flag !== undefined && dataset.flag.length === dataset.length) this.sampler = new GroupSampler(dataset.flag, spg, this.seed);
    else this.sampler = new RandomSampler(dataset.length, this.seed);
  }

  /** Batches per epoch (`len(data_loader)`). */
  get length(): number {
    return Math.ceil(this.sampler.length / this.samples_per_gpu);
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
    return new WorkerPool(this.workers_per_gpu, { datasetCfg: cfg, seed: this.seed, sizeDivisor: this.size_divisor, imports: this.workerImports });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DetBatch> {
    const epoch = this.epoch;
    const order = this.sampler.indices(epoch);
    const spg = this.samples_per_gpu;
    const nBatches = Math.ceil(order.length / spg);
    const batchAt = (k: number): { indices: number[]; positions: number[] } => {
      const positions = Array.from({ length: Math.min(spg, order.length - k * spg) }, (_, i) => k * spg + i);
      return { indices: positions.map((p) => order[p]!), positions };
    };
    if (this.workers_per_gpu === 0) {
      for (let k = 0; k < nBatches; k++) {
        const { indices, positions } = batchAt(k);
        yield collate(await loadSamples(this.dataset, indices, positions, this.seed, epoch), this.size_divisor);
      }
      return;
    }
    this.pool ??= this.startPool();
    const pool = this.pool;
    if (typeof this.dataset.workerState === 'function') pool.broadcastState(this.dataset.workerState());
    const inFlight: Array<Promise<DetBatch>> = [];
    let next = 0;
    const window = this.workers_per_gpu * this.prefetch_factor;
    const issue = (): void => {
      while (next < nBatches && inFlight.length < window) {
        const p = pool.request(pool.leastBusy(), { ...batchAt(next), epoch });
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
      }
    } finally {
      if (!this.persistent_workers) {
        this.pool = null;
        await pool.close();
      }
    }
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
