/**
 * @module Workload `retinanet-r18-train-512-1t`: `retinanet-r18-train-512` on the main thread alone
 * (one wasm instance, no `MMDataParallel`): the single-thread reference for the 2-device figure.
 */
import { sgdStepWorkload } from '../sgd_step_workload.js';
import { benchBatch, benchRetinaNet } from '../retinanet_common.js';

export default sgdStepWorkload(
  'retinanet-r18-train-512-1t',
  'RetinaNet R-18 FPN P3-P7, 20 classes, batch 2 of 512x512, 3 boxes each: train_step + SGD step, main thread only',
  () => ({ model: benchRetinaNet(), batch: benchBatch(2) }),
);
