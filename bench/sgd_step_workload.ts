/**
 * @module The shared shape of the detector training workloads: one `train_step` plus an SGD step
 * (lr 0.01, momentum 0.9, weight decay 1e-4, as torch_bench.py) on a fixed batch.
 */
import { buildOptimizer } from '../src/engine/index.js';
import type { Optimizer } from '../src/engine/optim/types.js';
import type { BaseDetector } from '../src/models/detectors/base.js';
import type { DetBatch } from '../src/structures/det_types.js';
import type { Workload } from './workload.js';

interface Ctx {
  model: BaseDetector;
  optimizer: Optimizer;
  batch: DetBatch;
}

/** A workload timing `train_step` + `optimizer.step` of `build()`'s model on its batch. */
export function sgdStepWorkload(name: string, description: string, build: () => { model: BaseDetector; batch: DetBatch }): Workload<Ctx> {
  return {
    name,
    description,
    warmup: 2,
    runs: 5,
    setup() {
      const { model, batch } = build();
      return { model, optimizer: buildOptimizer(model, { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } as never), batch };
    },
    run({ model, optimizer, batch }) {
      const out = model.train_step(batch);
      optimizer.step(out.grads!);
      for (const g of out.grads!.values()) g.dispose();
    },
    teardown({ model, optimizer }) {
      optimizer.dispose();
      model.dispose();
    },
  };
}
