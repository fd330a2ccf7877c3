/**
 * @module Port of `configs/retinanet/retinanet_r50_fpn_1x_coco.py` @ mmdetection v2.28.2:
 * RetinaNet R-50-FPN, COCO, 1x schedule with lr 0.01 (COCO box AP 36.5 in mmdet's model zoo).
 */
import type { DetConfig } from '../../src/config/index.js';

export default {
  _base_: [
    '../_base_/models/retinanet_r50_fpn.ts',
    '../_base_/datasets/coco_detection.ts',
    '../_base_/schedules/schedule_1x.ts',
    '../_base_/default_runtime.ts',
  ],
  // optimizer
  optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 },
} satisfies DetConfig;
