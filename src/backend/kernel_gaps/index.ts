/**
 * @module The kernels detkit supplies for the wasm backend, in one explicit list (the tfjs
 * `register_all_kernels.ts` pattern), and the gradients it overrides.
 */
import { getKernel, registerGradient, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch_mat_mul.js';
import { conv2DConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { conv2DBackpropInputConfig } from './conv2d_backprop_input.js';
import { conv2DGradConfig } from './conv2d_grad.js';
import { wrapNumericPads } from './explicit_pad.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise_conv2d_native_backprop_filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise_conv2d_native_backprop_input.js';
import { gatherNdGradConfig } from './gather_nd_grad.js';
import { gatherV2Config } from './gather_v2.js';
import { identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max_pool_grad.js';
import { powConfig } from './pow.js';
import { sliceConfigs } from './slice.js';
import { stridedSliceConfig } from './strided_slice.js';
import { stridedSliceGradConfig } from './strided_slice_grad.js';
import { tileConfig } from './tile.js';
import { unsortedSegmentSumConfig } from './unsorted_segment_sum.js';
import { replacedKernels } from './utils.js';
import { zeroGradConfigs } from './zero_grads.js';

/**
 * Kernels registered for `wasm`. Entries whose name wasm already has replace its kernel:
 * - `Conv2D`: 3×3 stride-1 convs with enough tiles and channels run as Winograd F(2×2, 3×3);
 * - `Conv2DBackpropInput`: wasm's is a scalar loop, ours is an XNNPACK conv (stride 1) or GEMM + col2im (strided);
 * - `MaxPoolGrad`: wasm's drops windows whose values are all negative;
 * - `GatherV2`, `Tile`, `StridedSlice`: wasm's compute an index per element (and its
 *   `StridedSlice` mishandles `shrinkAxisMask` with strides > 1);
 * - `Slice`, `SplitV`, `Unpack`: wasm's make one `TypedArray.set` call per innermost row;
 * - `Pow`: wasm's calls `powf` per element; the usual scalar exponents take `Square` etc.
 * - `Identity`: wasm's copies; ours shares the buffer, so tensors the gradient tape saves are not
 *   held twice.
 */
export const WASM_KERNEL_GAPS: readonly KernelConfig[] = [
  batchMatMulConfig,
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  gatherV2Config,
  identityConfig,
  maxPoolGradConfig,
  powConfig,
  ...sliceConfigs,
  stridedSliceConfig,
  tileConfig,
  unsortedSegmentSumConfig,
];

/**
 * Gradients registered for every backend: the dilation-aware `Conv2D` gradient and the gradients
 * tfjs-core 4.22 lacks for ops detectors differentiate through.
 */
export const GRADIENT_GAPS: readonly GradConfig[] = [conv2DGradConfig, gatherNdGradConfig, stridedSliceGradConfig, ...zeroGradConfigs];

let registered = false;

/**
 * Registers {@link WASM_KERNEL_GAPS} for `wasm` and {@link GRADIENT_GAPS} (all backends), then puts
 * the numeric-pad fix (`explicit_pad.ts`) in front of the conv and pool kernels of cpu and wasm.
 * Idempotent; call before either backend is initialised (kernel setup runs at initialisation).
 */
export function registerKernelGaps(): void {
  if (registered) return;
  registered = true;
  for (const k of WASM_KERNEL_GAPS) {
    const own = getKernel(k.kernelName, k.backendName);
    if (own !== undefined) {
      replacedKernels.set(k.kernelName, own);
      unregisterKernel(k.kernelName, k.backendName);
    }
    registerKernel(k);
  }
  for (const g of GRADIENT_GAPS) registerGradient(g);
  for (const backend of ['cpu', 'wasm']) wrapNumericPads(backend);
}
