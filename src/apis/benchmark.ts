/**
 * @module Port of mmdetection's `tools/analysis_tools/benchmark.py` @ v2.28.2: inference speed
 * (images / s) over the test set, batch 1, no loader workers, the first 5 iterations not counted,
 * timing only the model call (forward + post-processing), not data loading. detkit adds `train`:
 * the same for one training iteration (`train_step` + gradient clipping + optimizer step).
 *
 * Porting note: when the dataset is shorter than `max_iter`, the loader is walked again (mmdet
 * stops at the end of the dataset without an overall line). With `train` and a config whose
 * `gpu_ids` lists several devices, the step runs through `MMDataParallel` (batch
 * `samples_per_gpu × num_gpus`), as `detkit train --gpus N` trains.
 */
import { performance } from 'node:perf_hooks';
import { buildDataloader, buildDataset, type DataLoader } from '../data/index.js';
import { initBackend } from '../backend/index.js';
import type { Config } from '../config/index.js';
import { buildOptimizer, clipGradNorm, loadCheckpoint, type OptimizerConfig } from '../engine/index.js';
import type { DetBatch } from '../structures/det_types.js';
import { DetkitError, ValueError } from '../utils/errors.js';
import { MMDataParallel, checkGpuIds, replicaImports } from './data_parallel/mm_data_parallel.js';
import { initDetector, loadConfig, type InitializedDetector } from './inference.js';
import { buildDetector } from './train_main.js';

/** Options of {@link benchmark}: benchmark.py's command-line options. */
export interface BenchmarkOptions {
  config: string;
  /** Weights to load (random initial weights when absent). */
  checkpoint?: string | null;
  /** Iterations including the 5 warm-up ones. Default 2000. */
  max_iter?: number;
  /** Print the running speed every this many iterations. Default 50. */
  log_interval?: number;
  /** Time training iterations on `data.train` instead of inference on `data.test`. */
  train?: boolean;
  cfg_options?: readonly string[];
  /** Where progress lines go. Default stdout. */
  log?: (line: string) => void;
}

/** Result of {@link benchmark}. */
export interface BenchmarkResult {
  /** Images per second (inference) or iterations per second (`train`). */
  fps: number;
  /** Milliseconds per image (inference) or per iteration (`train`). */
  ms_per_iter: number;
  /** Iterations timed (after warm-up). */
  timed_iters: number;
}

/** Warm-up iterations that are run but not timed (mmdet `num_warmup`). */
export const NUM_WARMUP = 5;

async function* cycle(loader: DataLoader): AsyncGenerator<DetBatch> {
  for (;;) {
    let any = false;
    for await (const b of loader) {
      any = true;
      yield b;
    }
    if (!any) throw new DetkitError('BENCHMARK_EMPTY_DATASET', 'the dataset is empty');
  }
}

/**
 * Runs the benchmark and prints `Done image [i / max_iter], fps: ...` lines and the overall speed,
 * formatted as benchmark.py prints them.
 * @throws ValueError `BENCHMARK_BAD_ARGS` when `max_iter` ≤ 5 (nothing would be timed)
 */
export async function benchmark(opts: BenchmarkOptions): Promise<BenchmarkResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const maxIter = opts.max_iter ?? 2000;
  const logInterval = opts.log_interval ?? 50;
  if (!Number.isInteger(maxIter) || maxIter <= NUM_WARMUP) throw new ValueError('BENCHMARK_BAD_ARGS', `max_iter must be an integer > ${NUM_WARMUP}, got ${maxIter}`);
  if (!Number.isInteger(logInterval) || logInterval < 1) throw new ValueError('BENCHMARK_BAD_ARGS', `log_interval must be a positive integer, got ${logInterval}`);
  const cfgObj = await loadConfig(opts.config, opts.cfg_options ?? []);
  const cfg = cfgObj.toDict() as { data?: Record<string, unknown>; optimizer?: OptimizerConfig; optimizer_config?: { grad_clip?: unknown } | null; seed?: number; gpu_ids?: unknown; model?: Record<string, unknown> };
  const train = opts.train === true;
  const split = train ? 'train' : 'test';
  const dsCfg = cfg.data?.[split];
  if (dsCfg == null) throw new DetkitError('CONFIG_MISSING_KEY', `the benchmark needs data.${split}`, { configPath: `data.${split}`, file: opts.config });
  const model: InitializedDetector = train ? await initTrainable(cfgObj, opts.checkpoint ?? null) : await initDetector(cfgObj, opts.checkpoint ?? null);
  const gpuIds = train ? checkGpuIds(cfg.gpu_ids ?? [0]) : [0];
  const parallel = gpuIds.length > 1 ? new MMDataParallel(model, { device_ids: gpuIds, model_cfg: cfg.model!, custom_imports: replicaImports(cfgObj.get('custom_imports', undefined), cfgObj.filename) }) : null;
  const dataset = buildDataset(dsCfg as never, train ? undefined : { test_mode: true }, `data.${split}`);
  const loader = buildDataloader(dataset, {
    samples_per_gpu: train ? ((cfg.data?.samples_per_gpu as number | undefined) ?? 2) : 1,
    num_gpus: gpuIds.length,
    workers_per_gpu: 0,
    shuffle: train,
    seed: cfg.seed ?? 0,
  } as Parameters<typeof buildDataloader>[1]);
  const optimizer = train ? buildOptimizer(model as never, cfg.optimizer as OptimizerConfig) : null;
  const gradClip = (cfg.optimizer_config?.grad_clip ?? null) as Parameters<typeof clipGradNorm>[1] | null;
  const unit = train ? 'iter' : 'img';
  const what = train ? 'iter' : 'image';
  let pure = 0;
  let fps = 0;
  let i = 0;
  try {
    if (train) model.train();
    else model.eval();
    for await (const batch of cycle(loader)) {
      const start = performance.now();
      if (optimizer !== null) {
        const out = await (parallel ?? model).train_step(batch, optimizer);
        const grads = out.grads;
        if (grads !== undefined && grads !== null) {
          if (gradClip !== null) clipGradNorm(grads, gradClip);
          optimizer.step(grads);
          for (const g of grads.values()) g.dispose();
        }
      } else {
        model.simpleTest(batch, true);
      }
      const elapsed = (performance.now() - start) / 1000;
      if (i >= NUM_WARMUP) {
        pure += elapsed;
        if ((i + 1) % logInterval === 0) {
          fps = (i + 1 - NUM_WARMUP) / pure;
          log(`Done ${what} [${String(i + 1).padEnd(3)}/ ${maxIter}], fps: ${fps.toFixed(1)} ${unit} / s, times per ${what}: ${(1000 / fps).toFixed(1)} ms / ${unit}`);
        }
      }
      if (i + 1 === maxIter) {
        fps = (i + 1 - NUM_WARMUP) / pure;
        log(`Overall fps: ${fps.toFixed(1)} ${unit} / s, times per ${what}: ${(1000 / fps).toFixed(1)} ms / ${unit}`);
        break;
      }
      i++;
    }
  } finally {
    await loader.close();
    await parallel?.close();
    optimizer?.dispose();
    model.dispose();
  }
  return { fps, ms_per_iter: 1000 / fps, timed_iters: maxIter - NUM_WARMUP };
}

/** A detector built with its `train_cfg` (training needs the assigner; initDetector drops it), weights loaded if given. */
async function initTrainable(cfgObj: Config, checkpoint: string | null): Promise<InitializedDetector> {
  await initBackend();
  const cfg = cfgObj.toDict() as { model: Record<string, unknown>; seed?: number };
  const model = buildDetector(cfg.model, cfg.seed ?? 0) as InitializedDetector;
  model.cfg = cfg as unknown as Record<string, unknown>;
  if (checkpoint !== null) {
    try {
      loadCheckpoint(model as never, checkpoint, { strict: true });
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  return model;
}
