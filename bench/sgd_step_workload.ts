/**
 * @module The shared shape of the detector training workloads: one `train_step` plus an SGD step
 * (lr 0.01, momentum 0.9, weight decay 1e-4, as torch_bench.py) on a fixed batch — on the main
 * thread, or data-parallel over `devices` threads through `MMDataParallel` (as `detkit train --gpus N`).
 */
import { MMDataParallel } from '../src/apis/data_parallel/index.js';
import { buildOptimizer } from '../src/engine/index.js';
import type { Optimizer } from '../src/engine/optim/types.js';
import type { BaseDetector } from '../src/models/detectors/base.js';
import type { DetBatch } from '../src/structures/det_types.js';
import type { Workload } from './workload.js';

interface Ctx {
  model: BaseDetector;
  parallel: MMDataParallel | null;
  optimizer: Optimizer;
  batch: DetBatch;
}

/** Data-parallel settings of {@link sgdStepWorkload}. */
export interface SgdStepParallel {
  /** Devices (threads, the main one included); the batch is split `ceil(B / devices)` per device. */
  devices: number;
  /** The plain-data model config the replicas build (the same model `build()` returns). */
  modelCfg: Record<string, unknown>;
}

/**
 * A workload timing `train_step` + `optimizer.step` of `build()`'s model on its batch.
 * @param parallel when given, the step runs through `MMDataParallel` over `parallel.devices` threads
 */
export function sgdStepWorkload(
  name: string,
  description: string,
  build: () => { model: BaseDetector; batch: DetBatch },
  parallel?: SgdStepParallel,
): Workload<Ctx> {
  return {
    name,
    description,
    warmup: 2,
    runs: 5,
    setup() {
      const { model, batch } = build();
      const dp = parallel === undefined ? null : new MMDataParallel(model, { device_ids: Array.from({ length: parallel.devices }, (_, i) => i), model_cfg: parallel.modelCfg });
      return { model, parallel: dp, optimizer: buildOptimizer(model, { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } as never), batch };
    },
    async run({ model, parallel: dp, optimizer, batch }) {
      // scatterBatch only reads the batch, so the same batch serves every run.
      const out = dp === null ? model.train_step(batch) : await dp.train_step(batch);
      optimizer.step(out.grads!);
      for (const g of out.grads!.values()) g.dispose();
    },
    async teardown({ model, parallel: dp, optimizer }) {
      await dp?.close();
      optimizer.dispose();
      model.dispose();
    },
  };
}
