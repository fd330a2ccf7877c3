/**
 * @module Workload `mask-rcnn-r18-train-512`: one SGD step (lr 0.01, momentum 0.9, wd 1e-4) of the ResNet-18
 * Mask R-CNN (`bench/two_stage_common.ts`) on a batch of 2 random 512×512 images with 3 boxes
 * each (`bench/torch_two_stage.py` `mask-rcnn-r18-train-512`): forward, RPN proposals, RoI sampling,
 * losses, gradients, optimizer update.
 */
import { sgdStepWorkload } from '../sgd_step_workload.js';
import { benchMaskBatch, benchTwoStage } from '../two_stage_common.js';

export default {
  ...sgdStepWorkload(
    'mask-rcnn-r18-train-512',
    'Mask R-CNN R-18 FPN, 20 classes, batch 2 of 512x512, 3 boxes with rectangle masks each: train_step + SGD step',
    () => ({ model: benchTwoStage(true), batch: benchMaskBatch(2) }),
  ),
  torchPeer: 'bench/torch_two_stage.py',
};
