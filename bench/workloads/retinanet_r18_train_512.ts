/**
 * @module Workload `retinanet-r18-train-512`: one SGD step (lr 0.01, momentum 0.9, wd 1e-4) of the
 * ResNet-18 RetinaNet on a batch of 2 random 512×512 images with 3 boxes each (torch_bench.py
 * `retinanet_r18_train_512`): forward, losses, gradients, optimizer update — data-parallel over 2
 * threads (`MMDataParallel`, 1 image per device), as PyTorch's figure uses 2 threads.
 * `retinanet-r18-train-512-1t` is the same step on the main thread alone.
 */
import { sgdStepWorkload } from '../sgd_step_workload.js';
import { BENCH_RETINANET_CFG, benchBatch, benchRetinaNet } from '../retinanet_common.js';

export default sgdStepWorkload(
  'retinanet-r18-train-512',
  'RetinaNet R-18 FPN P3-P7, 20 classes, batch 2 of 512x512, 3 boxes each: train_step + SGD step, 2 devices (main thread + 1 replica thread)',
  () => ({ model: benchRetinaNet(), batch: benchBatch(2) }),
  { devices: 2, modelCfg: BENCH_RETINANET_CFG },
);
