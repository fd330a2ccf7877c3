/**
 * @module Port of `configs/mask_rcnn/mask_rcnn_r50_fpn_1x_coco.py` @ mmdetection v2.28.2:
 * Mask R-CNN R-50-FPN, COCO instances, 1x schedule (box AP 38.2, mask AP 34.7 in mmdet's model zoo).
 */
import type { DetConfig } from '../../src/config/index.js';

export default {
  _base_: [
    '../_base_/models/mask_rcnn_r50_fpn.ts',
    '../_base_/datasets/coco_instance.ts',
    '../_base_/schedules/schedule_1x.ts',
    '../_base_/default_runtime.ts',
  ],
} satisfies DetConfig;
