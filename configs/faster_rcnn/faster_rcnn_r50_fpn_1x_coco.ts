/**
 * @module Port of `configs/faster_rcnn/faster_rcnn_r50_fpn_1x_coco.py` @ mmdetection v2.28.2:
 * Faster R-CNN R-50-FPN, COCO, 1x schedule (COCO box AP 37.4 in mmdet's model zoo).
 */
import type { DetConfig } from '../../src/config/index.js';

export default {
  _base_: [
    '../_base_/models/faster_rcnn_r50_fpn.ts',
    '../_base_/datasets/coco_detection.ts',
    '../_base_/schedules/schedule_1x.ts',
    '../_base_/default_runtime.ts',
  ],
} satisfies DetConfig;
