/**
 * @module Workload `pipeline-coco-train-2w`: `pipeline-coco-train` with 2 loader worker threads.
 */
import { pipelineWorkload } from './pipeline_coco_train.js';

export default pipelineWorkload('pipeline-coco-train-2w', 2);
