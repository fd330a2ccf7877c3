/**
 * @module Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016): its formulas, the tile grid and plane layout the kernels
 * share, and the filter gradient's two transforms as JS loops over typed arrays.
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
 * The transforms only add, subtract and halve; the multiply-adds are all in the GEMMs. The input,
 * filter and output transforms run as wasm SIMD (`winograd_simd.ts`); the filter gradient's two
 * transforms, whose operands are transposed, are the JS loops below.
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
 * `Ŷ = A dY Aᵀ` of every 2×2 tile of the output gradient, channels outer: the transposed operand
 * `Ŷ_ξᵀ [Co, T]` of the filter gradient's GEMMs `S_ξᵀ = Ŷ_ξᵀ V_ξ`.
 * @param dyp output gradient `[N, 2·th, 2·tw, Co]` (zeros beyond the output)
 * @param out 16 planes `[Co, T]`, `plane` floats apart: `out[ξ·plane + co·T + t]`
 */
export function gradTransform(dyp: Float32Array, grid: TileGrid, co: number, out: Float32Array, plane: number): void {
  const { n, th, tw } = grid;
  const tiles = n * th * tw;
  const row = 2 * tw * co;
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      const t0 = (b * th + ty) * tw;
      const in0 = (b * 2 * th + 2 * ty) * row;
      for (let c = 0; c < co; c++) {
        let p = in0 + c;
        let o = c * tiles + t0;
        for (let tx = 0; tx < tw; tx++, p += 2 * co, o++) {
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
 * `dW = Gᵀ S G` from the 16 tile-summed products, given transposed: `S_ξᵀ = Σ_t Ŷ_ξ[t]ᵀ V_ξ[t]`.
 * @param sums the 16 GEMM products, `[Co, Ci]` each
 * @param dw output `[3, 3, Ci, Co]`
 */
export function filterGradTransform(sums: Float32Array[], ci: number, co: number, dw: Float32Array): void {
  const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15] = sums as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  const k = ci * co;
  let i = 0;
  for (let o = 0; o < co; o++) {
    for (let c = 0, d = o; c < ci; c++, i++, d += co) {
      // Rows: Gᵀ S = [S0 + ½(S1 + S2), ½(S1 − S2), ½(S1 + S2) + S3] (S_a the rows a of the 4×4).
      const h0 = 0.5 * (s4[i]! + s8[i]!), h1 = 0.5 * (s5[i]! + s9[i]!), h2 = 0.5 * (s6[i]! + s10[i]!), h3 = 0.5 * (s7[i]! + s11[i]!);
      const p0 = s0[i]! + h0, p1 = s1[i]! + h1, p2 = s2[i]! + h2, p3 = s3[i]! + h3;
      const q0 = 0.5 * (s4[i]! - s8[i]!), q1 = 0.5 * (s5[i]! - s9[i]!), q2 = 0.5 * (s6[i]! - s10[i]!), q3 = 0.5 * (s7[i]! - s11[i]!);
      const r0 = h0 + s12[i]!, r1 = h1 + s13[i]!, r2 = h2 + s14[i]!, r3 = h3 + s15[i]!;
      // Columns: each row [e0, e1, e2, e3] → [e0 + ½(e1 + e2), ½(e1 − e2), ½(e1 + e2) + e3].
      const hp = 0.5 * (p1 + p2), hq = 0.5 * (q1 + q2), hr = 0.5 * (r1 + r2);
      dw[d] = p0 + hp; dw[d + k] = 0.5 * (p1 - p2); dw[d + 2 * k] = hp + p3;
      dw[d + 3 * k] = q0 + hq; dw[d + 4 * k] = 0.5 * (q1 - q2); dw[d + 5 * k] = hq + q3;
      dw[d + 6 * k] = r0 + hr; dw[d + 7 * k] = 0.5 * (r1 - r2); dw[d + 8 * k] = hr + r3;
    }
  }
}
