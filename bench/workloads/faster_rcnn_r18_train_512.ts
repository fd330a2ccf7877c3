/**
 * @module Workload `faster-rcnn-r18-train-512`: one SGD step (lr 0.01, momentum 0.9, wd 1e-4) of the ResNet-18
 * Faster R-CNN (`bench/two_stage_common.ts`) on a batch of 2 random 512×512 images with 3 boxes
 * each (`bench/torch_two_stage.py` `faster-rcnn-r18-train-512`): forward, RPN proposals, RoI sampling,
 * losses, gradients, optimizer update.
 */
import { sgdStepWorkload } from '../sgd_step_workload.js';
import { benchBatch } from '../retinanet_common.js';
import { benchTwoStage } from '../two_stage_common.js';

export default {
  ...sgdStepWorkload(
    'faster-rcnn-r18-train-512',
    'Faster R-CNN R-18 FPN, 20 classes, batch 2 of 512x512, 3 boxes each: train_step + SGD step',
    () => ({ model: benchTwoStage(false), batch: benchBatch(2) }),
  ),
  torchPeer: 'bench/torch_two_stage.py',
};
