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

/** Size of a per-(sample, channel) coefficient table: `n·c` for group norm, `c` for batch norm. */
function rowsOf(d: NormDims): number {
  return d.groups === 0 ? d.c : d.n * d.c;
}

/** Statistics set of coefficient `k = row + ch` of sample `b`. */
function setAt(d: NormDims, setOf: Int32Array, b: number, ch: number): number {
  return d.groups === 0 ? ch : b * d.groups + setOf[ch];
}

/**
 * Per-coefficient sums `Σ u`, `Σ v·u` over the `hw` pixels (and, for batch norm, the `n` samples)
 * of `u` (masked by `keep`), i.e. one pass over the tensor; `v` is `x − shift`.
 */
function channelSums(d: NormDims, x: Float32Array, shift: Float64Array, s1: Float64Array, s2: Float64Array): void {
  const { n, hw, c, groups } = d;
  for (let b = 0; b < n; b++) {
    const row = groups === 0 ? 0 : b * c;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const k = row + ch;
        const v = x[base + ch] - shift[k];
        s1[k] += v;
        s2[k] += v * v;
      }
    }
  }
}

/**
 * Training-mode statistics: biased mean and variance of every set (one pass, float64 sums shifted
 * by the set's first value).
 * @param x `[n·hw·c]` input
 * @param mean written: `[statCount]`
 * @param variance written: `[statCount]` (biased)
 */
export function normStats(x: Float32Array, d: NormDims, mean: Float32Array, variance: Float32Array): void {
  const { n, hw, c, groups } = d;
  const setOf = channelSets(d);
  const rows = rowsOf(d);
  const shift = new Float64Array(rows);
  for (let k = 0; k < rows; k++) {
    const b = groups === 0 ? 0 : Math.floor(k / c);
    const ch = k % c;
    const first = groups === 0 ? ch : setOf[ch] * (c / groups);
    shift[k] = x[b * hw * c + first];
  }
  const s1 = new Float64Array(rows);
  const s2 = new Float64Array(rows);
  channelSums(d, x, shift, s1, s2);
  const sets = statCount(d);
  const t1 = new Float64Array(sets);
  const t2 = new Float64Array(sets);
  const k0 = new Float64Array(sets);
  for (let k = 0; k < rows; k++) {
    const s = setAt(d, setOf, groups === 0 ? 0 : Math.floor(k / c), k % c);
    t1[s] += s1[k];
    t2[s] += s2[k];
    k0[s] = shift[k];
  }
  const m = groups === 0 ? n * hw : (hw * c) / groups;
  for (let s = 0; s < sets; s++) {
    const mu = t1[s] / m;
    mean[s] = k0[s] + mu;
    variance[s] = Math.max(t2[s] / m - mu * mu, 0);
  }
}

/** Per-coefficient `scale`/`shift` in float64 (`[rowsOf]`), and `1/√(var+ε)` per set. */
function affineOf(d: NormDims, mean: Float32Array, variance: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number) {
  const { c, groups } = d;
  const setOf = channelSets(d);
  const rows = rowsOf(d);
  const scale = new Float64Array(rows);
  const shift = new Float64Array(rows);
  const invstd = new Float64Array(statCount(d));
  for (let s = 0; s < invstd.length; s++) invstd[s] = 1 / Math.sqrt(variance[s] + eps);
  for (let k = 0; k < rows; k++) {
    const ch = k % c;
    const s = setAt(d, setOf, groups === 0 ? 0 : Math.floor(k / c), ch);
    const sc = gamma[ch] * invstd[s];
    scale[k] = sc;
    shift[k] = beta[ch] - mean[s] * sc;
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
 * Gradients of {@link normApply}, in two passes: per-coefficient sums `Σg`, `Σg·x` (ReLU-masked
 * `g`), then `dx = g·P + x·Q + R` with per-coefficient `P, Q, R` folded from the formulas above.
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
  const rows = rowsOf(d);
  const sg = new Float64Array(rows);
  const sgx = new Float64Array(rows);
  for (let b = 0; b < n; b++) {
    const row = groups === 0 ? 0 : b * c;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const k = row + ch;
        const xv = x[base + ch];
        if (relu && !(xv * scale[k] + shift[k] > 0)) continue;
        const g = dy[base + ch];
        sg[k] += g;
        sgx[k] += g * xv;
      }
    }
  }
  // Σg·x̂ per coefficient, then per channel (dγ, dβ) and per set (group norm: Σγg, Σγg·x̂).
  const sets = invstd.length;
  const db = new Float64Array(c);
  const dg = new Float64Array(c);
  const a = new Float64Array(sets);
  const bs = new Float64Array(sets);
  const sgxh = new Float64Array(rows);
  for (let k = 0; k < rows; k++) {
    const ch = k % c;
    const s = setAt(d, setOf, groups === 0 ? 0 : Math.floor(k / c), ch);
    sgxh[k] = (sgx[k] - mean[s] * sg[k]) * invstd[s];
    db[ch] += sg[k];
    dg[ch] += sgxh[k];
    a[s] += gamma[ch] * sg[k];
    bs[s] += gamma[ch] * sgxh[k];
  }
  for (let ch = 0; ch < c; ch++) {
    dgamma[ch] = dg[ch];
    dbeta[ch] = db[ch];
  }
  const P = scale;
  const Q = new Float64Array(rows);
  const R = new Float64Array(rows);
  if (batchStats) {
    const m = groups === 0 ? n * hw : (hw * c) / groups;
    for (let k = 0; k < rows; k++) {
      const s = setAt(d, setOf, groups === 0 ? 0 : Math.floor(k / c), k % c);
      // dx = invstd·(γg − a/m − x̂·b/m), with a, b the set's Σγg and Σγg·x̂ (batch norm: γ factored out).
      Q[k] = (-invstd[s] * invstd[s] * bs[s]) / m;
      R[k] = (-invstd[s] * a[s]) / m - Q[k] * mean[s];
    }
  } else if (dstats !== undefined && groups === 0) {
    const [dmean, dvar] = dstats;
    for (let ch = 0; ch < c; ch++) {
      // y = (x − mean)·γ·invstd + β: ∂/∂mean = −γ·invstd·Σg; ∂/∂var = −½·γ·invstd²·Σg·x̂.
      dmean[ch] = -scale[ch] * db[ch];
      dvar[ch] = -0.5 * scale[ch] * invstd[ch] * dg[ch];
    }
  }
  for (let b = 0; b < n; b++) {
    const row = groups === 0 ? 0 : b * c;
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const k = row + ch;
        const i = base + ch;
        const xv = x[i];
        dx[i] = (relu && !(xv * scale[k] + shift[k] > 0) ? 0 : dy[i] * P[k]) + xv * Q[k] + R[k];
      }
    }
  }
}
