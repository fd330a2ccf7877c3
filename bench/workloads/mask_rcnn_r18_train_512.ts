/**
 * @module Workload `mask-rcnn-r18-train-512`: one SGD step (lr 0.01, momentum 0.9, wd 1e-4) of the ResNet-18
 * Mask R-CNN (`bench/two_stage_common.ts`) on a batch of 2 random 512×512 images with 3 boxes
 * each (`bench/torch_two_stage.py` `mask-rcnn-r18-train-512`): forward, RPN proposals, RoI sampling,
 * losses, gradients, optimizer update.
 */
import { buildOptimizer } from '../../src/engine/index.js';
import type { Optimizer } from '../../src/engine/optim/types.js';
import type { TwoStageDetector } from '../../src/models/detectors/two_stage.js';
import type { DetBatch } from '../../src/structures/det_types.js';
import type { Workload } from '../workload.js';
import { benchMaskBatch, benchTwoStage } from '../two_stage_common.js';

interface Ctx {
  model: TwoStageDetector;
  optimizer: Optimizer;
  batch: DetBatch;
}

const workload: Workload<Ctx> = {
  name: 'mask-rcnn-r18-train-512',
  description: 'Mask R-CNN R-18 FPN, 20 classes, batch 2 of 512x512, 3 boxes with rectangle masks each: train_step + SGD step',
  warmup: 2,
  runs: 5,
  setup() {
    const model = benchTwoStage(true);
    return { model, optimizer: buildOptimizer(model, { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 1e-4 } as never), batch: benchMaskBatch(2) };
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

export default workload;
