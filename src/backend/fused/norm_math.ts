/**
 * @module The arithmetic of detkit's fused normalisation kernels, on plain `Float32Array`s in NHWC
 * layout (shared by the cpu and wasm kernels in `norm_kernels.ts`).
 *
 * Batch norm (`groups = 0`) normalises each channel over `N·H·W` values; group norm (`groups = G`)
 * normalises each `(n, g)` over `H·W·C/G` values, as `torch.nn.BatchNorm2d` / `GroupNorm` in
 * training mode (biased variance). Statistics accumulate in float64, shifted by the first value of
 * each set (so large means lose no precision). The output is `x·scale + shift` with
 * `scale = γ/√(var+ε)`, `shift = β − mean·scale` in float64, optionally followed by ReLU; the
 * backward recomputes the ReLU mask with the same expression, so both passes agree on every
 * element. Backward (with `x̂ = (x−mean)/√(var+ε)`, `g` the masked `dy`, `M` the set size):
 * `dβ = Σg`, `dγ = Σg·x̂`, `dx = γ/√(var+ε) · (g − Σg/M − x̂·Σg·x̂/M)` for batch norm, and the
 * same per group with `γ` inside the sums for group norm.
 */

/** Shape facts of one fused-norm call: `x` is `[n, hw, c]` (H and W flattened). */
export interface NormDims {
  n: number;
  hw: number;
  c: number;
  /** 0 = batch norm (per channel); G > 0 = group norm with G groups. */
  groups: number;
}

/** Number of statistics sets: `c` for batch norm, `n·G` for group norm. */
export function statCount(d: NormDims): number {
  return d.groups === 0 ? d.c : d.n * d.groups;
}

/** Set index of each channel within a sample (group norm), or the channel itself (batch norm). */
function channelSets(d: NormDims): Int32Array {
  const cpg = d.groups === 0 ? 1 : d.c / d.groups;
  const out = new Int32Array(d.c);
  for (let c = 0; c < d.c; c++) out[c] = Math.floor(c / cpg);
  return out;
}

/**
 * Training-mode statistics: biased mean and variance of every set.
 * @param x `[n·hw·c]` input
 * @param mean written: `[statCount]`
 * @param variance written: `[statCount]` (biased)
 */
export function normStats(x: Float32Array, d: NormDims, mean: Float32Array, variance: Float32Array): void {
  const { n, hw, c, groups } = d;
  const sets = statCount(d);
  const s1 = new Float64Array(sets);
  const s2 = new Float64Array(sets);
  const k = new Float64Array(sets);
  const setOf = channelSets(d);
  const perSample = groups === 0 ? 0 : groups;
  // Shift of each set: its first value.
  for (let b = 0; b < (groups === 0 ? 1 : n); b++) for (let ch = 0; ch < c; ch++) k[b * perSample + setOf[ch]] = x[b * hw * c + ch];
  for (let b = 0; b < n; b++) {
    const off = groups === 0 ? 0 : b * groups;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const s = off + setOf[ch];
        const v = x[base + ch] - k[s];
        s1[s] += v;
        s2[s] += v * v;
      }
    }
  }
  const m = groups === 0 ? n * hw : (hw * c) / groups;
  for (let s = 0; s < sets; s++) {
    const mu = s1[s] / m;
    mean[s] = k[s] + mu;
    variance[s] = Math.max(s2[s] / m - mu * mu, 0);
  }
}

/** Per-(sample, channel) `scale`/`shift` in float64: `[n·c]` for group norm, `[c]` for batch norm. */
function affineOf(d: NormDims, mean: Float32Array, variance: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number) {
  const { c, groups } = d;
  const rows = groups === 0 ? 1 : d.n;
  const setOf = channelSets(d);
  const scale = new Float64Array(rows * c);
  const shift = new Float64Array(rows * c);
  const invstd = new Float64Array(statCount(d));
  for (let s = 0; s < invstd.length; s++) invstd[s] = 1 / Math.sqrt(variance[s] + eps);
  for (let b = 0; b < rows; b++) {
    for (let ch = 0; ch < c; ch++) {
      const s = b * groups + setOf[ch];
      const sc = gamma[ch] * invstd[s];
      scale[b * c + ch] = sc;
      shift[b * c + ch] = beta[ch] - mean[s] * sc;
    }
  }
  return { scale, shift, invstd, setOf };
}

/**
 * `y = x·scale + shift` (ReLU'd when `relu`) with the given statistics.
 * @param y written: `[n·hw·c]`
 */
export function normApply(
  x: Float32Array, d: NormDims, mean: Float32Array, variance: Float32Array, gamma: Float32Array, beta: Float32Array,
  eps: number, relu: boolean, y: Float32Array,
): void {
  const { n, hw, c, groups } = d;
  const { scale, shift } = affineOf(d, mean, variance, gamma, beta, eps);
  for (let b = 0; b < n; b++) {
    const row = groups === 0 ? 0 : b * c;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const v = x[base + ch] * scale[row + ch] + shift[row + ch];
        y[base + ch] = relu && !(v > 0) ? 0 : v;
      }
    }
  }
}

/**
 * Gradients of {@link normApply}.
 * @param batchStats the statistics came from `x` itself (training mode): `dx` includes the paths
 *   through mean and variance. Otherwise they are constants and `dx = g·scale`; `dmean`/`dvar`
 *   (batch norm only) are then written too.
 * @param dx written: `[n·hw·c]`
 * @param dgamma written: `[c]`
 * @param dbeta written: `[c]`
 * @param dstats when given and not `batchStats`: `[dmean, dvar]`, each `[c]`
 */
export function normBackward(
  dy: Float32Array, x: Float32Array, d: NormDims, mean: Float32Array, variance: Float32Array, gamma: Float32Array, beta: Float32Array,
  eps: number, relu: boolean, batchStats: boolean, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dstats?: [Float32Array, Float32Array],
): void {
  const { n, hw, c, groups } = d;
  const { scale, shift, invstd, setOf } = affineOf(d, mean, variance, gamma, beta, eps);
  const sets = invstd.length;
  const dg = new Float64Array(c);
  const db = new Float64Array(c);
  // Group norm: per set Σ g·γ and Σ g·γ·x̂.
  const a = new Float64Array(sets);
  const bsum = new Float64Array(sets);
  for (let b = 0; b < n; b++) {
    const row = groups === 0 ? 0 : b * c;
    const off = groups === 0 ? 0 : b * groups;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const i = base + ch;
        const xv = x[i];
        if (relu && !(xv * scale[row + ch] + shift[row + ch] > 0)) continue;
        const g = dy[i];
        const s = off + setOf[ch];
        const xh = (xv - mean[s]) * invstd[s];
        db[ch] += g;
        dg[ch] += g * xh;
        if (groups !== 0) {
          a[s] += g * gamma[ch];
          bsum[s] += g * gamma[ch] * xh;
        }
      }
    }
  }
  for (let ch = 0; ch < c; ch++) {
    dgamma[ch] = dg[ch];
    dbeta[ch] = db[ch];
  }
  if (!batchStats) {
    for (let b = 0; b < n; b++) {
      const row = groups === 0 ? 0 : b * c;
      for (let p = 0; p < hw; p++) {
        const base = (b * hw + p) * c;
        for (let ch = 0; ch < c; ch++) {
          const i = base + ch;
          const sc = scale[row + ch];
          dx[i] = relu && !(x[i] * sc + shift[row + ch] > 0) ? 0 : dy[i] * sc;
        }
      }
    }
    if (dstats !== undefined && groups === 0) {
      const [dmean, dvar] = dstats;
      for (let ch = 0; ch < c; ch++) {
        // y = (x − mean)·γ·invstd + β: ∂/∂mean = −γ·invstd·Σg, ∂/∂var = −½·γ·invstd³·Σg·(x − mean) = −½·invstd²·γ·Σg·x̂.
        dmean[ch] = -gamma[ch] * invstd[ch] * db[ch];
        dvar[ch] = -0.5 * gamma[ch] * invstd[ch] * invstd[ch] * dg[ch];
      }
    }
    return;
  }
  const m = groups === 0 ? n * hw : (hw * c) / groups;
  for (let b = 0; b < n; b++) {
    const off = groups === 0 ? 0 : b * groups;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const i = base + ch;
        const s = off + setOf[ch];
        const row = groups === 0 ? 0 : b * c;
        const xv = x[i];
        const g = relu && !(xv * scale[row + ch] + shift[row + ch] > 0) ? 0 : dy[i];
        const xh = (xv - mean[s]) * invstd[s];
        dx[i] = groups === 0
          ? scale[ch] * (g - db[ch] / m - xh * (dg[ch] / m))
          : invstd[s] * (g * gamma[ch] - a[s] / m - xh * (bsum[s] / m));
      }
    }
  }
}
