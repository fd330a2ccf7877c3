/**
 * @module `Conv2DBackpropFilter` on wasm as XNNPACK GEMMs over shifted windows of one buffer (no
 * im2col): the form used for every geometry except small maps (see `conv2d_filter_im2col.ts`).
 *
 * `dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, ci] · dy[n,oh,ow,co]`.
 * Tap `(kh, kw)` reads input row `oh·s + kh·d` (padded coordinates): phase `ph = kh·d mod s` and
 * row `oh + jh` (`jh = ⌊kh·d/s⌋`) of the phase's plane, the padded input subsampled at
 * `ph, ph+s, ph+2s, …`; likewise for columns. So the input is laid out once, in one JS pass, as
 * phase planes `[phase, Ci, N, Hq, Wq]` (`Hq = OH + max jh`, `Wq = OW + max jw`; only the phases
 * some tap uses; zeros outside the image), and dy is zero-extended to `[N, Hq, Wq, Co]` (dyq).
 * Flattening `Hq·Wq` to one axis of length `Lq`, tap `(kh, kw)` is the window of the plane
 * buffer starting `jh·Wq + jw` elements later: `dW[kh,kw] = planes[phase] (shifted) · dyq`, a
 * `[Ci, Lq] · [Lq, Co]` product. The window's rows run `jh·Wq + jw` elements into the next row
 * (next channel, next phase, or the zero tail); those positions meet dyq's zero extension, so they
 * add nothing. Taps with the same shift and adjacent phases share one GEMM (`M = phases·Ci` rows).
 * The grid is cut into bands of whole images or of output rows (see {@link planOf}), each with its
 * own planes and dyq rows, so each GEMM's operands stay in cache; a band's dyq is packed by XNNPACK once and reused
 * by all its GEMMs, whose products are summed into dW.
 *
 * Porting note: the shifted windows read values of other channels where dyq is zero, so an
 * infinite or NaN input value can leak into other channels' sums (`0·∞ = NaN`), where the cpu
 * backend keeps it in its own channel. Either way such a step is already diverged.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv2d_backprop_filter.js';
import { KernelScope, type HeapBackend } from './utils.js';

/** One filter tap and where it reads the phase planes. */
interface Tap {
  kh: number;
  kw: number;
  /** Index of its phase in the plane buffer. */
  phase: number;
  /** Shift of its window along the flattened grid: `jh·Wq + jw`. */
  shift: number;
}

/** Taps with the same shift, run as one GEMM over phases `first … first + count − 1`. */
interface TapGroup {
  shift: number;
  first: number;
  count: number;
  taps: Tap[];
}

/** The plane grid of a conv: `Hq × Wq` per image (output size plus the largest tap shift). */
export function planeGrid(g: ConvGeometry): { hq: number; wq: number } {
  return {
    hq: g.outH + Math.floor(((g.kh - 1) * g.dilationH) / g.strideH),
    wq: g.outW + Math.floor(((g.kw - 1) * g.dilationW) / g.strideW),
  };
}

function tapGroups(g: ConvGeometry, wq: number): { phases: Array<[number, number]>; groups: TapGroup[] } {
  const keys = new Set<number>();
  for (let kh = 0; kh < g.kh; kh++) {
    for (let kw = 0; kw < g.kw; kw++) keys.add(((kh * g.dilationH) % g.strideH) * g.strideW + ((kw * g.dilationW) % g.strideW));
  }
  const sorted = [...keys].sort((a, b) => a - b);
  const phases = sorted.map((k): [number, number] => [Math.floor(k / g.strideW), k % g.strideW]);
  const byShift = new Map<number, Tap[]>();
  for (let kh = 0; kh < g.kh; kh++) {
    for (let kw = 0; kw < g.kw; kw++) {
      const key = ((kh * g.dilationH) % g.strideH) * g.strideW + ((kw * g.dilationW) % g.strideW);
      const shift = Math.floor((kh * g.dilationH) / g.strideH) * wq + Math.floor((kw * g.dilationW) / g.strideW);
      const tap = { kh, kw, phase: sorted.indexOf(key), shift };
      const list = byShift.get(shift);
      if (list === undefined) byShift.set(shift, [tap]);
      else list.push(tap);
    }
  }
  const groups = [...byShift].map(([shift, taps]): TapGroup => {
    const first = Math.min(...taps.map((t) => t.phase));
    const last = Math.max(...taps.map((t) => t.phase));
    return { shift, first, count: last - first + 1, taps };
  });
  return { phases, groups };
}

/** Bytes of a band's dy (the GEMMs' packed weights) that {@link planOf} aims at: the L2 of this machine kind. */
const BAND_BYTES = 1024 * 1024;

/** How {@link conv2dFilterGradGemm} lays a conv out. */
export interface GemmPlan {
  hq: number;
  wq: number;
  /**
   * A band is `images` whole images (then `bandsPerImage` is 1) or, for large images, `rows`
   * output rows of one image; each image part is `segLen = (rows + max jh)·Wq` grid positions.
   */
  images: number;
  rows: number;
  bandsPerImage: number;
  segLen: number;
  bands: number;
  phases: Array<[number, number]>;
  groups: TapGroup[];
  /** Grid positions the GEMMs run over per real output position (≥ 1). */
  ext: number;
}

/**
 * Plans the bands. An image part is `rows` output rows plus the rows its taps reach below
 * (`max jh`, repeated from the next part). A band's dy, which XNNPACK packs and re-reads once per
 * 4 rows of each product, stays within {@link BAND_BYTES}; an image is cut into parts only once its
 * dy exceeds twice that, and a part keeps at least 8 rows per repeated row. Measured (one thread,
 * load ~11): the 512² ResNet stem's dW (dy 34 MB as one band) took 582 ms as one band and 387 ms
 * in bands of 12 rows. On the 192-px shapes every level runs as one band, the stem one per image.
 */
export function planOf(xShape: number[], co: number, g: ConvGeometry): GemmPlan {
  const n = xShape[0]!;
  const { hq, wq } = planeGrid(g);
  const { phases, groups } = tapGroups(g, wq);
  const jh = hq - g.outH;
  const budget = Math.floor(BAND_BYTES / 4 / co); // grid positions per band
  let rows = g.outH;
  let images = Math.max(1, Math.min(n, Math.floor(budget / (hq * wq))));
  images = Math.ceil(n / Math.ceil(n / images));
  let bandsPerImage = 1;
  // Parts of an image only beyond twice the budget: the repeated rows and the smaller products
  // cost more than the cache misses on a 512² map's 32² level (256 channels: 204 vs 160 ms).
  if (2 * budget < hq * wq) {
    rows = Math.min(g.outH, Math.max(8 * jh, 1, Math.floor(budget / wq) - jh));
    bandsPerImage = Math.ceil(g.outH / rows);
    rows = Math.ceil(g.outH / bandsPerImage);
  }
  const segLen = (rows + jh) * wq;
  const bands = Math.ceil(n / images) * bandsPerImage;
  const ext = (bands * images * segLen) / (n * g.outH * g.outW);
  return { hq, wq, images, rows, bandsPerImage, segLen, bands, phases, groups, ext };
}

/** Band index and offset in the band of part `part` of image `b`. */
function placeOf(p: GemmPlan, b: number, part: number): [number, number] {
  return [Math.floor(b / p.images) * p.bandsPerImage + part, (b % p.images) * p.segLen];
}

/**
 * Writes the banded phase planes `[band, phase, Ci, images · (rows + max jh) · Wq]` of `x` (NHWC)
 * into `dst` (pre-zeroed); each plane row is read from one input row with stride `s·Ci`.
 */
function fillPlanes(xv: Float32Array, xShape: number[], g: ConvGeometry, p: GemmPlan, dst: Float32Array): void {
  const [n, h, w, ci] = xShape as [number, number, number, number];
  const step = g.strideW * ci;
  const bandLen = p.images * p.segLen;
  const planeRows = p.segLen / p.wq;
  for (let k = 0; k < p.phases.length; k++) {
    const [ph, pw] = p.phases[k]!;
    // Plane columns whose input column lies inside the image.
    const q0 = Math.max(0, Math.ceil((g.padLeft - pw) / g.strideW));
    const q1 = Math.min(p.wq - 1, Math.floor((w - 1 + g.padLeft - pw) / g.strideW));
    if (q1 < q0) continue;
    for (let b = 0; b < n; b++) {
      for (let part = 0; part < p.bandsPerImage; part++) {
        const [band, at] = placeOf(p, b, part);
        const planeBase = (band * p.phases.length + k) * ci * bandLen + at;
        for (let qh = 0; qh < planeRows; qh++) {
          const r = (part * p.rows + qh) * g.strideH + ph - g.padTop;
          if (r < 0 || r >= h) continue;
          const src = ((b * h + r) * w + q0 * g.strideW + pw - g.padLeft) * ci;
          const rowOff = planeBase + qh * p.wq + q0;
          for (let c = 0; c < ci; c++) {
            let d = rowOff + c * bandLen;
            let si = src + c;
            for (let q = q0; q <= q1; q++, si += step) dst[d++] = xv[si]!;
          }
        }
      }
    }
  }
}

/** Copies dy `[N, OH, OW, Co]` into the zeroed bands `[band, images · (rows + max jh) · Wq, Co]`. */
function fillDyBands(dyv: Float32Array, dyShape: number[], p: GemmPlan, dst: Float32Array): void {
  const [n, oh, ow, co] = dyShape as [number, number, number, number];
  const row = ow * co;
  const bandLen = p.images * p.segLen;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const [band, at] = placeOf(p, b, Math.floor(r / p.rows));
      const src = (b * oh + r) * row;
      dst.set(dyv.subarray(src, src + row), (band * bandLen + at + (r % p.rows) * p.wq) * co);
    }
  }
}

/**
 * dW of a conv (any stride, dilation and padding) as shifted-window GEMMs, on the wasm backend.
 * @param x forward input `[N, H, W, Ci]`
 * @param dy output gradient `[N, OH, OW, Co]`
 * @returns `[KH, KW, Ci, Co]` (owned by the scope; call `scope.keep`)
 */
export function conv2dFilterGradGemm(s: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const backend = s.backend as HeapBackend;
  const ci = x.shape[3]!;
  const co = dy.shape[3]!;
  const p = planOf(x.shape, co, g);
  const { bands } = p;
  const bandLen = p.images * p.segLen;
  const np = p.phases.length;
  const tail = Math.max(...p.groups.map((q) => q.shift));
  const planes = s.own(backend.makeOutput([bands * np * ci * bandLen + tail], 'float32'));
  // Without shifts, bands are runs of whole dy rows: dy itself serves.
  const n = x.shape[0]!;
  const direct = p.hq === g.outH && p.wq === g.outW && p.rows * p.bandsPerImage === g.outH && n % p.images === 0;
  const dyq = direct ? dy : s.own(backend.makeOutput([bands * bandLen * co], 'float32'));
  const out = s.own(backend.makeOutput([g.kh, g.kw, ci, co], 'float32'));
  {
    const pv = backend.typedArrayFromHeap(planes) as Float32Array;
    pv.fill(0);
    fillPlanes(backend.typedArrayFromHeap(x) as Float32Array, x.shape, g, p, pv);
    if (!direct) {
      const qv = backend.typedArrayFromHeap(dyq) as Float32Array;
      qv.fill(0);
      fillDyBands(backend.typedArrayFromHeap(dy) as Float32Array, dy.shape, p, qv);
    }
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  }
  const slab = ci * co;
  for (let band = 0; band < bands; band++) {
    // The band of dyq as the GEMMs' weights: XNNPACK packs it once, caches the operator on the
    // view's id and deletes it when the view is released.
    const b = s.view(dyq, band * bandLen * co, [1, bandLen, co]);
    for (const grp of p.groups) {
      const a = s.view(planes, (band * np + grp.first) * ci * bandLen + grp.shift, [1, grp.count * ci, bandLen]);
      const prod = s.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
      s.release(a);
      // Heap views only now: the product's allocation may have grown (detached) the heap.
      const pv = backend.typedArrayFromHeap(prod) as Float32Array;
      const ov = backend.typedArrayFromHeap(out) as Float32Array;
      for (const t of grp.taps) {
        const src = (t.phase - grp.first) * slab;
        const dst = (t.kh * g.kw + t.kw) * slab;
        for (let i = 0; i < slab; i++) ov[dst + i]! += pv[src + i]!;
      }
      s.release(prod);
    }
    s.release(b);
  }
  return out;
}
