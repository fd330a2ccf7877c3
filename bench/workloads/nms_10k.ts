/**
 * @module Workload `nms-10k`: NMS of 10,000 random boxes at IoU 0.5 (torch_bench.py `nms_10k`).
 *
 * Boxes `xy ~ U(0, 1000)^2`, `wh ~ U(1, 101)^2`, scores `U(0, 1)` (seeded; same distribution as
 * the torch workload, not the same draws). One run = `nms(boxes, scores, 0.5)` on typed arrays.
 */
import { nms } from '../../src/ops/index.js';
import { Rng } from '../../src/utils/rng.js';
import type { Workload } from '../workload.js';

interface Ctx {
  boxes: Float32Array;
  scores: Float32Array;
}

const workload: Workload<Ctx> = {
  name: 'nms-10k',
  description: 'nms of 10,000 random boxes (xy U(0,1000), wh U(1,101)) at IoU 0.5',
  warmup: 3,
  runs: 10,
  setup() {
    const rng = new Rng(0);
    const n = 10000;
    const boxes = new Float32Array(n * 4);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = rng.random() * 1000, y = rng.random() * 1000;
      boxes[i * 4] = x; boxes[i * 4 + 1] = y;
      boxes[i * 4 + 2] = x + rng.random() * 100 + 1; boxes[i * 4 + 3] = y + rng.random() * 100 + 1;
      scores[i] = rng.random();
    }
    return { boxes, scores };
  },
  run({ boxes, scores }) {
    nms(boxes, scores, 0.5);
  },
};

export default workload;
