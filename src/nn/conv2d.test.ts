import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/index.js';
import { Rng } from '../utils/rng.js';
import { Conv2d } from './conv2d.js';
import { loadTorchStateDict } from './torch_layout.js';
import './index.js';

/**
 * Reference conv written from PyTorch's definition: x NHWC (flat), weight in PyTorch layout
 * [out, in/groups, kh, kw], zero padding, stride, dilation, groups. Returns NHWC (flat).
 */
function naiveConv(
  x: Float32Array, [n, h, w, cin]: number[], wt: Float32Array, [cout, cg, kh, kw]: number[],
  opt: { stride: [number, number]; pad: [number, number]; dil: [number, number]; groups: number; bias?: Float32Array },
): { data: Float32Array; shape: number[] } {
  const [sh, sw] = opt.stride; const [ph, pw] = opt.pad; const [dh, dw] = opt.dil;
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float32Array(n * oh * ow * cout);
  const opg = cout / opt.groups;
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let o = 0; o < cout; o++) {
    const g = Math.floor(o / opg);
    let s = opt.bias ? opt.bias[o]! : 0;
    for (let c = 0; c < cg; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - ph + ky * dh; const ix = ox * sw - pw + kx * dw;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      s += x[((b * h + iy) * w + ix) * cin + g * cg + c]! * wt[((o * cg + c) * kh + ky) * kw + kx]!;
    }
    out[((b * oh + oy) * ow + ox) * cout + o] = s;
  }
  return { data: out, shape: [n, oh, ow, cout] };
}

function rand(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

for (const backend of ['cpu', 'wasm'] as const) describe(`Conv2d (${backend})`, () => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('computes a 2x2 conv by hand', () => {
    const conv = new Conv2d({ in_channels: 1, out_channels: 1, kernel_size: 2, bias: true });
    // PyTorch weight [[1, 2], [3, 4]], bias 0.5; input 3x3 = 1..9
    loadTorchStateDict(conv, new Map<string, tf.Tensor>([['weight', tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2])], ['bias', tf.tensor1d([0.5])]]));
    const y = conv.forward(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]));
    // [1*1+2*2+3*4+4*5, ...] = [37, 47, 67, 77] + 0.5
    expect(Array.from(y.dataSync())).toEqual([37.5, 47.5, 67.5, 77.5]);
    conv.dispose();
  });

  const cases = [
    { name: 'plain 3x3 pad 1', cin: 4, cout: 6, k: [3, 3], stride: [1, 1], pad: [1, 1], dil: [1, 1], groups: 1 },
    { name: 'stride 2, tuple padding', cin: 3, cout: 5, k: [3, 1], stride: [2, 2], pad: [1, 0], dil: [1, 1], groups: 1 },
    { name: 'groups 2', cin: 4, cout: 6, k: [3, 3], stride: [1, 1], pad: [1, 1], dil: [1, 1], groups: 2 },
    { name: 'depthwise (groups = in)', cin: 4, cout: 8, k: [3, 3], stride: [2, 2], pad: [1, 1], dil: [1, 1], groups: 4 },
    { name: 'dilation 2 with stride 2 (zero-inserted filter)', cin: 3, cout: 4, k: [3, 3], stride: [2, 2], pad: [2, 2], dil: [2, 2], groups: 1 },
    { name: 'dilation (2, 3) stride 1 (native)', cin: 3, cout: 4, k: [3, 3], stride: [1, 1], pad: [2, 3], dil: [2, 3], groups: 1 },
    { name: 'depthwise dilation 2', cin: 3, cout: 3, k: [3, 3], stride: [1, 1], pad: [2, 2], dil: [2, 2], groups: 3 },
  ] as const;
  for (const c of cases) {
    it(`matches the reference conv: ${c.name}`, () => {
      const rng = new Rng(1);
      const xs = [2, 7, 6, c.cin];
      const x = rand(rng, xs.reduce((a, b) => a * b));
      const ws = [c.cout, c.cin / c.groups, c.k[0], c.k[1]];
      const w = rand(rng, ws.reduce((a, b) => a * b));
      const b = rand(rng, c.cout);
      const conv = new Conv2d({ in_channels: c.cin, out_channels: c.cout, kernel_size: c.k, stride: c.stride, padding: c.pad, dilation: c.dil, groups: c.groups });
      loadTorchStateDict(conv, new Map([['weight', tf.tensor(w, ws)], ['bias', tf.tensor(b)]]));
      const ref = naiveConv(x, xs, w, ws, { stride: [...c.stride], pad: [...c.pad], dil: [...c.dil], groups: c.groups, bias: b });
      const xt = tf.tensor4d(x, xs as [number, number, number, number]);
      const before = tf.memory().numTensors;
      const y = conv.forward(xt);
      expect(y.shape).toEqual(ref.shape);
      const got = y.dataSync();
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(ref.data[i]!, 4);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      xt.dispose();
      conv.dispose();
    });
  }

  it('has gradients for weight and bias, also with dilation and groups', () => {
    for (const opts of [{ dilation: 2, padding: 2 }, { dilation: 2, padding: 2, stride: 2 }, { groups: 2, padding: 1 }]) {
      const conv = new Conv2d({ in_channels: 2, out_channels: 2, kernel_size: 3, ...opts });
      conv.initWeights(new Rng(3));
      const x = tf.randomUniform([1, 6, 6, 2], -1, 1, 'float32', 5) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(conv.forward(x))) as tf.Scalar, [...conv.namedParameters().values()]);
      expect(Object.keys(grads).length).toBe(2);
      for (const g of Object.values(grads)) expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
      // Finite difference on one weight entry.
      const w = conv.weight;
      const idx = 4;
      const gw = grads[w.name]!.dataSync()[idx]!;
      const base = w.dataSync().slice();
      const eps = 1e-2;
      const f = (d: number): number => {
        const p = base.slice();
        p[idx]! += d;
        tf.tidy(() => w.assign(tf.tensor(p, w.shape)));
        return tf.tidy(() => tf.sum(tf.square(conv.forward(x))).dataSync()[0]!);
      };
      const fd = (f(eps) - f(-eps)) / (2 * eps);
      expect(gw).toBeCloseTo(fd, 1);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      conv.dispose();
    }
  });

  it('rejects bad arguments and input', () => {
    expect(() => new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: 3, groups: 2 })).toThrow(/in_channels must be divisible by groups/);
    expect(() => new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: [3, 3, 3] })).toThrow(/kernel_size/);
    const conv = new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: 1 });
    expect(() => conv.forward(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D)).toThrow(/expected input \[N, H, W, 3\], got \[1, 4, 4, 2\]/);
    conv.dispose();
  });

  it('marks depthwise convs for paramwise_cfg', () => {
    const dw = new Conv2d({ in_channels: 4, out_channels: 4, kernel_size: 3, groups: 4 });
    expect(dw.paramKinds().get('weight')).toEqual({ isNorm: false, isBias: false, isDepthwise: true });
    expect(dw.paramKinds().get('bias')).toEqual({ isNorm: false, isBias: true, isDepthwise: true });
    dw.dispose();
  });
});
