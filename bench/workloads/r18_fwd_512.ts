/**
 * @module Workload `r18-fwd-512`: ResNet-18 body forward (torch_bench.py `r18_fwd_512`).
 *
 * torchvision's resnet18 without avgpool/fc, eval mode, batch 1 of 512×512 (NHWC here). A plain
 * tf-ops ResNet-18 written for the bench (src/models/backbones will supersede it). Inference
 * folds each BatchNorm into its conv (scale into the filter, shift into a bias), so every
 * conv+BN(+ReLU) is one `tf.fused.conv2d` with bias and activation, the XNNPACK fused path.
 * Random weights (He-normal filters, BN statistics near identity): timing does not depend on values.
 * XNNPACK threads: `DETKIT_WASM_THREADS` (default: the cores idle at start-up).
 */
import { tf } from '../../src/backend/index.js';
import type { Workload } from '../workload.js';

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/** A conv with its BatchNorm folded in: filter HWIO and per-output-channel bias. */
interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  stride: number;
  pad: Pad4 | 'valid';
}

interface Block {
  conv1: FoldedConv;
  conv2: FoldedConv;
  downsample?: FoldedConv;
}

interface Ctx {
  x: tf.Tensor4D;
  stem: FoldedConv;
  blocks: Block[];
}

let seed = 0;

function folded(k: number, cin: number, cout: number, stride: number): FoldedConv {
  const p = (k - 1) / 2;
  return tf.tidy(() => {
    const w = tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', seed++);
    // BN(eval): y = (x − mean) / sqrt(var + eps) · gamma + beta, folded into w and a bias.
    const gamma = tf.randomUniform([cout], 0.8, 1.2, 'float32', seed++);
    const beta = tf.randomUniform([cout], -0.1, 0.1, 'float32', seed++);
    const mean = tf.randomUniform([cout], -0.1, 0.1, 'float32', seed++);
    const variance = tf.randomUniform([cout], 0.8, 1.2, 'float32', seed++);
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, 1e-5)));
    const pad: Pad4 | 'valid' = p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]];
    return {
      filter: tf.keep(tf.mul(w, scale) as tf.Tensor4D),
      bias: tf.keep(tf.sub(beta, tf.mul(mean, scale)) as tf.Tensor1D),
      stride,
      pad,
    };
  });
}

function conv(x: tf.Tensor4D, c: FoldedConv, activation: 'relu' | 'linear'): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: c.filter, strides: c.stride, pad: c.pad, bias: c.bias, activation });
}

/** ResNet-18 body: stem, max-pool, 4 stages of 2 BasicBlocks → `[1, 16, 16, 512]` for 512². */
export function resnet18Body(ctx: Ctx): tf.Tensor4D {
  return tf.tidy(() => {
    let h = conv(ctx.x, ctx.stem, 'relu');
    h = tf.maxPool(h, 3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]] as never);
    for (const b of ctx.blocks) {
      const identity = b.downsample === undefined ? h : conv(h, b.downsample, 'linear');
      const out = conv(conv(h, b.conv1, 'relu'), b.conv2, 'linear');
      h = tf.relu(tf.add(out, identity)) as tf.Tensor4D;
    }
    return h;
  });
}

const workload: Workload<Ctx> = {
  name: 'r18-fwd-512',
  description: 'ResNet-18 body (no pooling/fc), eval mode (BN folded), batch 1 of 512x512',
  warmup: 2,
  runs: 5,
  setup() {
    seed = 0;
    const blocks: Block[] = [];
    let cin = 64;
    for (const [cout, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]] as const) {
      blocks.push({
        conv1: folded(3, cin, cout, stride),
        conv2: folded(3, cout, cout, 1),
        ...(stride !== 1 || cin !== cout ? { downsample: folded(1, cin, cout, stride) } : {}),
      });
      blocks.push({ conv1: folded(3, cout, cout, 1), conv2: folded(3, cout, cout, 1) });
      cin = cout;
    }
    return { x: tf.randomNormal([1, 512, 512, 3], 0, 1, 'float32', 99) as tf.Tensor4D, stem: folded(7, 3, 64, 2), blocks };
  },
  run(ctx) {
    const y = resnet18Body(ctx);
    y.dataSync();
    y.dispose();
  },
  teardown(ctx) {
    const convs = [ctx.stem, ...ctx.blocks.flatMap((b) => [b.conv1, b.conv2, ...(b.downsample ? [b.downsample] : [])])];
    tf.dispose([ctx.x, ...convs.flatMap((c) => [c.filter, c.bias])]);
  },
};
export default workload;
