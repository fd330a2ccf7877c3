/**
 * @module detkit's fused normalisation kernels and their gradients, for the cpu and wasm backends,
 * and the ops that call them.
 *
 * A training-mode `BatchNorm2d`/`GroupNorm` composed of tfjs ops runs about ten full-size kernels
 * forward and fifteen backward, each allocating a new tensor, and the tape keeps five of them per
 * layer until backward. Here the forward is one kernel (two passes: statistics, output) that saves
 * only its input and the `[C]`/`[N·G]` statistics, and the backward one kernel (two passes). The
 * optional ReLU is fused too (its mask is recomputed from the saved input, no extra tensor).
 * Kernels (arithmetic in `norm_math.ts`):
 * - `DetkitNormTrain` `{x, gamma, beta}` → `[y, mean, variance]`, attrs `{eps, groups, relu}`;
 *   gradient `DetkitNormTrainGrad` `{dy, x, mean, variance, gamma, beta}` → `[dx, dgamma, dbeta]`.
 * - `DetkitNormInfer` `{x, mean, variance, gamma, beta}` → `y` (batch norm with given statistics,
 *   e.g. eval mode); gradient `DetkitNormInferGrad` → `[dx, dgamma, dbeta, dmean, dvar]`.
 * - `DetkitNormInferGradX` `{dy, variance, gamma, y?}` → `dx`, attrs `{eps, relu}`: the gradient in
 *   `x` alone when statistics and affine parameters are constants (frozen BN, `fusedNormInfer`'s
 *   `constantParams`), from the output `y` (ReLU mask) instead of `x`. That op keeps `y` (which the
 *   next conv keeps anyway: tfjs shares the buffer) or, without ReLU, no map at all: PyTorch's
 *   FrozenBatchNorm2d keeps no input either. 50 MB of the 312 MB of activations the tape kept
 *   at the end of a ResNet-18 RetinaNet forward at 512×512 (one image) were frozen BNs' inputs.
 * On wasm they read and write views of the wasm heap; on cpu the backend's arrays.
 *
 * Porting note: `DetkitNormTrain`'s gradient ignores gradients flowing into its `mean`/`variance`
 * outputs (they feed only the running statistics, which the loss never sees).
 */
import { customGrad, engine, op, registerGradient, registerKernel } from '@tensorflow/tfjs-core';
import type { GradConfig, GradSaveFunc, KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, Tensor, Tensor1D, Tensor4D, TensorInfo } from '@tensorflow/tfjs-core';
import { ValueError } from '../../utils/errors.js';
import { runJsKernel, type NumericArray } from './js_kernel.js';
import { normApply, normBackward, normInferBackwardX, normStats, statCount, type NormDims } from './norm_math.js';

/** Kernel names. */
export const NORM_TRAIN = 'DetkitNormTrain';
export const NORM_TRAIN_GRAD = 'DetkitNormTrainGrad';
export const NORM_INFER = 'DetkitNormInfer';
export const NORM_INFER_GRAD = 'DetkitNormInferGrad';
export const NORM_INFER_GRAD_X = 'DetkitNormInferGradX';

/** Attributes of the fused norm kernels. */
interface NormAttrs {
  eps: number;
  /** 0 = batch norm; G = group norm with G groups (train kernels only). */
  groups: number;
  relu: boolean;
}

/** {@link runJsKernel} for float32 tensors only. */
function runJs(backend: KernelBackend, inputs: TensorInfo[], outShapes: number[][], compute: (ins: Float32Array[], outs: Float32Array[]) => void): TensorInfo[] {
  for (const t of inputs) if (t.dtype !== 'float32') throw new ValueError('NN_BAD_INPUT', `fused norm expects float32 tensors, got ${t.dtype}`);
  return runJsKernel(backend, inputs, outShapes.map((shape) => ({ shape })), compute as (ins: NumericArray[], outs: Float32Array[]) => void);
}

function dimsOf(x: TensorInfo, groups: number): NormDims {
  const [n, h, w, c] = x.shape;
  return { n, hw: h * w, c, groups };
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: NamedAttrMap };

function normTrainKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const { eps, groups, relu } = attrs as unknown as NormAttrs;
  const d = dimsOf(x, groups);
  const s = statCount(d);
  return runJs(backend, [x, gamma, beta], [x.shape, [s], [s]], ([xv, g, b], [y, mean, variance]) => {
    normStats(xv, d, mean, variance);
    normApply(xv, d, mean, variance, g, b, eps, relu, y);
  });
}

function normTrainGradKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, mean, variance, gamma, beta } = inputs;
  const { eps, groups, relu } = attrs as unknown as NormAttrs;
  const d = dimsOf(x, groups);
  return runJs(backend, [dy, x, mean, variance, gamma, beta], [x.shape, gamma.shape, gamma.shape], ([dyv, xv, m, v, g, b], [dx, dg, db]) =>
    normBackward(dyv, xv, d, m, v, g, b, eps, relu, true, dx, dg, db),
  );
}

function normInferKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, mean, variance, gamma, beta } = inputs;
  const { eps, relu } = attrs as unknown as NormAttrs;
  const d = dimsOf(x, 0);
  return runJs(backend, [x, mean, variance, gamma, beta], [x.shape], ([xv, m, v, g, b], [y]) => normApply(xv, d, m, v, g, b, eps, relu, y))[0];
}

function normInferGradKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, mean, variance, gamma, beta } = inputs;
  const { eps, relu } = attrs as unknown as NormAttrs;
  const d = dimsOf(x, 0);
  const c = [d.c];
  return runJs(backend, [dy, x, mean, variance, gamma, beta], [x.shape, c, c, c, c], ([dyv, xv, m, v, g, b], [dx, dg, db, dm, dv]) =>
    normBackward(dyv, xv, d, m, v, g, b, eps, relu, false, dx, dg, db, [dm, dv]),
  );
}

function normInferGradXKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, variance, gamma, y } = inputs;
  const { eps, relu } = attrs as unknown as NormAttrs;
  const d = dimsOf(dy, 0);
  const ins = y === undefined ? [dy, variance, gamma] : [dy, variance, gamma, y];
  return runJs(backend, ins, [dy.shape], ([dyv, v, g, yv], [dx]) => normInferBackwardX(dyv, yv ?? null, d, v, g, eps, relu, dx))[0];
}

/** The fused norm kernels, each for cpu and wasm. */
export const FUSED_NORM_KERNELS: readonly KernelConfig[] = (['cpu', 'wasm'] as const).flatMap((backendName) =>
  (
    [
      [NORM_TRAIN, normTrainKernel],
      [NORM_TRAIN_GRAD, normTrainGradKernel],
      [NORM_INFER, normInferKernel],
      [NORM_INFER_GRAD, normInferGradKernel],
      [NORM_INFER_GRAD_X, normInferGradXKernel],
    ] as const
  ).map(([kernelName, f]) => ({ kernelName, backendName, kernelFunc: f as unknown as KernelFunc })),
);

const run = (name: string, inputs: Record<string, Tensor>, attrs: NormAttrs): Tensor[] =>
  engine().runKernel(name, inputs as never, attrs as unknown as NamedAttrMap) as unknown as Tensor[];

/** Gradients of the fused norm kernels (every backend). */
export const FUSED_NORM_GRADIENTS: readonly GradConfig[] = [
  {
    kernelName: NORM_TRAIN,
    inputsToSave: ['x', 'gamma', 'beta'],
    outputsToSave: [false, true, true],
    gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, gamma, beta, mean, variance] = saved;
      const [dx, dgamma, dbeta] = run(NORM_TRAIN_GRAD, { dy, x, mean, variance, gamma, beta }, attrs as unknown as NormAttrs);
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  },
  {
    kernelName: NORM_INFER,
    inputsToSave: ['x', 'mean', 'variance', 'gamma', 'beta'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x, mean, variance, gamma, beta] = saved;
      const g = Array.isArray(dy) ? dy[0] : dy;
      const [dx, dgamma, dbeta, dmean, dvar] = run(NORM_INFER_GRAD, { dy: g, x, mean, variance, gamma, beta }, attrs as unknown as NormAttrs);
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta, mean: () => dmean, variance: () => dvar };
    },
  },
];

let registered = false;

/** Registers {@link FUSED_NORM_KERNELS} and {@link FUSED_NORM_GRADIENTS}. Idempotent. */
export function registerFusedNorms(): void {
  if (registered) return;
  registered = true;
  for (const k of FUSED_NORM_KERNELS) registerKernel(k);
  for (const g of FUSED_NORM_GRADIENTS) registerGradient(g);
}

/** Result of {@link fusedNormTrain}. */
export interface FusedNormTrainResult {
  /** `[N, H, W, C]` normalised (and ReLU'd) output. */
  y: Tensor4D;
  /** `[C]` (batch norm) or `[N·G]` (group norm, sample-major) batch means. */
  mean: Tensor1D;
  /** Same shape as `mean`: biased batch variances. */
  variance: Tensor1D;
}

/**
 * Training-mode batch norm (`groups: 0`) or group norm (`groups: G`) of NHWC `x` with its own
 * statistics, then `·gamma + beta` and optionally ReLU, as one kernel with a hand-written gradient.
 * @param x `[N, H, W, C]` float32
 * @param gamma `[C]` scale (pass ones for a non-affine norm)
 * @param beta `[C]` shift (pass zeros for a non-affine norm)
 * @returns output and statistics (owned by the caller)
 * @throws ValueError `NN_BAD_INPUT` for a rank other than 4, `C` not divisible by `groups`, or
 *   `gamma`/`beta` not `[C]`
 * @example const { y, mean, variance } = fusedNormTrain(x, w, b, { eps: 1e-5, groups: 0, relu: true });
 */
export function fusedNormTrain(x: Tensor4D, gamma: Tensor1D, beta: Tensor1D, opts: { eps: number; groups: number; relu?: boolean }): FusedNormTrainResult {
  checkArgs(x, gamma, beta, opts.groups);
  const [y, mean, variance] = run(NORM_TRAIN, { x, gamma, beta }, { eps: opts.eps, groups: opts.groups, relu: opts.relu ?? false });
  return { y: y as Tensor4D, mean: mean as Tensor1D, variance: variance as Tensor1D };
}

/** Options of {@link fusedNormInfer}. */
export interface FusedNormInferOptions {
  eps: number;
  /** Apply ReLU to the output. Default false. */
  relu?: boolean;
  /**
   * `mean`, `variance`, `gamma` and `beta` are constants (frozen BN: running statistics and affine
   * parameters that need no gradient). The op is then differentiable in `x` only, and its backward
   * keeps the output (with `relu`) or no map instead of `x`. Default false.
   */
  constantParams?: boolean;
}

/**
 * Batch norm of NHWC `x` with given per-channel statistics (eval mode), `·gamma + beta`, optional
 * ReLU, as one kernel; differentiable in `x`, `gamma`, `beta`, `mean` and `variance` (in `x` only
 * with `constantParams`).
 * @param mean `[C]` @param variance `[C]` (the running statistics)
 * @returns `[N, H, W, C]` (owned by the caller)
 * @throws ValueError `NN_BAD_INPUT` as {@link fusedNormTrain}
 */
export function fusedNormInfer(x: Tensor4D, mean: Tensor1D, variance: Tensor1D, gamma: Tensor1D, beta: Tensor1D, opts: FusedNormInferOptions): Tensor4D {
  checkArgs(x, gamma, beta, 0);
  checkArgs(x, mean, variance, 0);
  const attrs: NormAttrs = { eps: opts.eps, groups: 0, relu: opts.relu ?? false };
  const params = { x, mean, variance, gamma, beta };
  if (opts.constantParams !== true) return engine().runKernel(NORM_INFER, params as never, attrs as unknown as NamedAttrMap) as unknown as Tensor4D;
  return frozenNorm(x, mean, variance, gamma, beta, attrs);
}

/** {@link frozenNormOp} in a `tf.op` scope (`frozenBatchNorm__op`), as tfjs' own custom-gradient ops. */
const frozenNorm = op({ frozenBatchNorm_: frozenNormOp });

/** {@link fusedNormInfer} with constant parameters: a `customGrad` op whose only input is `x`. */
function frozenNormOp(x: Tensor4D, mean: Tensor1D, variance: Tensor1D, gamma: Tensor1D, beta: Tensor1D, attrs: NormAttrs): Tensor4D {
  const op = customGrad((...args: unknown[]) => {
    const [xIn, save] = args as [Tensor4D, GradSaveFunc];
    const y = engine().runKernel(NORM_INFER, { x: xIn, mean, variance, gamma, beta } as never, attrs as unknown as NamedAttrMap) as unknown as Tensor4D;
    // The parameters are saved too (small; tfjs shares their buffers), so the backward never reads
    // a tensor its caller has disposed since.
    save(attrs.relu ? [variance, gamma, y] : [variance, gamma]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [v, g, ys] = saved;
        const inputs = ys === undefined ? { dy, variance: v, gamma: g } : { dy, variance: v, gamma: g, y: ys };
        return engine().runKernel(NORM_INFER_GRAD_X, inputs as never, attrs as unknown as NamedAttrMap) as unknown as Tensor;
      },
    };
  });
  return op(x) as Tensor4D;
}

function checkArgs(x: Tensor, a: Tensor, b: Tensor, groups: number): void {
  const c = x.shape[3];
  if (x.rank !== 4) throw new ValueError('NN_BAD_INPUT', `fused norm expects x [N, H, W, C], got [${x.shape.join(', ')}]`);
  if (a.rank !== 1 || a.shape[0] !== c || b.rank !== 1 || b.shape[0] !== c) {
    throw new ValueError('NN_BAD_INPUT', `fused norm expects per-channel [${c}] parameters, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  if (groups < 0 || !Number.isInteger(groups) || (groups > 0 && c % groups !== 0)) {
    throw new ValueError('NN_BAD_INPUT', `fused norm: ${c} channels cannot be split into ${groups} groups`);
  }
}
