/**
 * @module Port of `mmcv/parallel/data_parallel.py` `MMDataParallel` @ mmcv v1.7.2, replicating over
 * worker threads as torch's `DataParallel` replicates over GPUs.
 *
 * Porting note: mmcv 1.x's MMDataParallel asserts a single device in `train_step`; detkit's runs
 * `device_ids.length` replicas, one wasm instance each: device 0 is the master model on the main
 * thread (it owns the optimizer, checkpoints and BN running statistics), devices 1..n-1 are worker
 * threads holding replicas built from the same plain-data `cfg.model`. A step scatters the batch
 * (torch `chunk`: `ceil(B / n)` images per device), posts every replica its chunk and the master's
 * state dict (parameters and buffers, as DDP broadcasts buffers from rank 0), computes the master's
 * chunk meanwhile, and averages: gradients and `log_vars` are the means over replicas (DDP's
 * gradient all-reduce, mmdet `_parse_losses`' log_vars all-reduce), `num_samples` is the total.
 */
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { tf, type BackendName } from '../../backend/index.js';
import type { StepOutputs } from '../../engine/types.js';
import type { BaseDetector, DetStepOutputs } from '../../models/detectors/base.js';
import type { Module } from '../../nn/module.js';
import type { DetBatch } from '../../structures/det_types.js';
import { configFileOf } from '../../utils/config_meta.js';
import { DetkitError, ValueError } from '../../utils/errors.js';
import { spawnTsWorker } from '../../utils/ts_worker.js';
import { batchBuffers, fromWireError, tensorAt, writeShared, type ReplicaInit, type StepReply } from './protocol.js';
import { scatterBatch } from './scatter.js';

/** Options of {@link MMDataParallel}. */
export interface MMDataParallelOptions {
  /** Device ids (labels; their count is the number of replicas). `[0]` runs the master alone. */
  device_ids: number[];
  /** The plain-data `cfg.model` the master was built from; replicas build the same detector. */
  model_cfg: Record<string, unknown>;
  /** Modules replicas load before building (the config's `custom_imports`, resolved to absolute paths). */
  custom_imports?: string[];
  /** Backend of the replicas (default: the main thread's active backend). */
  backend?: BackendName;
}

/**
 * `cfg.model` for replica `device`: every `RandomSampler` gets seed `(seed ?? 0) + device`, so the
 * replicas do not draw the same RoI samples as the master (deterministic for a device count).
 */
export function replicaModelCfg(modelCfg: Record<string, unknown>, device: number): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = walk(x);
    if (o.type === 'RandomSampler') o.seed = ((o.seed as number | undefined) ?? 0) + device;
    return o;
  };
  return walk(modelCfg) as Record<string, unknown>;
}

/**
 * The config's `custom_imports` as specifiers a replica thread can `require`: relative paths resolved
 * against the config file that lists them (as `importCustomModules` does), others unchanged.
 * @param customImports the `custom_imports` node (already validated by `Config.fromFile`)
 * @param configFile the top-level config file (used when the node carries no file of its own)
 */
export function replicaImports(customImports: unknown, configFile?: string): string[] {
  const imports = (customImports as { imports?: unknown } | null | undefined)?.imports;
  const list = typeof imports === 'string' ? [imports] : Array.isArray(imports) ? imports.filter((i): i is string => typeof i === 'string') : [];
  const base = configFileOf(customImports) ?? configFile;
  return list.map((imp) => (imp.startsWith('./') || imp.startsWith('../') ? resolve(base === undefined ? process.cwd() : dirname(base), imp) : imp.startsWith('file:') ? fileURLToPath(imp) : imp));
}

/**
 * Checks `gpu_ids` (a non-empty list of distinct non-negative integers, at most twice the host's
 * available parallelism: each device is a thread computing flat out).
 * @throws ValueError `DP_BAD_GPU_IDS` / `DP_TOO_MANY_DEVICES` naming `gpu_ids`
 */
export function checkGpuIds(ids: unknown): number[] {
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => Number.isInteger(i) && (i as number) >= 0) || new Set(ids).size !== ids.length) {
    throw new ValueError('DP_BAD_GPU_IDS', `gpu_ids must be a non-empty list of distinct non-negative integers, got ${JSON.stringify(ids)}`, { configPath: 'gpu_ids' });
  }
  const max = availableParallelism() * 2;
  if (ids.length > max) {
    throw new ValueError('DP_TOO_MANY_DEVICES', `gpu_ids asks for ${ids.length} devices (threads) but this host has ${availableParallelism()} cores; at most ${max} are allowed`, {
      configPath: 'gpu_ids',
      hint: `each device is one thread computing flat out: use --gpus ${availableParallelism()} or fewer`,
    });
  }
  return ids as number[];
}

interface Pending {
  resolve(r: StepReply): void;
  reject(e: unknown): void;
}

/** One replica thread with its request bookkeeping. */
class Replica {
  readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | null = null;
  /** The buffer this replica's state and gradients cross in (see `SharedTensors`); made by the first step. */
  private shared: SharedArrayBuffer | null = null;
  /** False once the thread has exited. */
  running = true;

  constructor(readonly device: number, init: ReplicaInit) {
    this.worker = spawnTsWorker(new URL('./replica_worker.ts', import.meta.url), { workerData: init, name: `detkit replica ${device}` });
    this.worker.unref();
    this.worker.on('message', (msg: StepReply) => {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(msg);
    });
    const fail = (err: Error): void => {
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(new DetkitError('DP_WORKER_DIED', `the replica thread of device ${this.device} stopped: ${err.message}`, { cause: err }));
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      this.running = false;
      fail(new Error(`exit code ${code}`));
    });
  }

  /**
   * Writes `state` into this replica's shared buffer and posts it with a chunk; resolves with the
   * reply (errors included, as data). The buffer must not be written again before the reply's
   * gradients have been read.
   */
  step(batch: DetBatch, state: Map<string, tf.Tensor>): Promise<StepReply> {
    if (this.dead !== null) return Promise.reject(new DetkitError('DP_WORKER_DIED', `the replica thread of device ${this.device} is not running: ${this.dead.message}`));
    const shared = writeShared(state, this.shared);
    this.shared = shared.buffer;
    const id = this.nextId++;
    return new Promise<StepReply>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => {
          // Gradients that did not fit came in a larger buffer: keep it for the next steps.
          if (r.grads !== undefined) this.shared = r.grads.buffer;
          resolve(r);
        },
        reject,
      });
      this.worker.ref();
      this.worker.postMessage({ id, batch, state: shared }, batchBuffers(batch));
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('terminated');
    await this.worker.terminate();
  }
}

/**
 * A detector replicated over `device_ids.length` threads (see the module doc). Satisfies the
 * engine's `TrainableModel`; everything but `train_step` is the master's (`.module`).
 */
export class MMDataParallel {
  /** The master model (device 0), as mmcv's `model.module`. */
  readonly module: BaseDetector;
  readonly device_ids: number[];
  private readonly replicas: Replica[];

  constructor(module: BaseDetector, options: MMDataParallelOptions) {
    this.module = module;
    this.device_ids = checkGpuIds(options.device_ids);
    const backend = options.backend ?? (tf.getBackend() as BackendName);
    this.replicas = this.device_ids.slice(1).map(
      (_, i) => new Replica(i + 1, { device: i + 1, backend, modelCfg: replicaModelCfg(options.model_cfg, i + 1), imports: options.custom_imports ?? [] }),
    );
  }

  /** Replica threads still running (0 after {@link close}). */
  get liveReplicas(): number {
    return this.replicas.filter((r) => r.running).length;
  }

  /** Class names of the master (checkpoints store them). */
  get CLASSES(): string[] | null {
    return this.module.CLASSES;
  }

  /**
   * One data-parallel optimisation step: scatter, replicas' `train_step`s, averaged outputs.
   * @param data a collated {@link DetBatch} of `samples_per_gpu × num_gpus` images
   * @returns mean loss and log_vars over replicas, total `num_samples`, every image file, and the
   *   mean gradients by parameter name (owned by the caller)
   * @throws DetkitError `DP_REPLICA_FAILED` naming the device and its images when a replica throws;
   *   `DP_REPLICA_INIT_FAILED` when a replica cannot build `cfg.model`; `DP_WORKER_DIED` when its thread stopped
   */
  async train_step(data: unknown, optimizer?: unknown): Promise<DetStepOutputs> {
    const batch = data as DetBatch;
    const chunks = scatterBatch(batch, this.device_ids.length);
    if (chunks.length <= 1) return this.module.train_step(batch, optimizer);
    const stateDict = this.module.stateDict();
    const replies = chunks.slice(1).map((chunk, i) => {
      const replica = this.replicas[i]!;
      const files = chunk.samples.map((s) => s.meta.filename);
      return replica.step(chunk, stateDict).then((r) => {
        if (r.error !== undefined) {
          const cause = fromWireError(r.error, `replica thread of device ${replica.device}`);
          if (r.phase === 'init') {
            throw new DetkitError('DP_REPLICA_INIT_FAILED', `the replica of device ${replica.device} could not be built from cfg.model: ${r.error.code}: ${r.error.message}`, {
              cause,
              file: r.error.file,
              configPath: r.error.configPath,
              hint: r.error.hint ?? 'replicas build cfg.model in a worker thread: custom components must be registered by modules listed in custom_imports',
            });
          }
          throw new DetkitError('DP_REPLICA_FAILED', `train_step failed on device ${replica.device} (images ${files.join(', ')}): ${r.error.code}: ${r.error.message}`, {
            cause,
            file: r.error.file ?? files[0],
            configPath: r.error.configPath,
            hint: r.error.hint,
          });
        }
        return r;
      });
    });
    for (const r of replies) r.catch(() => undefined); // awaited below; no unhandled rejection while the master computes
    let own: DetStepOutputs;
    try {
      own = this.module.train_step(chunks[0], optimizer);
    } catch (err) {
      await Promise.allSettled(replies);
      throw err;
    }
    let others: StepReply[];
    try {
      others = await Promise.all(replies);
    } catch (err) {
      await Promise.allSettled(replies);
      for (const g of own.grads?.values() ?? []) g.dispose();
      throw err;
    }
    return this.reduce(own, others, batch.samples.map((s) => s.meta.filename));
  }

  /** Means of the gradients and log_vars over the master's and the replicas' outputs. */
  private reduce(own: DetStepOutputs, others: StepReply[], imgFiles: string[]): DetStepOutputs {
    const m = others.length + 1;
    const sums = new Map<string, tf.Tensor>(own.grads ?? []);
    for (const r of others) {
      const w = r.grads!;
      for (let i = 0; i < w.layout.names.length; i++) {
        const name = w.layout.names[i]!;
        const prev = sums.get(name);
        const next = tf.tidy(() => {
          const g = tensorAt(w, i);
          return prev === undefined ? g : tf.add(prev, g);
        });
        prev?.dispose();
        sums.set(name, next);
      }
    }
    const grads = new Map<string, tf.Tensor>();
    for (const [name, s] of sums) {
      grads.set(name, tf.tidy(() => tf.div(s, m)));
      s.dispose();
    }
    const logVars: Record<string, number> = {};
    for (const k of Object.keys(own.log_vars)) {
      logVars[k] = (own.log_vars[k]! + others.reduce((t, r) => t + (r.log_vars![k] ?? 0), 0)) / m;
    }
    return {
      loss: logVars.loss ?? (own.loss + others.reduce((t, r) => t + r.loss!, 0)) / m,
      log_vars: logVars,
      num_samples: own.num_samples + others.reduce((t, r) => t + r.num_samples!, 0),
      grads,
      img_files: imgFiles,
    };
  }

  /** The master's validation step (mmcv `val_step` runs on device 0). */
  val_step(data: unknown, optimizer?: unknown): StepOutputs {
    return this.module.val_step(data, optimizer);
  }

  /** Training mode of the master (replicas always train). */
  train(mode = true): this {
    this.module.train(mode);
    return this;
  }

  /** Evaluation mode of the master. */
  eval(): this {
    this.module.eval();
    return this;
  }

  /** The master's trainable parameters. */
  namedParameters(): Map<string, tf.Variable> {
    return this.module.namedParameters();
  }

  /** The master's state dict (no `module.` prefix: checkpoints hold the bare model, as mmcv saves `model.module`). */
  stateDict(): Map<string, tf.Tensor> {
    return this.module.stateDict();
  }

  /** Loads into the master; replicas receive its state with every step. */
  loadStateDict(state: Map<string, tf.Tensor>, options?: { strict?: boolean }): { missing: string[]; unexpected: string[] } {
    return this.module.loadStateDict(state, options);
  }

  /** The master's modules (hooks such as NumClassCheckHook walk them). */
  namedModules(prefix = ''): Map<string, Module> {
    return this.module.namedModules(prefix);
  }

  /** The master's parameter kinds (optimizer constructors read them). */
  paramKinds(): ReturnType<Module['paramKinds']> {
    return this.module.paramKinds();
  }

  /** Terminates the replica threads (idempotent). The master is left to its owner. */
  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }

  /** Frees the master's variables and terminates the replicas. */
  dispose(): void {
    void this.close();
    this.module.dispose();
  }
}
