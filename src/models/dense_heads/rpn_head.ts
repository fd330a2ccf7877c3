/**
 * @module Port of `mmdet/models/dense_heads/rpn_head.py` (RPNHead) @ v2.28.2.
 *
 * Region proposal network: a shared 3×3 `rpn_conv` + ReLU, then 1×1 `rpn_cls` (`A` objectness
 * logits with sigmoid CE, or `2A` with softmax) and `rpn_reg` (`A*4` deltas). Training is the
 * AnchorHead loss with every positive labelled 0 (mmdet passes `gt_labels=None`), logged as
 * `loss_rpn_cls` / `loss_rpn_bbox`. Proposals follow mmdet 2.28 `_get_bboxes_single` +
 * `_bbox_post_process`: per level the top `nms_pre` scores, decode, drop boxes with a side
 * ≤ `min_bbox_size`, `batched_nms` with the level index as group, keep `max_per_img`.
 */
import { tf } from '../../backend/index.js';
import { Conv2d } from '../../nn/conv2d.js';
import { ConvModule } from '../../nn/conv_module.js';
import { Sequential } from '../../nn/container.js';
import { batchedNms } from '../../ops/index.js';
import type { BuildContext } from '../../registry/registry.js';
import type { DetSample, ImageMeta } from '../../structures/det_types.js';
import { ValueError } from '../../utils/errors.js';
import { gatherRows } from '../task_modules/samplers/sampling_result.js';
import { AnchorHead, type AnchorHeadConfig, type DenseHeadOutputs } from './anchor_head.js';
import type { DenseTestConfig } from './dense_post_process.js';
import { relu } from '../../nn/functional.js';

/** Config of {@link RPNHead} (mmdet keys; `num_classes` is fixed to 1). */
export interface RPNHeadConfig extends Omit<AnchorHeadConfig, 'num_classes'> {
  /** Convs before the heads: 1 = one plain 3×3 conv (mmdet default), more = a ConvModule stack. */
  num_convs?: number;
  num_classes?: number;
}

/** Proposal settings (mmdet `train_cfg.rpn_proposal` / `test_cfg.rpn`). */
export interface RPNProposalConfig extends DenseTestConfig {
  /** Legacy key (mmdet < 2.12): rejected with a hint. */
  nms_thr?: number;
}

/** Indices of the `k` largest scores, by descending score (ties by index). */
function topkIndices(scores: Float32Array, k: number): Int32Array {
  const idx = new Int32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return k > 0 && k < idx.length ? idx.slice(0, k) : idx;
}

/** mmdet's RPNHead. */
export class RPNHead extends AnchorHead {
  static override readonly type: string = 'RPNHead';
  static override readonly torchName: string = 'RPNHead';
  readonly numConvs: number;
  rpn_conv!: Conv2d | Sequential;
  rpn_cls!: Conv2d;
  rpn_reg!: Conv2d;

  constructor(cfg: RPNHeadConfig, ctx: BuildContext = {}) {
    super({ ...cfg, num_classes: 1 }, ctx);
    this.numConvs = cfg.num_convs ?? 1;
    if (new.target === RPNHead) this.initLayers();
  }

  protected override initLayers(): void {
    if (this.numConvs > 1) {
      this.rpn_conv = this.addModule(
        'rpn_conv',
        new Sequential(Array.from({ length: this.numConvs }, (_, i) =>
          new ConvModule({ in_channels: i === 0 ? this.inChannels : this.featChannels, out_channels: this.featChannels, kernel_size: 3, padding: 1 }))),
      );
    } else {
      this.rpn_conv = this.addModule('rpn_conv', new Conv2d({ in_channels: this.inChannels, out_channels: this.featChannels, kernel_size: 3, padding: 1 }));
    }
    this.rpn_cls = this.addModule('rpn_cls', new Conv2d({ in_channels: this.featChannels, out_channels: this.numBasePriors * this.clsOutChannels, kernel_size: 1 }));
    this.rpn_reg = this.addModule('rpn_reg', new Conv2d({ in_channels: this.featChannels, out_channels: this.numBasePriors * 4, kernel_size: 1 }));
  }

  override forwardSingle(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    return tf.tidy(() => {
      const conv = this.rpn_conv;
      const h = conv instanceof Conv2d
        ? convReluSavingOutput(x, conv.weight as tf.Tensor4D, conv.bias)
        : (relu(conv.forward(x)) as tf.Tensor4D);
      // rpn_cls and rpn_reg as one 1x1 conv over the concatenated filters: the tape saves `h`
      // (the largest tensor here, 33.5 MB at P2 of 2x512x512) once instead of twice.
      const cls = this.rpn_cls, reg = this.rpn_reg;
      const bias = cls.bias !== null && reg.bias !== null ? tf.concat([cls.bias, reg.bias]) : null;
      const both = conv1x1(h, tf.concat([cls.weight, reg.weight], 3) as tf.Tensor4D, bias);
      return tf.split(both, [cls.out_channels, reg.out_channels], 3) as [tf.Tensor4D, tf.Tensor4D];
    });
  }

  /**
   * Losses `loss_rpn_cls` and `loss_rpn_bbox` (mmdet `RPNHead.loss`): class-agnostic targets, every
   * positive anchor labelled 0.
   */
  override loss(outs: DenseHeadOutputs, samples: DetSample[]): Record<string, tf.Scalar> {
    const agnostic = samples.map((s) => ({ ...s, gt_labels: new Int32Array((s.gt_bboxes?.length ?? 0) / 4) }));
    const { loss_cls, loss_bbox } = super.loss(outs, agnostic);
    return { loss_rpn_cls: loss_cls, loss_rpn_bbox: loss_bbox };
  }

  /**
   * Proposals of every image (mmdet `get_bboxes` with `with_nms`), in `img_shape` pixels, or in
   * original-image pixels when `rescale`.
   * @param cfg proposal settings; defaults to this head's `test_cfg`
   * @returns per image a row-major `[n, 5]` array `x1, y1, x2, y2, score`, by descending score
   * @throws ValueError `RPN_BAD_PROPOSAL_CFG` when the config has no `nms`
   */
  getProposals(outs: DenseHeadOutputs, metas: ImageMeta[], cfg: RPNProposalConfig | null = null, rescale = false): Float32Array[] {
    const c = cfg ?? this.testCfg ?? {};
    if (c.nms == null) {
      throw new ValueError('RPN_BAD_PROPOSAL_CFG', 'RPN proposal config has no `nms` (e.g. nms=dict(type="nms", iou_threshold=0.7)).', {
        hint: (c as RPNProposalConfig).nms_thr !== undefined ? '`nms_thr` was replaced by `nms.iou_threshold` in mmdet 2.12' : undefined,
      });
    }
    const featmapSizes = outs.clsScores.map((s) => [s.shape[1], s.shape[2]] as [number, number]);
    const anchors = this.anchorGenerator.gridPriors(featmapSizes);
    // objectness per anchor: sigmoid, or the foreground (index 0) column of a 2-way softmax
    const scores = outs.clsScores.map((s) =>
      tf.tidy(() => {
        const flat = s.reshape([s.shape[0], -1, this.clsOutChannels]);
        return (this.useSigmoidCls ? tf.sigmoid(flat) : tf.softmax(flat).slice([0, 0, 0], [-1, -1, 1])).dataSync() as Float32Array;
      }),
    );
    const deltas = outs.bboxPreds.map((p) => p.dataSync() as Float32Array);
    const nmsPre = c.nms_pre ?? -1;
    const minSize = c.min_bbox_size ?? 0;
    const maxPer = c.max_per_img ?? 1000;
    return metas.map((meta, b) => {
      const boxes: Float32Array[] = [];
      const lvlScores: Float32Array[] = [];
      const ids: number[] = [];
      anchors.forEach((a, l) => {
        const n = a.length / 4;
        const s = scores[l].subarray(b * n, (b + 1) * n);
        const keep = topkIndices(s, nmsPre);
        const dec = this.bboxCoder.decodeArray(gatherRows(a, keep), gatherRows(deltas[l].subarray(b * n * 4, (b + 1) * n * 4), keep), [meta.img_shape[0], meta.img_shape[1]]);
        boxes.push(dec);
        lvlScores.push(Float32Array.from(keep, (i) => s[i]));
        for (let j = 0; j < keep.length; j++) ids.push(l);
      });
      const all = new Float32Array(boxes.reduce((t, x) => t + x.length, 0));
      let o = 0;
      for (const x of boxes) {
        all.set(x, o);
        o += x.length;
      }
      const allScores = new Float32Array(lvlScores.reduce((t, x) => t + x.length, 0));
      o = 0;
      for (const x of lvlScores) {
        allScores.set(x, o);
        o += x.length;
      }
      const kept: number[] = [];
      for (let i = 0; i < allScores.length; i++) {
        const w = all[4 * i + 2] - all[4 * i];
        const h = all[4 * i + 3] - all[4 * i + 1];
        if (minSize < 0 || (w > minSize && h > minSize)) kept.push(i);
      }
      const sel = Int32Array.from(kept);
      const fb = gatherRows(all, sel);
      const fs = Float32Array.from(sel, (i) => allScores[i]);
      const fi = Int32Array.from(sel, (i) => ids[i]);
      if (fs.length === 0) return new Float32Array(0);
      const { dets } = batchedNms(fb, fs, fi, c.nms ?? null);
      const n = maxPer > 0 ? Math.min(maxPer, dets.length / 5) : dets.length / 5;
      const out = dets.slice(0, n * 5);
      if (rescale) {
        for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) out[5 * i + k] /= meta.scale_factor[k];
      }
      return out;
    });
  }
}

/**
 * `relu(conv3x3(x) + b)` (stride 1, padding 1) as one differentiable op whose backward keeps only
 * its input and its output: the ReLU's mask is read from the output, `dx` and `dW` come from the
 * conv kernels' own gradients. `tf.fused.conv2d` cannot fuse a ReLU under a gradient tape, so it
 * runs conv, bias add and ReLU as three ops, and the tape keeps the conv's output (saved by the
 * add) and the sum (saved by the ReLU) besides: two extra copies of the 256-channel map, 64 MB at
 * P2 of a batch of 2 at 512×512. The output is the `rpn_cls`/`rpn_reg` conv's input, which the tape
 * keeps anyway.
 * @param x `[N, H, W, Cin]`; `filter` `[3, 3, Cin, Cout]`; `bias` `[Cout]` or null
 * @returns `[N, H, W, Cout]` (owned by the caller)
 */
function convReluSavingOutput(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor | null): tf.Tensor4D {
  const attrs = { strides: 1, pad: 1, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined };
  const op = tf.customGrad((...args: Array<tf.Tensor | unknown>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xIn, w, b] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D | undefined];
    const inputs = b === undefined ? { x: xIn, filter: w } : { x: xIn, filter: w, bias: b };
    const y = tf.engine().runKernel('FusedConv2D', inputs, { ...attrs, activation: 'relu' } as never) as tf.Tensor4D;
    save([xIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]): tf.Tensor[] => {
        const [xs, ys] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dz = tf.tidy(() => tf.mul(dy, tf.step(ys)) as tf.Tensor4D);
        // dW (whose kernel lays out copies of x and dz) before dx, so their temporaries and dx are
        // never in memory together
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dz }, { ...attrs, filterShape: w.shape } as never) as tf.Tensor;
        const db = b === undefined ? null : tf.sum(dz, [0, 1, 2]);
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: w }, { ...attrs, inputShape: xs.shape } as never) as tf.Tensor;
        dz.dispose();
        return db === null ? [dx, dw] : [dx, dw, db];
      },
    };
  });
  return (bias === null ? op(x, filter) : op(x, filter, bias)) as tf.Tensor4D;
}

/**
 * 1×1 convolution + bias as one `tf.fused.conv2d` (one output on the tape instead of the conv's and
 * the bias sum's).
 * @param x `[N, H, W, Cin]`; `filter` `[1, 1, Cin, Cout]`
 * @returns `[N, H, W, Cout]` (owned by the caller)
 */
function conv1x1(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor | null): tf.Tensor4D {
  return bias === null
    ? tf.fused.conv2d({ x, filter, strides: 1, pad: 0 })
    : tf.fused.conv2d({ x, filter, strides: 1, pad: 0, bias });
}
