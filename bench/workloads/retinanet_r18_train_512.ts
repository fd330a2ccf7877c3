/**
 * @module Workload `retinanet-r18-train-512`: one SGD step (lr 0.01, momentum 0.9, wd 1e-4) of the
 * ResNet-18 RetinaNet on a batch of 2 random 512×512 images with 3 boxes each (torch_bench.py
 * `retinanet_r18_train_512`): forward, losses, gradients, optimizer update.
 */
import { sgdStepWorkload } from '../sgd_step_workload.js';
import { benchBatch, benchRetinaNet } from '../retinanet_common.js';

export default sgdStepWorkload(
  'retinanet-r18-train-512',
  'RetinaNet R-18 FPN P3-P7, 20 classes, batch 2 of 512x512, 3 boxes each: train_step + SGD step',
  () => ({ model: benchRetinaNet(), batch: benchBatch(2) }),
);
