/**
 * @module The sigmoid focal loss as one fused kernel with a hand-written gradient, for the cpu and
 * wasm backends (mmcv's `sigmoid_focal_loss` is a fused CUDA op too).
 *
 * Per element, with `p = σ(x)`, target `t`, `pt = (1−p)·t + p·(1−t)`, `a = α·t + (1−α)·(1−t)`:
 * `ℓ = w · bce · a · pt^γ` where `bce = max(x, 0) − x·t + log1p(e^−|x|)` — the expression of
 * mmdet's `py_sigmoid_focal_loss` (which detkit's composite version used), computed in float64.
 * Gradient: `∂ℓ/∂x = w · a · [(p − t)·pt^γ + bce · γ·pt^(γ−1) · (1 − 2t)·p·(1 − p)]`, and
 * `∂ℓ/∂w = bce · a · pt^γ`.
 * Kernels:
 * - `DetkitSigmoidFocalLoss` `{pred [N,C], target ([N] int32 labels, C = background; or [N,C]
 *   float), weight ([1] unused, [N] per row, or [N,C])}` → `[N,C]` losses, or their sum (a
 *   scalar) when `reduce`; attrs `{gamma, alpha, weightMode: 0|1|2, reduce}`.
 * - `DetkitSigmoidFocalLossGrad` `{dy, pred, target, weight}` → the gradient of `pred` or
 *   (attr `wrt: 'weight'`) of `weight`; each runs only when the tape asks for that input.
 */
import { engine, registerGradient, registerKernel, util } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { ValueError } from '../../utils/errors.js';
import { runJsKernel, type NumericArray } from './js_kernel.js';

/** Kernel names. */
export const SIGMOID_FOCAL_LOSS = 'DetkitSigmoidFocalLoss';
export const SIGMOID_FOCAL_LOSS_GRAD = 'DetkitSigmoidFocalLossGrad';

interface FocalAttrs {
  gamma: number;
  alpha: number;
  /** 0: no weight; 1: `[N]` per row; 2: `[N, C]`. */
  weightMode: number;
  reduce: boolean;
  /** Gradient kernel only: which input's gradient to compute. */
  wrt?: 'pred' | 'weight';
}

/** Per-element pieces shared by forward and backward (float64), from one `exp` and one `log1p`. */
interface Terms {
  p: number;
  pt: number;
  a: number;
  ptg: number;
  bce: number;
}

function terms(x: number, t: number, gamma: number, alpha: number, out: Terms): void {
  const e = Math.exp(-Math.abs(x));
  const p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
  const pt = (1 - p) * t + p * (1 - t);
  out.p = p;
  out.pt = pt;
  out.a = alpha * t + (1 - alpha) * (1 - t);
  out.ptg = gamma === 2 ? pt * pt : Math.pow(pt, gamma);
  out.bce = Math.max(x, 0) - x * t + Math.log1p(e);
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: NamedAttrMap };

/** Target of element `(r, k)`: from labels (`label[r] === k`) or the `[N, C]` array. */
const targetAt = (target: NumericArray, labels: boolean, r: number, k: number, i: number): number => (labels ? (target[r] === k ? 1 : 0) : target[i]);

/** Weight of element `(r, k)` under `weightMode`. */
const weightAt = (weight: NumericArray, mode: number, r: number, i: number): number => (mode === 0 ? 1 : mode === 1 ? weight[r] : weight[i]);

function focalKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { pred, target, weight } = inputs;
  const { gamma, alpha, weightMode, reduce } = attrs as unknown as FocalAttrs;
  const [n, c] = pred.shape;
  const labels = target.shape.length === 1;
  return runJsKernel(backend, [pred, target, weight], [{ shape: reduce ? [] : [n, c] }], ([x, t, w], [out]) => {
    const tm: Terms = { p: 0, pt: 0, a: 0, ptg: 0, bce: 0 };
    let sum = 0;
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < c; k++) {
        const i = r * c + k;
        terms(x[i], targetAt(t, labels, r, k, i), gamma, alpha, tm);
        const l = weightAt(w, weightMode, r, i) * tm.bce * tm.a * tm.ptg;
        if (reduce) sum += l;
        else out[i] = l;
      }
    }
    if (reduce) out[0] = sum;
  })[0];
}

function focalGradKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, pred, target, weight } = inputs;
  const { gamma, alpha, weightMode, reduce, wrt } = attrs as unknown as FocalAttrs;
  const [n, c] = pred.shape;
  const labels = target.shape.length === 1;
  const outShape = wrt === 'weight' ? weight.shape : pred.shape;
  return runJsKernel(backend, [dy, pred, target, weight], [{ shape: outShape }], ([g, x, t, w], [out]) => {
    const tm: Terms = { p: 0, pt: 0, a: 0, ptg: 0, bce: 0 };
    if (wrt === 'weight') out.fill(0);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < c; k++) {
        const i = r * c + k;
        const tv = targetAt(t, labels, r, k, i);
        const dyv = reduce ? g[0] : g[i];
        terms(x[i], tv, gamma, alpha, tm);
        if (wrt === 'weight') {
          out[weightMode === 2 ? i : r] += dyv * tm.bce * tm.a * tm.ptg;
          continue;
        }
        const { p, pt } = tm;
        const dptg = gamma === 0 ? 0 : gamma === 2 ? 2 * pt : gamma * Math.pow(pt, gamma - 1);
        out[i] = dyv * weightAt(w, weightMode, r, i) * tm.a * ((p - tv) * tm.ptg + tm.bce * dptg * (1 - 2 * tv) * p * (1 - p));
      }
    }
  })[0];
}

/** The focal-loss kernels, each for cpu and wasm. */
export const FOCAL_LOSS_KERNELS: readonly KernelConfig[] = (['cpu', 'wasm'] as const).flatMap((backendName) => [
  { kernelName: SIGMOID_FOCAL_LOSS, backendName, kernelFunc: focalKernel as unknown as KernelFunc },
  { kernelName: SIGMOID_FOCAL_LOSS_GRAD, backendName, kernelFunc: focalGradKernel as unknown as KernelFunc },
]);

/** Gradient of `DetkitSigmoidFocalLoss` (every backend). */
export const FOCAL_LOSS_GRADIENT: GradConfig = {
  kernelName: SIGMOID_FOCAL_LOSS,
  inputsToSave: ['pred', 'target', 'weight'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [pred, target, weight] = saved;
    const g = Array.isArray(dy) ? dy[0] : dy;
    const grad = (wrt: 'pred' | 'weight') => () =>
      engine().runKernel(SIGMOID_FOCAL_LOSS_GRAD, { dy: g, pred, target, weight } as never, { ...attrs, wrt } as never) as Tensor;
    return {
      pred: grad('pred'),
      weight: grad('weight'),
      target: () => {
        throw new ValueError('OPS_BAD_ARGUMENT', 'sigmoid_focal_loss: targets are not differentiable (detach them)');
      },
    };
  },
};

let registered = false;

/** Registers {@link FOCAL_LOSS_KERNELS} and {@link FOCAL_LOSS_GRADIENT}. Idempotent. */
export function registerFusedFocalLoss(): void {
  if (registered) return;
  registered = true;
  for (const k of FOCAL_LOSS_KERNELS) registerKernel(k);
  registerGradient(FOCAL_LOSS_GRADIENT);
}

/**
 * Elementwise sigmoid focal loss (or its sum) in one kernel with a hand-written gradient.
 * @param pred `[N, C]` float32 logits
 * @param target `[N]` int32 labels (`C` or any value outside `[0, C)`: all-zero target row) or
 *   `[N, C]` float32 targets
 * @param weight undefined, `[N]` or `[N, C]` float32 loss weights
 * @param opts `gamma`, `alpha`; `reduce`: return the scalar sum instead of `[N, C]`
 * @returns `[N, C]` or scalar float32 (owned by the caller)
 * @throws ValueError `OPS_BAD_SHAPE` when shapes or dtypes do not fit
 */
export function fusedSigmoidFocalLoss(pred: Tensor, target: Tensor, weight: Tensor | undefined, opts: { gamma: number; alpha: number; reduce: boolean }): Tensor {
  const [n, c] = pred.shape;
  const ok = pred.rank === 2 && pred.dtype === 'float32'
    && (target.rank === 1 ? target.shape[0] === n && target.dtype === 'int32' : util.arraysEqual(target.shape, pred.shape) && target.dtype === 'float32')
    && (weight === undefined || (weight.dtype === 'float32' && weight.shape[0] === n && (weight.size === n || weight.size === n * c)));
  if (!ok) {
    throw new ValueError('OPS_BAD_SHAPE', `fused sigmoid focal loss: pred [N, C] float32, target [N] int32 or [N, C] float32, weight [N] or [N, C]; got pred [${pred.shape}] ${pred.dtype}, target [${target.shape}] ${target.dtype}${weight === undefined ? '' : `, weight [${weight.shape}]`}`);
  }
  const weightMode = weight === undefined ? 0 : weight.size === n && c !== 1 ? 1 : 2;
  const attrs: FocalAttrs = { gamma: opts.gamma, alpha: opts.alpha, weightMode, reduce: opts.reduce };
  if (weight !== undefined) return engine().runKernel(SIGMOID_FOCAL_LOSS, { pred, target, weight } as never, attrs as never) as Tensor;
  const none = engine().makeTensor(new Float32Array(1), [1], 'float32') as Tensor;
  try {
    return engine().runKernel(SIGMOID_FOCAL_LOSS, { pred, target, weight: none } as never, attrs as never) as Tensor;
  } finally {
    none.dispose();
  }
}
