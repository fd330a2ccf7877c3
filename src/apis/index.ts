/**
 * @module The high-level API (mmdet `mmdet/apis`): training, testing, and mmdet's own hooks that need
 * both models and datasets (registered in HOOKS here).
 */
import { HOOKS } from '../registry/root.js';
import { CheckInvalidLossHook, type CheckInvalidLossHookConfig } from './hooks/check_invalid_loss_hook.js';
import { NumClassCheckHook, type NumClassCheckHookConfig } from './hooks/num_class_check_hook.js';

declare module '../registry/root.js' {
  interface HookTypes {
    NumClassCheckHook: NumClassCheckHookConfig;
    CheckInvalidLossHook: CheckInvalidLossHookConfig;
  }
}

for (const H of [NumClassCheckHook, CheckInvalidLossHook]) HOOKS.register(H.type, H);

export { NumClassCheckHook, CheckInvalidLossHook };
export { trainDetector, autoScaleLr, type TrainConfig, type TrainDetectorOptions } from './train.js';
export { trainFromConfig, buildDetector, type TrainMainOptions } from './train_main.js';
export { MMDataParallel, checkGpuIds, replicaImports, replicaModelCfg, scatterBatch, type MMDataParallelOptions } from './data_parallel/index.js';
export { singleGpuTest, type SingleGpuTestOptions, type TestableDetector } from './test.js';
export { initRandomSeed } from './seed.js';
export { initDetector, inferenceDetector, loadConfig, type InitializedDetector, type InitDetectorOptions } from './inference.js';
export { showResult, flattenResult, type ShowResultOptions } from './show_result.js';
export { testFromConfig, dumpResults, loadResults, resultsToJson, formatMetricDict, type TestMainOptions, type TestMainResult } from './test_tool.js';
export { loadJsonLogs, calTrainTime, formatTrainTime, curvesOf, plotCurves, type LogDict, type EpochLog, type TrainTimeStats, type Curve } from './analyze_logs.js';
export { benchmark, NUM_WARMUP, type BenchmarkOptions, type BenchmarkResult } from './benchmark.js';
export { calculateConfusionMatrix, analyzePerImgDets, normalizeConfusionMatrix, formatConfusionMatrix, plotConfusionMatrix, type ConfusionDataset, type ConfusionMatrixOptions } from './confusion_matrix.js';
