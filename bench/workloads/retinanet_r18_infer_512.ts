/**
 * @module Workload `retinanet-r18-infer-512`: the ResNet-18 RetinaNet in eval mode on one random
 * 512×512 image, with its post-processing (top-k, decoding, NMS) (torch_bench.py
 * `retinanet_r18_infer_512`).
 *
 * XNNPACK threads: `DETKIT_WASM_THREADS` (default: the cores idle at start-up; see
 * docs/compute.md). Compare `DETKIT_WASM_THREADS=1` and `=2` back to back.
 */
import type { RetinaNet } from '../../src/models/detectors/single_stage.js';
import type { DetBatch } from '../../src/structures/det_types.js';
import type { Workload } from '../workload.js';
import { benchBatch, benchRetinaNet } from '../retinanet_common.js';

interface Ctx {
  model: RetinaNet;
  batch: DetBatch;
}

const workload: Workload<Ctx> = {
  name: 'retinanet-r18-infer-512',
  description: 'RetinaNet R-18 FPN P3-P7, 20 classes, eval, batch 1 of 512x512, with NMS',
  warmup: 2,
  runs: 5,
  setup() {
    const model = benchRetinaNet();
    model.eval();
    return { model, batch: benchBatch(1) };
  },
  run({ model, batch }) {
    model.simpleTest(batch, true);
  },
  teardown({ model }) {
    model.dispose();
  },
};

export default workload;
