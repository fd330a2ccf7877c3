/**
 * @module The tile transforms of Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016), as JS loops over typed arrays.
 *
 * A 3×3 stride-1 conv computes each 2×2 output tile from a 4×4 input tile `d` as
 * `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`, 16 multiplies per channel pair instead of 36, with
 * ```
 *   Bᵀ = [1  0 −1  0]    G = [ 1    0    0 ]    Aᵀ = [1 1  1  0]
 *        [0  1  1  0]        [ ½    ½    ½ ]         [0 1 −1 −1]
 *        [0 −1  1  0]        [ ½   −½    ½ ]
 *        [0  1  0 −1]        [ 0    0    1 ]
 * ```
 * Summed over input channels, the 16 products `ξ = 4a + b` become 16 GEMMs
 * `M_ξ[t, co] = Σ_ci V_ξ[t, ci] · U_ξ[ci, co]` over the tiles t. The filter gradient follows from
 * the same identity: `dW = Gᵀ [Σ_t (Bᵀ d_t B) ⊙ (A dY_t Aᵀ)] G`, 16 GEMMs over the tiles.
 *
 * Every transform here only adds, subtracts and halves, so it runs at memory speed; the
 * multiply-adds are all in the GEMMs.
 */

/**
 * Padding (floats) after each transformed plane. Planes a power of two apart alias in the L1
 * cache, and writing 16 of them at once then ran 2.3× slower (26.7 vs 11.6 ms for 16 planes of
 * 2 MB, Node 20 on this machine kind).
 */
export const PLANE_SKEW = 80;

/** Distance (floats) between the 16 transformed planes of `size` floats each. */
export function planeStride(size: number): number {
  return size + PLANE_SKEW;
}

/** Tile grid of a conv: `th × tw` tiles of 2×2 outputs per image, over an input padded to `hp × wp`. */
export interface TileGrid {
  n: number;
  th: number;
  tw: number;
  /** Padded input height/width, `2·th + 2` / `2·tw + 2`. */
  hp: number;
  wp: number;
}

/** The tile grid covering an `outH × outW` output. */
export function tileGrid(n: number, outH: number, outW: number): TileGrid {
  const th = (outH + 1) >> 1;
  const tw = (outW + 1) >> 1;
  return { n, th, tw, hp: 2 * th + 2, wp: 2 * tw + 2 };
}

/**
 * `V = Bᵀ d B` of every 4×4 input tile (tiles step by 2 over the padded input).
 * @param xp padded input `[N, hp, wp, C]` (zeros outside the image)
 * @param v output, 16 planes of `T·C` values (`T = N·th·tw`) `plane` apart: `v[ξ·plane + t·C + c]`,
 *   or with `channelsOuter` `v[ξ·plane + c·T + t]` (the transposed operand of the filter gradient's GEMMs)
 */
export function inputTransform(xp: Float32Array, grid: TileGrid, c: number, v: Float32Array, plane: number, channelsOuter: boolean): void {
  const { n, th, tw, wp } = grid;
  const tiles = n * th * tw;
  const row = wp * c;
  // Loop (i, j) over (tx, c), or over (c, tx) when channels are outer; the output stays sequential in j.
  const [ni, nj] = channelsOuter ? [c, tw] : [tw, c];
  const [ai, aj] = channelsOuter ? [1, 2 * c] : [2 * c, 1];
  const [oi, oj] = channelsOuter ? [tiles, 1] : [c, 1];
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      const in0 = (b * grid.hp + 2 * ty) * row;
      const t0 = (b * th + ty) * tw;
      const out0 = channelsOuter ? t0 : t0 * c;
      for (let i = 0; i < ni; i++) {
        let p = in0 + i * ai;
        let o = out0 + i * oi;
        for (let j = 0; j < nj; j++, p += aj, o += oj) {
          const p1 = p + row;
          const p2 = p1 + row;
          const p3 = p2 + row;
          // Rows: Bᵀ d.
          const r00 = xp[p]! - xp[p2]!, r01 = xp[p + c]! - xp[p2 + c]!, r02 = xp[p + 2 * c]! - xp[p2 + 2 * c]!, r03 = xp[p + 3 * c]! - xp[p2 + 3 * c]!;
          const r10 = xp[p1]! + xp[p2]!, r11 = xp[p1 + c]! + xp[p2 + c]!, r12 = xp[p1 + 2 * c]! + xp[p2 + 2 * c]!, r13 = xp[p1 + 3 * c]! + xp[p2 + 3 * c]!;
          const r20 = xp[p2]! - xp[p1]!, r21 = xp[p2 + c]! - xp[p1 + c]!, r22 = xp[p2 + 2 * c]! - xp[p1 + 2 * c]!, r23 = xp[p2 + 3 * c]! - xp[p1 + 3 * c]!;
          const r30 = xp[p1]! - xp[p3]!, r31 = xp[p1 + c]! - xp[p3 + c]!, r32 = xp[p1 + 2 * c]! - xp[p3 + 2 * c]!, r33 = xp[p1 + 3 * c]! - xp[p3 + 3 * c]!;
          // Columns: (Bᵀ d) B.
          v[o] = r00 - r02; v[o + plane] = r01 + r02; v[o + 2 * plane] = r02 - r01; v[o + 3 * plane] = r01 - r03;
          v[o + 4 * plane] = r10 - r12; v[o + 5 * plane] = r11 + r12; v[o + 6 * plane] = r12 - r11; v[o + 7 * plane] = r11 - r13;
          v[o + 8 * plane] = r20 - r22; v[o + 9 * plane] = r21 + r22; v[o + 10 * plane] = r22 - r21; v[o + 11 * plane] = r21 - r23;
          v[o + 12 * plane] = r30 - r32; v[o + 13 * plane] = r31 + r32; v[o + 14 * plane] = r32 - r31; v[o + 15 * plane] = r31 - r33;
        }
      }
    }
  }
}

/**
 * `U = G g Gᵀ` of a 3×3 filter.
 * @param w filter `[3, 3, Ci, Co]`
 * @param u output, 16 planes `[Ci, Co]`, `plane` apart: `u[ξ·plane + ci·Co + co]`
 */
export function filterTransform(w: Float32Array, pairs: number, u: Float32Array, plane: number): void {
  const k = pairs;
  for (let i = 0; i < k; i++) {
    const w00 = w[i]!, w01 = w[i + k]!, w02 = w[i + 2 * k]!;
    const w10 = w[i + 3 * k]!, w11 = w[i + 4 * k]!, w12 = w[i + 5 * k]!;
    const w20 = w[i + 6 * k]!, w21 = w[i + 7 * k]!, w22 = w[i + 8 * k]!;
    // Rows: G g (over kh).
    const a0 = w00, a1 = w01, a2 = w02;
    const b0 = 0.5 * (w00 + w10 + w20), b1 = 0.5 * (w01 + w11 + w21), b2 = 0.5 * (w02 + w12 + w22);
    const c0 = 0.5 * (w00 - w10 + w20), c1 = 0.5 * (w01 - w11 + w21), c2 = 0.5 * (w02 - w12 + w22);
    const d0 = w20, d1 = w21, d2 = w22;
    // Columns: (G g) Gᵀ (over kw).
    u[i] = a0; u[i + plane] = 0.5 * (a0 + a1 + a2); u[i + 2 * plane] = 0.5 * (a0 - a1 + a2); u[i + 3 * plane] = a2;
    u[i + 4 * plane] = b0; u[i + 5 * plane] = 0.5 * (b0 + b1 + b2); u[i + 6 * plane] = 0.5 * (b0 - b1 + b2); u[i + 7 * plane] = b2;
    u[i + 8 * plane] = c0; u[i + 9 * plane] = 0.5 * (c0 + c1 + c2); u[i + 10 * plane] = 0.5 * (c0 - c1 + c2); u[i + 11 * plane] = c2;
    u[i + 12 * plane] = d0; u[i + 13 * plane] = 0.5 * (d0 + d1 + d2); u[i + 14 * plane] = 0.5 * (d0 - d1 + d2); u[i + 15 * plane] = d2;
  }
}

/**
 * `Y = Aᵀ M A` of every tile, written into the `[N, outH, outW, Co]` output (the tiles' pixels
 * beyond an odd `outH`/`outW` are dropped).
 * @param m the 16 GEMM products `M_ξ`, each `[T, Co]`
 */
export function outputTransform(m: Float32Array[], grid: TileGrid, co: number, outH: number, outW: number, y: Float32Array): void {
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15] = m as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  const { n, th, tw } = grid;
  const row = outW * co;
  let t = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      const bottom = 2 * ty + 1 < outH;
      for (let tx = 0; tx < tw; tx++, t++) {
        const right = 2 * tx + 1 < outW;
        const y00 = ((b * outH + 2 * ty) * outW + 2 * tx) * co;
        const y10 = y00 + row;
        let i = t * co;
        for (let c = 0; c < co; c++, i++) {
          // Rows: Aᵀ M.
          const s0 = m0[i]! + m4[i]! + m8[i]!, s1 = m1[i]! + m5[i]! + m9[i]!, s2 = m2[i]! + m6[i]! + m10[i]!, s3 = m3[i]! + m7[i]! + m11[i]!;
          const d0 = m4[i]! - m8[i]! - m12[i]!, d1 = m5[i]! - m9[i]! - m13[i]!, d2 = m6[i]! - m10[i]! - m14[i]!, d3 = m7[i]! - m11[i]! - m15[i]!;
          // Columns: (Aᵀ M) A.
          y[y00 + c] = s0 + s1 + s2;
          if (right) y[y00 + co + c] = s1 - s2 - s3;
          if (bottom) {
            y[y10 + c] = d0 + d1 + d2;
            if (right) y[y10 + co + c] = d1 - d2 - d3;
          }
        }
      }
    }
  }
}

/**
 * `Ŷ = A dY Aᵀ` of every 2×2 tile of the output gradient (the filter gradient's second operand).
 * @param dyp output gradient padded to `[N, 2·th, 2·tw, Co]` (zeros beyond the output)
 * @param out 16 planes `[T, Co]`, `plane` apart: `out[ξ·plane + t·Co + co]`
 */
export function gradTransform(dyp: Float32Array, grid: TileGrid, co: number, out: Float32Array, plane: number): void {
  const { n, th, tw } = grid;
  const row = 2 * tw * co;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        let p = ((b * 2 * th + 2 * ty) * 2 * tw + 2 * tx) * co;
        for (let c = 0; c < co; c++, p++, o++) {
          const q00 = dyp[p]!, q01 = dyp[p + co]!, q10 = dyp[p + row]!, q11 = dyp[p + row + co]!;
          // Rows: A q = [q0, q0 + q1, q0 − q1, −q1]; columns: each row [u, v] → [u, u + v, u − v, −v].
          const a0 = q00 + q10, a1 = q01 + q11, b0 = q00 - q10, b1 = q01 - q11;
          out[o] = q00; out[o + plane] = q00 + q01; out[o + 2 * plane] = q00 - q01; out[o + 3 * plane] = -q01;
          out[o + 4 * plane] = a0; out[o + 5 * plane] = a0 + a1; out[o + 6 * plane] = a0 - a1; out[o + 7 * plane] = -a1;
          out[o + 8 * plane] = b0; out[o + 9 * plane] = b0 + b1; out[o + 10 * plane] = b0 - b1; out[o + 11 * plane] = -b1;
          out[o + 12 * plane] = -q10; out[o + 13 * plane] = -q10 - q11; out[o + 14 * plane] = q11 - q10; out[o + 15 * plane] = q11;
        }
      }
    }
  }
}

/**
 * `dW = Gᵀ S G` from the 16 tile-summed products `S_ξ = Σ_t V_ξ[t]ᵀ Ŷ_ξ[t]`.
 * @param sums the 16 GEMM products, each `[Ci, Co]`
 * @param dw output `[3, 3, Ci, Co]`
 */
export function filterGradTransform(sums: Float32Array[], pairs: number, dw: Float32Array): void {
  const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15] = sums as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  const k = pairs;
  for (let i = 0; i < k; i++) {
    // Rows: Gᵀ S = [S0 + ½(S1 + S2), ½(S1 − S2), ½(S1 + S2) + S3] (S_a the rows a of the 4×4).
    const h0 = 0.5 * (s4[i]! + s8[i]!), h1 = 0.5 * (s5[i]! + s9[i]!), h2 = 0.5 * (s6[i]! + s10[i]!), h3 = 0.5 * (s7[i]! + s11[i]!);
    const p0 = s0[i]! + h0, p1 = s1[i]! + h1, p2 = s2[i]! + h2, p3 = s3[i]! + h3;
    const q0 = 0.5 * (s4[i]! - s8[i]!), q1 = 0.5 * (s5[i]! - s9[i]!), q2 = 0.5 * (s6[i]! - s10[i]!), q3 = 0.5 * (s7[i]! - s11[i]!);
    const r0 = h0 + s12[i]!, r1 = h1 + s13[i]!, r2 = h2 + s14[i]!, r3 = h3 + s15[i]!;
    // Columns: each row [e0, e1, e2, e3] → [e0 + ½(e1 + e2), ½(e1 − e2), ½(e1 + e2) + e3].
    const hp = 0.5 * (p1 + p2), hq = 0.5 * (q1 + q2), hr = 0.5 * (r1 + r2);
    dw[i] = p0 + hp; dw[i + k] = 0.5 * (p1 - p2); dw[i + 2 * k] = hp + p3;
    dw[i + 3 * k] = q0 + hq; dw[i + 4 * k] = 0.5 * (q1 - q2); dw[i + 5 * k] = hq + q3;
    dw[i + 6 * k] = r0 + hr; dw[i + 7 * k] = 0.5 * (r1 - r2); dw[i + 8 * k] = hr + r3;
  }
}
