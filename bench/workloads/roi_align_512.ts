/**
 * @module Workload `roi-align-512`: RoIAlign forward of 512 RoIs to 7x7 from a 1x64x64x256 map
 * (torch_bench.py `roi_align_512`: NCHW 1x256x64x64 there, NHWC here), spatial_scale 1/8,
 * sampling_ratio 0, aligned. RoIs `xy ~ U(0, 400)^2`, `wh ~ U(4, 104)^2` (seeded; same
 * distribution as the torch workload). One run = the forward
 * (synchronous: the `[512, 7, 7, 256]` output tensor is complete when `roiAlign` returns; torch's
 * run does not read back either).
 */
import { tf } from '../../src/backend/index.js';
import { roiAlign } from '../../src/ops/index.js';
import { Rng } from '../../src/utils/rng.js';
import type { Workload } from '../workload.js';

interface Ctx {
  feat: tf.Tensor4D;
  rois: tf.Tensor2D;
}

const workload: Workload<Ctx> = {
  name: 'roi-align-512',
  description: 'roi_align fwd, 512 rois -> 7x7 from 1x64x64x256 NHWC, scale 1/8, sampling_ratio 0, aligned',
  warmup: 3,
  runs: 10,
  setup() {
    const rng = new Rng(0);
    const rois = new Float32Array(512 * 5);
    for (let i = 0; i < 512; i++) {
      const x = rng.random() * 400, y = rng.random() * 400;
      rois[i * 5 + 1] = x; rois[i * 5 + 2] = y;
      rois[i * 5 + 3] = x + rng.random() * 100 + 4; rois[i * 5 + 4] = y + rng.random() * 100 + 4;
    }
    return {
      feat: tf.randomNormal([1, 64, 64, 256], 0, 1, 'float32', 0) as tf.Tensor4D,
      rois: tf.tensor2d(rois, [512, 5]),
    };
  },
  run({ feat, rois }) {
    const out = roiAlign(feat, rois, { outputSize: [7, 7], spatialScale: 1 / 8, samplingRatio: 0, aligned: true });
    out.dispose();
  },
  teardown({ feat, rois }) {
    feat.dispose();
    rois.dispose();
  },
};

export default workload;
