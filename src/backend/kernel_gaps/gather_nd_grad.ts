/**
 * @module The `GatherNd` gradient, missing in tfjs-core 4.22: the output gradient is scattered
 * back (and summed where indices repeat) to the gathered positions, `scatterND(indices, dy, x.shape)`.
 */
import { GatherNd, scatterND, zerosLike } from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

/** Gradient config for `GatherNd` (all backends); `indices` gets a zero gradient. */
export const gatherNdGradConfig: GradConfig = {
  kernelName: GatherNd,
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [params, indices] = saved as [Tensor, Tensor];
    return {
      params: () => scatterND(indices, dy as Tensor, params.shape),
      indices: () => zerosLike(indices),
    };
  },
};
