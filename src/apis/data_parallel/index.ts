/**
 * @module Data-parallel training over worker threads (`--gpus N`): `MMDataParallel` and its helpers.
 */
export { MMDataParallel, checkGpuIds, replicaImports, replicaModelCfg, type MMDataParallelOptions } from './mm_data_parallel.js';
export { scatterBatch } from './scatter.js';
