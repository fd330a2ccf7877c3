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
 * Flattening `N·Hq·Wq` to one axis of length `Lq`, tap `(kh, kw)` is the window of the plane
 * buffer starting `jh·Wq + jw` elements later: `dW[kh,kw] = planes[phase] (shifted) · dyq`, a
 * `[Ci, Lq] · [Lq, Co]` product. The window's rows run `jh·Wq + jw` elements into the next row
 * (next channel, next phase, or the zero tail); those positions meet dyq's zero extension, so they
 * add nothing. Taps with the same shift and adjacent phases share one GEMM (`M = phases·Ci` rows);
 * dyq is packed by XNNPACK once and reused by every GEMM.
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

/**
 * Writes the phase planes `[phase, Ci, N, Hq, Wq]` of `x` (NHWC) into `dst` (pre-zeroed); each
 * plane row is read from one input row with stride `s·Ci`.
 */
function fillPlanes(xv: Float32Array, xShape: number[], g: ConvGeometry, phases: Array<[number, number]>, hq: number, wq: number, dst: Float32Array): void {
  const [n, h, w, ci] = xShape as [number, number, number, number];
  const step = g.strideW * ci;
  const planeLen = n * hq * wq;
  for (let p = 0; p < phases.length; p++) {
    const [ph, pw] = phases[p]!;
    // Plane columns whose input column lies inside the image.
    const q0 = Math.max(0, Math.ceil((g.padLeft - pw) / g.strideW));
    const q1 = Math.min(wq - 1, Math.floor((w - 1 + g.padLeft - pw) / g.strideW));
    if (q1 < q0) continue;
    for (let b = 0; b < n; b++) {
      for (let qh = 0; qh < hq; qh++) {
        const r = qh * g.strideH + ph - g.padTop;
        if (r < 0 || r >= h) continue;
        const src = ((b * h + r) * w + q0 * g.strideW + pw - g.padLeft) * ci;
        const rowOff = (b * hq + qh) * wq + q0;
        for (let c = 0; c < ci; c++) {
          let d = (p * ci + c) * planeLen + rowOff;
          let si = src + c;
          for (let q = q0; q <= q1; q++, si += step) dst[d++] = xv[si]!;
        }
      }
    }
  }
}

/** Copies dy `[N, OH, OW, Co]` into the zeroed `[N, Hq, Wq, Co]` grid, row by row. */
function fillDyGrid(dyv: Float32Array, dyShape: number[], hq: number, wq: number, dst: Float32Array): void {
  const [n, oh, ow, co] = dyShape as [number, number, number, number];
  const row = ow * co;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const src = (b * oh + r) * row;
      dst.set(dyv.subarray(src, src + row), (b * hq + r) * wq * co);
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
  const [n, , , ci] = x.shape as [number, number, number, number];
  const co = dy.shape[3]!;
  const { hq, wq } = planeGrid(g);
  const len = n * hq * wq;
  const { phases, groups } = tapGroups(g, wq);
  const tail = Math.max(...groups.map((q) => q.shift));
  const planes = s.own(backend.makeOutput([phases.length * ci * len + tail], 'float32'));
  const extend = hq !== g.outH || wq !== g.outW;
  const dyq = extend ? s.own(backend.makeOutput([n, hq, wq, co], 'float32')) : dy;
  {
    const pv = backend.typedArrayFromHeap(planes) as Float32Array;
    pv.fill(0);
    fillPlanes(backend.typedArrayFromHeap(x) as Float32Array, x.shape, g, phases, hq, wq, pv);
    if (extend) {
      const qv = backend.typedArrayFromHeap(dyq) as Float32Array;
      qv.fill(0);
      fillDyGrid(backend.typedArrayFromHeap(dy) as Float32Array, dy.shape, hq, wq, qv);
    }
  }
  // A view of dyq as the GEMMs' weights: XNNPACK packs it once, caches the operator on the view's
  // id and deletes it when the view is unregistered.
  const b = s.view(dyq, 0, [1, len, co]);
  const products: TensorInfo[] = [];
  for (const grp of groups) {
    const a = s.view(planes, grp.first * ci * len + grp.shift, [1, grp.count * ci, len]);
    products.push(s.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }));
    s.release(a);
  }
  const out = s.own(backend.makeOutput([g.kh, g.kw, ci, co], 'float32'));
  // Heap views only now: every allocation above may have grown (and so detached) the heap.
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  const slab = ci * co;
  groups.forEach((grp, i) => {
    const pv = backend.typedArrayFromHeap(products[i]!) as Float32Array;
    for (const t of grp.taps) {
      const src = (t.phase - grp.first) * slab;
      ov.set(pv.subarray(src, src + slab), (t.kh * g.kw + t.kw) * slab);
    }
  });
  return out;
}
