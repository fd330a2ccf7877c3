/**
 * @module Workload `coco-eval-5k`: COCO bbox evaluation of 5,000 images × 100 detections against
 * ~7 gt boxes each (80 categories; data from `tools/gen_coco_bench.ts`, seeded).
 *
 * One run = what a pycocotools user times: `COCO(gt)`, `loadRes(dt)` (from parsed JSON),
 * `COCOeval(...).evaluate()`, `accumulate()`, `summarize()` (printing suppressed).
 * `tools/gen_coco_bench.py` times pycocotools on the same data.
 */
import { COCO } from '../../src/evaluation/coco.js';
import { COCOeval } from '../../src/evaluation/cocoeval.js';
import { generateCocoBench, type BenchDet } from '../../tools/gen_coco_bench.js';
import type { CocoJson } from '../../src/structures/evaluation_types.js';
import type { Workload } from '../workload.js';

interface Ctx {
  gt: CocoJson;
  dt: BenchDet[];
}

const workload: Workload<Ctx> = {
  name: 'coco-eval-5k',
  description: 'COCOeval bbox: 5,000 images x 100 dets vs ~7 gts (80 cats): COCO(), loadRes, evaluate, accumulate, summarize',
  warmup: 1,
  runs: 5,
  setup() {
    return generateCocoBench();
  },
  run({ gt, dt }) {
    const coco = new COCO(gt);
    const E = new COCOeval(coco, coco.loadRes(dt), 'bbox');
    E.evaluate();
    E.accumulate();
    E.summarize(() => {});
  },
};

export default workload;
