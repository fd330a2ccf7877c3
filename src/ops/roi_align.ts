/**
 * @module Port of `mmcv/ops/roi_align.py` (`RoIAlign`, `roi_align`, pool_mode `'avg'`) @ mmcv v1.7.1.
 *
 * Same sampling as mmcv's and torchvision's CPU kernels (`roi_align_cpu.cpp`): each output bin
 * averages `grid_h x grid_w` bilinear samples (`sampling_ratio`, or `ceil(roi_size / output_size)`
 * when it is 0); `aligned=true` shifts the RoI by -0.5 pixel (pixel centres at +0.5). Features are
 * NHWC, so the inner loops run over contiguous channels.
 *
 * Porting note: the kernel works on typed arrays (JS for the sampling plan, a small WebAssembly
 * SIMD loop for the weighted channel sums, see `weighted_rows.ts`) run through `tf.customGrad`,
 * with a real backward that scatters the bilinear weights back onto the feature map, so it runs
 * and trains on every backend, including wasm, which has no `CropAndResize` gradient.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import { checkShape } from './utils.js';
import { weightedRowSums, type RowEntries } from './weighted_rows.js';

/** Options of {@link roiAlign} (mmcv `RoIAlign` arguments, camelCase). */
export interface RoIAlignOptions {
  /** `[ph, pw]` bins per RoI, or one number for a square output. */
  outputSize: number | readonly [number, number];
  /** Feature-map pixels per image pixel (`1 / stride`). Default 1. */
  spatialScale?: number;
  /** Samples per bin along each axis; 0 = adaptive `ceil(roi_size / output_size)`. Default 0. */
  samplingRatio?: number;
  /** Half-pixel offset (mmcv default true; false reproduces the legacy Detectron behaviour). */
  aligned?: boolean;
  /** Only `'avg'` is implemented. Default `'avg'`. */
  poolMode?: 'avg' | 'max';
}

/**
 * Bilinear weights of one RoI along one axis, summed per bin: bin `p` reads pixels
 * `idx[start[p] .. start[p + 1])` with weights `w[...]` (already divided by the samples per bin).
 * The kernel's weights are separable (`w1 = hy * hx`, ...; a sample outside the map drops out
 * along either axis), so a bin's weight on pixel `(y, x)` is `wy(y) * wx(x)` and the sampling
 * cost per bin is (unique rows) x (unique cols) instead of 4 x samples.
 */
interface AxisWeights {
  start: Int32Array;
  idx: Int32Array;
  w: Float64Array;
}

/** Sums the sample weights of each bin along one axis (mmcv `bilinear_interpolate` + `pre_calc`). */
function axisWeights(start: number, binSize: number, bins: number, grid: number, size: number): AxisWeights {
  const idx: number[] = [];
  const w: number[] = [];
  const starts = new Int32Array(bins + 1);
  for (let p = 0; p < bins; p++) {
    starts[p] = idx.length;
    const add = (i: number, v: number): void => {
      for (let e = starts[p]!; e < idx.length; e++) {
        if (idx[e] === i) {
          w[e] += v;
          return;
        }
      }
      idx.push(i);
      w.push(v);
    };
    for (let i = 0; i < grid; i++) {
      let v = start + p * binSize + ((i + 0.5) * binSize) / grid;
      if (v < -1 || v > size) continue;
      if (v <= 0) v = 0;
      let lo = Math.floor(v);
      let hi: number;
      if (lo >= size - 1) {
        hi = lo = size - 1;
        v = lo;
      } else {
        hi = lo + 1;
      }
      const l = v - lo;
      add(lo, (1 - l) / grid);
      add(hi, l / grid);
    }
  }
  starts[bins] = idx.length;
  return { start: starts, idx: Int32Array.from(idx), w: Float64Array.from(w) };
}

interface RoiPlan {
  /** Index of the feature map (level) the RoI is pooled from. */
  level: number;
  batch: number;
  ys: AxisWeights;
  xs: AxisWeights;
}

/**
 * Checks the RoIs and computes each one's sampling weights on its level's map.
 * @param levels level of each RoI (index into `shapes` and `scales`)
 */
function planRois(
  rois: Float32Array, k: number, levels: ArrayLike<number>, shapes: Array<[number, number, number, number]>, ph: number, pw: number,
  scales: number[], samplingRatio: number, aligned: boolean,
): RoiPlan[] {
  const b = shapes[0]![0];
  const offset = aligned ? 0.5 : 0;
  const plans: RoiPlan[] = [];
  for (let r = 0; r < k; r++) {
    const level = levels[r]!;
    const [, h, w] = shapes[level]!;
    const scale = scales[level]!;
    const batch = rois[r * 5]!;
    if (!(Number.isInteger(batch) && batch >= 0 && batch < b)) {
      throw new ValueError('OPS_BAD_ROI', `roi_align(rois[${r}]): expected a batch index in [0, ${b - 1}], got ${batch}.`);
    }
    const x1 = rois[r * 5 + 1]! * scale - offset, y1 = rois[r * 5 + 2]! * scale - offset;
    let rw = rois[r * 5 + 3]! * scale - offset - x1;
    let rh = rois[r * 5 + 4]! * scale - offset - y1;
    if (aligned) {
      if (!(rw >= 0 && rh >= 0)) {
        throw new ValueError('OPS_BAD_ROI', `roi_align(rois[${r}]): expected x2 >= x1 and y2 >= y1, got [${
          Array.from(rois.subarray(r * 5 + 1, r * 5 + 5)).join(', ')}].`, { hint: 'ROIs in ROIAlign cannot have negative size' });
      }
    } else {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const gh = samplingRatio > 0 ? samplingRatio : Math.ceil(rh / ph);
    const gw = samplingRatio > 0 ? samplingRatio : Math.ceil(rw / pw);
    plans.push({ level, batch, ys: axisWeights(y1, rh / ph, ph, gh, h), xs: axisWeights(x1, rw / pw, pw, gw, w) });
  }
  return plans;
}

/**
 * Lists every (output bin, feature pixel, weight) triple of the RoIs: `dst` = offset of the bin in
 * the `[K, ph, pw, C]` output, `src` = offset of the pixel in the levels' `[B, H, W, C]` maps laid
 * end to end (level `l` starts at `bases[l]`).
 */
function binEntries(plans: RoiPlan[], shapes: Array<[number, number, number, number]>, bases: number[], ph: number, pw: number): RowEntries {
  const c = shapes[0]![3];
  let n = 0;
  for (const { ys, xs } of plans) n += ys.idx.length * xs.idx.length;
  const dst = new Int32Array(n), src = new Int32Array(n), wt = new Float32Array(n);
  let e = 0;
  for (let r = 0; r < plans.length; r++) {
    const { level, batch, ys, xs } = plans[r]!;
    const [, h, w] = shapes[level]!;
    const base = bases[level]! / c + batch * h * w;
    for (let py = 0; py < ph; py++) {
      for (let px = 0; px < pw; px++) {
        const o = ((r * ph + py) * pw + px) * c;
        for (let ey = ys.start[py]!; ey < ys.start[py + 1]!; ey++) {
          const row = base + ys.idx[ey]! * w;
          for (let ex = xs.start[px]!; ex < xs.start[px + 1]!; ex++) {
            dst[e] = o;
            src[e] = (row + xs.idx[ex]!) * c;
            wt[e++] = ys.w[ey]! * xs.w[ex]!;
          }
        }
      }
    }
  }
  return { dst, src, w: wt, n: e };
}

/**
 * RoIAlign (mmcv `roi_align`, pool_mode `'avg'`): bilinear-sampled average pooling of each RoI
 * into a fixed grid. Differentiable w.r.t. `features` (the RoIs get a zero gradient, as in mmcv).
 * @param features `[B, H, W, C]` float32 NHWC feature map
 * @param rois `[K, 5]` rows `batch_idx, x1, y1, x2, y2` in image pixels (scaled by `spatialScale`)
 * @param options `outputSize`, `spatialScale`, `samplingRatio`, `aligned`
 * @returns `[K, ph, pw, C]` float32; the caller owns it
 * @throws ValueError `OPS_BAD_SHAPE`, `OPS_BAD_ROI` (batch index out of range; negative size when
 *   aligned), `OPS_BAD_ARGUMENT` (`poolMode: 'max'`, non-positive output size or scale, bad
 *   sampling ratio)
 * @example
 * const pooled = roiAlign(feat, tf.tensor2d([[0, 8, 8, 72, 72]]), { outputSize: 7, spatialScale: 1 / 8 });
 */
export function roiAlign(features: tf.Tensor4D, rois: tf.Tensor2D, options: RoIAlignOptions): tf.Tensor4D {
  return roiAlignLevels([features], rois, new Int32Array(rois.shape[0]), [options.spatialScale ?? 1], options);
}

/**
 * RoIAlign of each RoI on its own feature level, in one op: the result is in RoI order and the
 * backward writes each level's gradient once. This is what mmdet's `SingleRoIExtractor` computes
 * with one `roi_align` per level and an indexed write into a shared output; done here without the
 * per-level results, their concatenation and the reordering gather (each as large as the output,
 * and each kept for the backward).
 * @param features `[B, H_l, W_l, C]` float32 NHWC maps (same `B` and `C` on every level)
 * @param rois `[K, 5]` rows `batch_idx, x1, y1, x2, y2` in image pixels
 * @param levels `[K]` index into `features` of each RoI's level
 * @param spatialScales feature-map pixels per image pixel of each level (`1 / stride`)
 * @param options `outputSize`, `samplingRatio`, `aligned` (its `spatialScale` is ignored)
 * @returns `[K, ph, pw, C]` float32; the caller owns it
 * @throws ValueError as {@link roiAlign}, and `OPS_BAD_SHAPE` for levels of different batch or channel sizes
 */
export function roiAlignLevels(
  features: tf.Tensor4D[], rois: tf.Tensor2D, levels: Int32Array, spatialScales: number[], options: RoIAlignOptions,
): tf.Tensor4D {
  for (const f of features) {
    checkShape(f.rank === 4 && f.shape[0] === features[0]!.shape[0] && f.shape[3] === features[0]!.shape[3], 'roi_align(features)',
      features.length === 1 ? '[B, H, W, C]' : `[${features[0]!.shape[0]}, H, W, ${features[0]!.shape[3]}] on every level`, `[${f.shape.join(', ')}]`);
  }
  checkShape(rois.rank === 2 && (rois.shape[1] === 5 || rois.shape[0] === 0), 'roi_align(rois)', '[K, 5]',
    `[${rois.shape.join(', ')}]`);
  if ((options.poolMode ?? 'avg') !== 'avg') {
    throw new ValueError('OPS_BAD_ARGUMENT', `roi_align(pool_mode): expected 'avg', got '${String(options.poolMode)}'.`);
  }
  const [ph, pw] = typeof options.outputSize === 'number' ? [options.outputSize, options.outputSize] : options.outputSize;
  const samplingRatio = options.samplingRatio ?? 0;
  if (!(Number.isInteger(ph) && ph > 0 && Number.isInteger(pw) && pw > 0)) {
    throw new ValueError('OPS_BAD_ARGUMENT', `roi_align(output_size): expected positive integers, got [${ph}, ${pw}].`);
  }
  for (const scale of spatialScales) {
    if (!(scale > 0 && Number.isFinite(scale))) {
      throw new ValueError('OPS_BAD_ARGUMENT', `roi_align(spatial_scale): expected a positive number, got ${scale}.`);
    }
  }
  if (!(Number.isInteger(samplingRatio) && samplingRatio >= 0)) {
    throw new ValueError('OPS_BAD_ARGUMENT', `roi_align(sampling_ratio): expected an integer >= 0, got ${samplingRatio}.`);
  }
  const aligned = options.aligned ?? true;
  const shapes = features.map((f) => f.shape as [number, number, number, number]);
  const sizes = shapes.map((sh) => sh.reduce((x, y) => x * y));
  const bases = sizes.map((_, l) => sizes.slice(0, l).reduce((x, y) => x + y, 0));
  const total = bases[bases.length - 1]! + sizes[sizes.length - 1]!;
  const c = shapes[0]![3];
  const k = rois.shape[0];
  const plans = planRois(rois.dataSync() as Float32Array, k, levels, shapes, ph, pw, spatialScales, samplingRatio, aligned);

  const entries = binEntries(plans, shapes, bases, ph, pw);
  const op = tf.customGrad((...inputs: Array<tf.Tensor | unknown>) => {
    const fs = inputs.slice(0, features.length) as tf.Tensor4D[];
    const r = inputs[features.length] as tf.Tensor2D;
    // The wasm backend copies new tensor data into its heap, so the kernel's buffer can be passed
    // as is; the cpu backend would keep the array itself, so it gets a copy.
    const view = tf.getBackend() === 'wasm';
    let src: Float32Array;
    if (fs.length === 1) {
      src = fs[0]!.dataSync() as Float32Array;
    } else {
      src = new Float32Array(total);
      fs.forEach((f, l) => src.set(f.dataSync() as Float32Array, bases[l]));
    }
    const out = weightedRowSums(entries, src, k * ph * pw * c, c, { view });
    return {
      value: tf.tensor4d(out, [k, ph, pw, c]),
      gradFunc: (dy: tf.Tensor4D) => {
        // the backward scatters each output bin back onto its pixels: same entries, roles swapped
        const back = { dst: entries.src, src: entries.dst, w: entries.w, n: entries.n };
        const grad = weightedRowSums(back, dy.dataSync() as Float32Array, total, c, { view: tf.getBackend() === 'wasm' });
        return [...shapes.map((sh, l) => tf.tensor4d(grad.subarray(bases[l], bases[l]! + sizes[l]!), sh)), tf.zerosLike(r)];
      },
    };
  });
  return op(...features, rois) as tf.Tensor4D;
}
