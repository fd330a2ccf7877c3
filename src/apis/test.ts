/**
 * @module Port of `mmdet/apis/test.py` (`single_gpu_test`) @ v2.28.2.
 *
 * Batches with several test-time augmentations (`DetBatch.augs`, from a MultiScaleFlipAug with
 * several scales or flips) go to `model.augTest`, others to `model.simpleTest` (mmdet `forward_test`).
 */
import { ProgressBar } from '../engine/logging/progress_bar.js';
import type { DataLoaderLike } from '../engine/types.js';
import type { DetBatch, DetResult } from '../structures/det_types.js';
import { DetkitError } from '../utils/errors.js';

/** A model that detects (every detkit detector). */
export interface TestableDetector {
  simpleTest(batch: DetBatch, rescale?: boolean): DetResult[];
  /** Merges test-time augmentations (mmdet `aug_test`); called when a batch carries several (`DetBatch.augs`). */
  augTest?(augs: DetBatch[], rescale?: boolean): DetResult[];
  eval(): unknown;
  train(mode?: boolean): unknown;
  readonly training: boolean;
}

/**
 * mmdet `forward_test`: `aug_test` when the test pipeline made several augmentations of each image
 * (`batch.augs`), else `simple_test`; boxes rescaled to the original images.
 * @throws DetkitError `MODEL_TTA_UNSUPPORTED` for several augmentations and a model without `augTest`
 */
export function forwardTest(model: TestableDetector, batch: DetBatch): DetResult[] {
  const augs = batch.augs;
  if (augs === undefined || augs.length <= 1) return model.simpleTest(batch, true);
  if (model.augTest === undefined) {
    throw new DetkitError('MODEL_TTA_UNSUPPORTED', 'the model has no aug_test but the test pipeline makes several augmentations (MultiScaleFlipAug)', {
      hint: "use one img_scale and flip=False in the test pipeline's MultiScaleFlipAug",
    });
  }
  return model.augTest(augs, true);
}

/** Options of {@link singleGpuTest}. */
export interface SingleGpuTestOptions {
  /** Show a progress bar (TTY) or periodic progress lines. Default true. */
  progress?: boolean;
  /** Number of images, for the progress bar. */
  total?: number;
  /** Called with each batch and its results (drawing, saving). */
  onBatch?: (batch: DetBatch, results: DetResult[]) => void | Promise<void>;
}

/**
 * Runs the model over a (sequential) loader and returns one result per image, in loader order
 * (mmdet `single_gpu_test` with `rescale=True`). The model's train/eval mode is restored afterwards.
 */
export async function singleGpuTest(model: TestableDetector, loader: DataLoaderLike<DetBatch>, options: SingleGpuTestOptions = {}): Promise<DetResult[]> {
  const wasTraining = model.training;
  model.eval();
  const results: DetResult[] = [];
  const bar = options.progress === false ? null : new ProgressBar(options.total ?? loader.length, { label: 'test ' });
  try {
    for await (const batch of loader) {
      const res = forwardTest(model, batch);
      results.push(...res);
      if (options.onBatch !== undefined) await options.onBatch(batch, res);
      bar?.update(batch.samples.length);
    }
  } finally {
    if (wasTraining) model.train();
  }
  return results;
}
