/**
 * Conv2D gradients on wasm (the `Conv2DBackpropFilter`/`Conv2DBackpropInput` gap kernels and the
 * dilation-aware gradient) against the cpu backend's kernels and against finite differences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend, relativeError } from '../../testing/backend.js';
import { Rng } from '../../utils/rng.js';
import { geometryOf } from './conv2d_backprop_filter.js';
import { conv2dFilterGradGemm, planeGrid, planOf } from './conv2d_filter_gemm.js';
import { conv2dFilterGradIm2col } from './conv2d_filter_im2col.js';
import { KernelScope } from './utils.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  stride: number | [number, number];
  pad: Pad;
  dilation?: number;
}

const CASES: Case[] = [
  { name: '3x3 s1 same', x: [2, 8, 8, 3], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { name: '3x3 s2 pad 1 (odd size)', x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 1 },
  { name: '3x3 s2 same (even size)', x: [1, 8, 10, 4], k: [3, 3], co: 3, stride: 2, pad: 'same' },
  { name: '3x3 s2 valid', x: [2, 9, 9, 2], k: [3, 3], co: 3, stride: 2, pad: 'valid' },
  { name: '1x1 s2 (ResNet downsample)', x: [2, 7, 8, 6], k: [1, 1], co: 4, stride: 2, pad: 'valid' },
  { name: '7x7 s2 pad 3 (ResNet stem)', x: [1, 15, 16, 3], k: [7, 7], co: 4, stride: 2, pad: 3 },
  { name: '3x3 s3 explicit asymmetric', x: [1, 10, 11, 2], k: [3, 3], co: 3, stride: 3, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Explicit pads: tfjs 4.22 computes the output width of a numeric pad from the filter height.
  { name: '2x3 strides [2,1] explicit', x: [1, 9, 8, 3], k: [2, 3], co: 2, stride: [2, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { name: '4x4 s2 pad 1', x: [1, 8, 8, 2], k: [4, 4], co: 3, stride: 2, pad: 1 },
  { name: '3x3 dilation 2 pad 2', x: [2, 9, 10, 3], k: [3, 3], co: 4, stride: 1, pad: 2, dilation: 2 },
  { name: '3x3 dilation 3 same', x: [1, 12, 11, 2], k: [3, 3], co: 3, stride: 1, pad: 'same', dilation: 3 },
  // Batch > 4 takes the unfolded dW layout.
  { name: 'batch 5, 3x3 s2 pad 1', x: [5, 9, 8, 3], k: [3, 3], co: 4, stride: 2, pad: 1 },
  { name: 'batch 5, 3x3 s1 same', x: [5, 6, 7, 2], k: [3, 3], co: 3, stride: 1, pad: 'same' },
  { name: 'batch 6, 3x3 dilation 2', x: [6, 9, 9, 2], k: [3, 3], co: 2, stride: 1, pad: 2, dilation: 2 },
  // Stride 1 with ≥ 32 channels takes the per-tap GEMM dW (conv2dFilterGradGemm).
  { name: 'GEMM dW: 3x3 s1 same, 32→33', x: [2, 6, 7, 32], k: [3, 3], co: 33, stride: 1, pad: 'same' },
  { name: 'GEMM dW: 3x3 s1 valid, batch 1', x: [1, 7, 5, 40], k: [3, 3], co: 32, stride: 1, pad: 'valid' },
  { name: 'GEMM dW: 5x3 s1 explicit asymmetric', x: [3, 8, 6, 32], k: [5, 3], co: 32, stride: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
];

function data(shape: number[], rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Gradients of `sum(conv2d(x, w) * r)` wrt x and w, on the active backend. */
function grads(c: Case, x: Float32Array, w: Float32Array, r: Float32Array): tf.Tensor[] {
  const xt = tf.tensor4d(x, c.x);
  const wt = tf.tensor4d(w, [c.k[0], c.k[1], c.x[3], c.co]);
  const f = (a: tf.Tensor, b: tf.Tensor) => {
    const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
    return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
  };
  return tf.grads(f)([xt, wt]);
}

function outShape(c: Case): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k[0], c.k[1], c.x[3], c.co]) as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1).shape);
}

describe('Conv2D gradient on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const c of CASES) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(c.x.reduce((a, b) => a * 31 + b, 7));
      const x = data(c.x, rng);
      const w = data([c.k[0], c.k[1], c.x[3], c.co], rng);
      const r = data(outShape(c), rng);
      const [dxCpu, dwCpu] = await onBackend('cpu', () => grads(c, x, w, r));
      const [dxWasm, dwWasm] = await onBackend('wasm', () => grads(c, x, w, r));
      expect(relativeError(dxWasm!, dxCpu!)).toBeLessThan(1e-4);
      expect(relativeError(dwWasm!, dwCpu!)).toBeLessThan(1e-4);
    });
  }

  for (const c of [CASES[1]!, CASES[5]!, CASES[9]!]) {
    it(`matches finite differences: ${c.name}`, () => {
      // The loss is linear in x and in w, so a central difference is exact up to rounding.
      const rng = new Rng(3);
      const x = data(c.x, rng);
      const w = data([c.k[0], c.k[1], c.x[3], c.co], rng);
      const r = data(outShape(c), rng);
      const loss = (xv: Float32Array, wv: Float32Array) =>
        tf.tidy(() => {
          const y = tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(wv, [c.k[0], c.k[1], c.x[3], c.co]), c.stride, c.pad, 'NHWC', c.dilation ?? 1);
          return tf.sum(tf.mul(y, tf.tensor(r, y.shape))).dataSync()[0]!;
        });
      const [dx, dw] = tf.tidy(() => grads(c, x, w, r).map((t) => t.dataSync()));
      const eps = 0.5;
      for (const [arr, g, isX] of [[x, dx!, true], [w, dw!, false]] as const) {
        let scale = 0;
        for (const v of g) scale = Math.max(scale, Math.abs(v));
        for (let probe = 0; probe < 12; probe++) {
          const i = rng.randint(arr.length);
          const plus = Float32Array.from(arr);
          const minus = Float32Array.from(arr);
          plus[i]! += eps;
          minus[i]! -= eps;
          const fd = isX ? (loss(plus, w) - loss(minus, w)) / (2 * eps) : (loss(x, plus) - loss(x, minus)) / (2 * eps);
          expect(Math.abs(fd - g[i]!) / scale).toBeLessThan(1e-3);
        }
      }
    });
  }

  it('conv2dTranspose 2x2 s2 (FCNMaskHead upsample): value and gradients match the cpu backend', async () => {
    const rng = new Rng(8);
    const x = data([2, 7, 7, 4], rng);
    const w = data([2, 2, 3, 4], rng); // [KH, KW, out channels, in channels]
    const r = data([2, 14, 14, 3], rng);
    const run = () => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 14, 14, 3], 2, 'valid'), tf.tensor(r, [2, 14, 14, 3])));
      const xt = tf.tensor4d(x, [2, 7, 7, 4]);
      const wt = tf.tensor4d(w, [2, 2, 3, 4]);
      return [tf.conv2dTranspose(xt, wt, [2, 14, 14, 3], 2, 'valid'), ...tf.grads(f)([xt, wt])];
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    cpu.forEach((c, i) => expect(relativeError(wasm[i]!, c)).toBeLessThan(1e-4));
  });

  it('leaks neither tensors nor wasm buffers across 100 calls', async () => {
    const c = CASES[1]!;
    const rng = new Rng(5);
    const x = tf.tensor4d(data(c.x, rng), c.x);
    const w = tf.variable(tf.tensor4d(data([3, 3, 3, 5], rng), [3, 3, 3, 5]));
    const d = tf.variable(tf.tensor4d(data([3, 3, 3, 5], rng), [3, 3, 3, 5]));
    await expectLeakFree(() => {
      const { value, grads: g } = tf.variableGrads(() => {
        const y = tf.conv2d(x, w as tf.Tensor4D, 2, 1);
        const z = tf.conv2d(x, d as tf.Tensor4D, 1, 'same', 'NHWC', 2);
        return tf.add(tf.sum(tf.square(y)), tf.sum(z)) as tf.Scalar;
      }, [w, d]);
      return [value, ...Object.values(g)];
    }, 100);
    tf.dispose([x, w, d]);
  });
});

/**
 * Geometries for the two dW forms, each run directly (whichever the kernel would pick). tfjs' conv2d
 * never combines stride > 1 with dilation > 1, so neither do these.
 */
const FILTER_CASES: Case[] = [
  { name: 'stem-like 7x7 s2 pad 3, Ci 3, batch 4', x: [4, 15, 13, 3], k: [7, 7], co: 5, stride: 2, pad: 3 },
  { name: '3x3 s1 same, Ci 5 < 32, batch 1', x: [1, 9, 8, 5], k: [3, 3], co: 6, stride: 1, pad: 'same' },
  { name: '3x3 s1 same, batch 4', x: [4, 7, 6, 4], k: [3, 3], co: 3, stride: 1, pad: 'same' },
  { name: '3x3 s2 pad 1, batch 4', x: [4, 9, 8, 3], k: [3, 3], co: 4, stride: 2, pad: 1 },
  { name: '3x3 s2 valid (unread last row/column)', x: [2, 10, 10, 2], k: [3, 3], co: 3, stride: 2, pad: 'valid' },
  { name: '1x1 s1', x: [2, 5, 6, 7], k: [1, 1], co: 4, stride: 1, pad: 'valid' },
  { name: '1x1 s2', x: [3, 7, 8, 6], k: [1, 1], co: 5, stride: 2, pad: 'valid' },
  { name: '1x1 s3 (stride > kernel)', x: [1, 10, 9, 2], k: [1, 1], co: 3, stride: 3, pad: 'valid' },
  { name: '2x2 s3 (stride > kernel)', x: [2, 11, 10, 2], k: [2, 2], co: 3, stride: 3, pad: 'valid' },
  { name: '3x3 s3 explicit asymmetric', x: [1, 10, 11, 2], k: [3, 3], co: 3, stride: 3, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: '2x3 strides [2,1] explicit', x: [1, 9, 8, 3], k: [2, 3], co: 2, stride: [2, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { name: '5x3 s1 explicit asymmetric', x: [3, 8, 6, 4], k: [5, 3], co: 3, stride: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { name: '4x4 s2 pad 1', x: [1, 8, 8, 2], k: [4, 4], co: 3, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { name: '3x3 dilation 2 pad 2', x: [2, 9, 10, 3], k: [3, 3], co: 4, stride: 1, pad: [[0, 0], [2, 2], [2, 2], [0, 0]], dilation: 2 },
  { name: '3x3 dilation 3 same', x: [1, 12, 11, 2], k: [3, 3], co: 3, stride: 1, pad: 'same', dilation: 3 },
  { name: '3x3 s1 on a 2x2 map, many channels', x: [2, 2, 2, 40], k: [3, 3], co: 64, stride: 1, pad: 'same' },
];

/** Wide enough outputs (256 channels: 1024 grid positions per band) for several GEMM bands. */
const BAND_CASES: Case[] = [
  { name: 'one image per band: 3x3 s1, batch 2', x: [2, 30, 30, 4], k: [3, 3], co: 256, stride: 1, pad: 'same' },
  { name: 'bands of image rows: 3x3 s1', x: [1, 60, 38, 4], k: [3, 3], co: 256, stride: 1, pad: 'same' },
  { name: 'bands of image rows: 7x7 s2 pad 3', x: [1, 128, 60, 3], k: [7, 7], co: 256, stride: 2, pad: 3 },
];

describe('Conv2DBackpropFilter on wasm: the GEMM and im2col forms', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  /** dW of `sum(conv2d(x, w) * r)` on the cpu backend (dilated convs through the dilation-aware gradient). */
  async function reference(c: Case, x: Float32Array, w: Float32Array, r: Float32Array): Promise<Float32Array> {
    return (await onBackend('cpu', () => grads(c, x, w, r)[1]!))[0]!;
  }

  /** Runs one dW form directly on wasm. */
  function direct(c: Case, form: typeof conv2dFilterGradGemm, x: Float32Array, r: Float32Array, outShape: number[]): Float32Array {
    const xt = tf.tensor4d(x, c.x);
    const dy = tf.tensor4d(r, outShape as [number, number, number, number]);
    const backend = tf.backend();
    const before = backend.numDataIds();
    const info = tf.backend_util.computeConv2DInfo(c.x, [c.k[0], c.k[1], c.x[3], c.co], c.stride, c.dilation ?? 1, c.pad, 'floor', false, 'channelsLast');
    const s = new KernelScope(backend, 'wasm');
    let out;
    try {
      out = s.keep(form(s, xt, dy, geometryOf(info)));
    } finally {
      s.dispose();
    }
    expect(out.shape).toEqual([c.k[0], c.k[1], c.x[3], c.co]);
    const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
    backend.disposeData(out.dataId);
    expect(backend.numDataIds(), 'buffers or views left behind').toBe(before);
    tf.dispose([xt, dy]);
    return values;
  }

  for (const c of FILTER_CASES) {
    it(`both forms match the cpu backend: ${c.name}`, async () => {
      const rng = new Rng(c.x.reduce((a, b) => a * 17 + b, 11));
      const x = data(c.x, rng);
      const w = data([c.k[0], c.k[1], c.x[3], c.co], rng);
      const shape = outShape(c);
      const r = data(shape, rng);
      const ref = await reference(c, x, w, r);
      expect(relativeError(direct(c, conv2dFilterGradGemm, x, r, shape), ref)).toBeLessThan(1e-4);
      expect(relativeError(direct(c, conv2dFilterGradIm2col, x, r, shape), ref)).toBeLessThan(1e-4);
    });
  }

  it('zero-extends the grid by the largest tap shift (planeGrid)', () => {
    const geometry = (x: number[], k: number, stride: number, pad: number, dilation = 1) =>
      geometryOf(tf.backend_util.computeConv2DInfo(x as [number, number, number, number], [k, k, x[3]!, 1], stride, dilation, pad, 'floor', false, 'channelsLast'));
    // 3x3 s1 pad 1 on 24x24: taps shift 0..2 rows/columns → 26x26.
    expect(planeGrid(geometry([4, 24, 24, 48], 3, 1, 1))).toEqual({ hq: 26, wq: 26 });
    // 7x7 s2 pad 3 on 192: 96 outputs, taps at phase rows 0..3 → 99.
    expect(planeGrid(geometry([4, 192, 192, 3], 7, 2, 3))).toEqual({ hq: 99, wq: 99 });
    // 1x1 s2: no shift at all.
    expect(planeGrid(geometry([4, 48, 48, 16], 1, 2, 0))).toEqual({ hq: 24, wq: 24 });
    // 3x3 dilation 2, s1: shifts up to 4.
    expect(planeGrid(geometry([1, 10, 10, 1], 3, 1, 2, 2))).toEqual({ hq: 14, wq: 14 });
  });

  /** dW by its definition, in float64 (the cpu backend's kernel is too slow at these sizes). */
  function definition(c: Case, x: Float32Array, dy: Float32Array): Float64Array {
    const info = tf.backend_util.computeConv2DInfo(c.x, [c.k[0], c.k[1], c.x[3], c.co], c.stride, 1, c.pad, 'floor', false, 'channelsLast');
    const [n, h, w, ci] = c.x;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const dw = new Float64Array(c.k[0] * c.k[1] * ci * c.co);
    for (let kh = 0; kh < c.k[0]; kh++) {
      for (let kw = 0; kw < c.k[1]; kw++) {
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < oh; y++) {
            const r = y * sh + kh - top;
            if (r < 0 || r >= h) continue;
            for (let z = 0; z < ow; z++) {
              const col = z * sw + kw - left;
              if (col < 0 || col >= w) continue;
              for (let i = 0; i < ci; i++) {
                const xv = x[((b * h + r) * w + col) * ci + i]!;
                const base = ((kh * c.k[1] + kw) * ci + i) * c.co;
                const dyBase = ((b * oh + y) * ow + z) * c.co;
                for (let o = 0; o < c.co; o++) dw[base + o]! += xv * dy[dyBase + o]!;
              }
            }
          }
        }
      }
    }
    return dw;
  }

  for (const c of BAND_CASES) {
    it(`the GEMM form in bands matches the definition: ${c.name}`, () => {
      const rng = new Rng(c.x.reduce((a, b) => a * 13 + b, 5));
      const x = data(c.x, rng);
      const shape = outShape(c);
      const r = data(shape, rng);
      expect(relativeError(direct(c, conv2dFilterGradGemm, x, r, shape), definition(c, x, r))).toBeLessThan(1e-4);
    });
  }

  it('cuts large grids into bands of whole images or of image rows (planOf)', () => {
    const plan = (x: number[], k: number, co: number, stride: number, pad: number) =>
      planOf(x, co, geometryOf(tf.backend_util.computeConv2DInfo(x as [number, number, number, number], [k, k, x[3]!, co], stride, 1, pad, 'floor', false, 'channelsLast')));
    // Shapes RetinaNet head: 48 floats of dy × 26² per image; the whole batch fits 1 MB.
    const head = plan([4, 24, 24, 48], 3, 48, 1, 1);
    expect([head.images, head.bandsPerImage, head.bands, head.segLen]).toEqual([4, 1, 1, 26 * 26]);
    // 96x96 with 64 floats per position: 4096 positions per band → 3 parts of 32 rows (+2 repeated).
    const rows = plan([2, 96, 96, 4], 3, 64, 1, 1);
    expect([rows.images, rows.rows, rows.bandsPerImage, rows.bands, rows.segLen]).toEqual([1, 32, 3, 6, 34 * 98]);
    expect(rows.ext).toBeCloseTo((6 * 34 * 98) / (2 * 96 * 96), 10);
    // Up to twice the budget an image stays whole (64x64: 66² = 4356 positions).
    expect(plan([2, 64, 64, 4], 3, 64, 1, 1).bandsPerImage).toBe(1);
    // The band cases above: 2 bands of one image; 3 parts of 20 rows (+2); 3 parts of 22 rows (+3).
    const [one, part, stem] = [plan([2, 30, 30, 4], 3, 256, 1, 1), plan([1, 60, 38, 4], 3, 256, 1, 1), plan([1, 128, 60, 3], 7, 256, 2, 3)];
    expect([one.images, one.bands]).toEqual([1, 2]);
    expect([part.rows, part.bands, stem.rows, stem.bands]).toEqual([20, 3, 22, 3]);
  });

  it('leaves neither tensors nor views behind across 50 kernel calls of each form', async () => {
    const rng = new Rng(9);
    const big = tf.tensor4d(data([2, 12, 12, 8], rng), [2, 12, 12, 8]);
    const small = tf.tensor4d(data([2, 2, 2, 8], rng), [2, 2, 2, 8]);
    const dyBig = tf.tensor4d(data([2, 12, 12, 16], rng), [2, 12, 12, 16]);
    const dySmall = tf.tensor4d(data([2, 2, 2, 64], rng), [2, 2, 2, 64]);
    const attrs = (co: number) => ({ strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: 'floor', filterShape: [3, 3, 8, co] }) as unknown as tf.NamedAttrMap;
    await expectLeakFree(() => [
      tf.engine().runKernel('Conv2DBackpropFilter', { x: big, dy: dyBig }, attrs(16)) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropFilter', { x: small, dy: dySmall }, attrs(64)) as tf.Tensor,
    ], 50);
    tf.dispose([big, small, dyBig, dySmall]);
  });
});
