/**
 * @module Port of `mmdet/models/roi_heads/bbox_heads/bbox_head.py` (BBoxHead) @ v2.28.2.
 *
 * The R-CNN box head: per RoI, `num_classes + 1` softmax logits (`fc_cls`, background last) and
 * class-specific (`4 * num_classes`) or class-agnostic (4) deltas (`fc_reg`). Targets are computed
 * on typed arrays from the sampling results; `loss_cls` is averaged over sampled RoIs with a
 * positive weight, `loss_bbox` summed over positives and divided by the number of sampled RoIs,
 * `acc` is top-1 accuracy in percent over all sampled RoIs (mmdet `accuracy`).
 */
import { tf } from '../../../backend/index.js';
import { Module } from '../../../nn/module.js';
import { Linear } from '../../../nn/linear.js';
import type { InitCfg } from '../../../nn/initializers.js';
import { multiclassNms, type NmsConfig } from '../../../ops/index.js';
import { BBOX_CODERS, LOSSES } from '../../../registry/root.js';
import type { BuildContext } from '../../../registry/registry.js';
import { linearFast } from './linear_fast.js';
import { buildChild, type ComponentCfg, type LossLike } from '../../dense_heads/anchor_head.js';
import type { DeltaXYWHBBoxCoder } from '../../task_modules/coders/delta_xywh_bbox_coder.js';
import type { SamplingResult } from '../../task_modules/samplers/sampling_result.js';

/** Config of {@link BBoxHead} (mmdet keys). */
export interface BBoxHeadConfig {
  with_avg_pool?: boolean;
  with_cls?: boolean;
  with_reg?: boolean;
  /** Side of the pooled RoI features (7). */
  roi_feat_size?: number | [number, number];
  in_channels?: number;
  num_classes?: number;
  bbox_coder?: ComponentCfg;
  reg_class_agnostic?: boolean;
  reg_decoded_bbox?: boolean;
  reg_predictor_cfg?: ComponentCfg;
  cls_predictor_cfg?: ComponentCfg;
  loss_cls?: ComponentCfg;
  loss_bbox?: ComponentCfg;
  init_cfg?: InitCfg | InitCfg[] | null;
}

/** R-CNN `test_cfg` (mmdet `test_cfg.rcnn`). */
export interface RCNNTestConfig {
  score_thr?: number;
  nms?: NmsConfig;
  max_per_img?: number;
  [key: string]: unknown;
}

/** R-CNN `train_cfg` (mmdet `train_cfg.rcnn`). */
export interface RCNNTrainConfig {
  assigner: ComponentCfg;
  sampler: ComponentCfg;
  pos_weight?: number;
  /** Mask head target size (Mask R-CNN). */
  mask_size?: number;
  debug?: boolean;
  [key: string]: unknown;
}

/** Box-head targets of a batch, concatenated over images (mmdet `get_targets(concat=True)`). */
export interface BBoxTargets {
  /** `[N]` labels, `num_classes` for background. */
  labels: Int32Array;
  /** `[N]` classification weights. */
  labelWeights: Float32Array;
  /** `[N, 4]` encoded deltas (zeros for negatives). */
  bboxTargets: Float32Array;
  /** `[N, 4]` regression weights (1 for positives). */
  bboxWeights: Float32Array;
}

/** Outputs of the box head for `[N]` RoIs. */
export interface BBoxHeadOutputs {
  /** `[N, C+1]` logits. */
  clsScore: tf.Tensor2D;
  /** `[N, 4C]` (or `[N, 4]` class-agnostic) deltas. */
  bboxPred: tf.Tensor2D;
}

/** mmdet's BBoxHead: flatten → `fc_cls` and `fc_reg`. */
export class BBoxHead extends Module {
  static readonly type: string = 'BBoxHead';
  static override readonly torchName: string = 'BBoxHead';
  readonly withAvgPool: boolean;
  readonly roiFeatSize: [number, number];
  readonly inChannels: number;
  readonly numClasses: number;
  readonly regClassAgnostic: boolean;
  readonly regDecodedBbox: boolean;
  readonly bboxCoder: DeltaXYWHBBoxCoder;
  readonly lossCls: LossLike;
  readonly lossBbox: LossLike;
  fc_cls!: Linear;
  fc_reg!: Linear;

  constructor(cfg: BBoxHeadConfig, ctx: BuildContext = {}) {
    super();
    this.withAvgPool = cfg.with_avg_pool ?? false;
    if (this.withAvgPool) throw new Error('BBoxHead: with_avg_pool is not supported');
    if (cfg.with_cls === false || cfg.with_reg === false) throw new Error('BBoxHead: with_cls and with_reg must be true');
    const rfs = cfg.roi_feat_size ?? 7;
    this.roiFeatSize = typeof rfs === 'number' ? [rfs, rfs] : [rfs[0], rfs[1]];
    this.inChannels = cfg.in_channels ?? 256;
    this.numClasses = cfg.num_classes ?? 80;
    this.regClassAgnostic = cfg.reg_class_agnostic ?? false;
    this.regDecodedBbox = cfg.reg_decoded_bbox ?? false;
    this.bboxCoder = buildChild(BBOX_CODERS, cfg.bbox_coder ?? { type: 'DeltaXYWHBBoxCoder', clip_border: true, target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] }, ctx, 'bbox_coder');
    this.lossCls = buildChild(LOSSES, cfg.loss_cls ?? { type: 'CrossEntropyLoss', use_sigmoid: false, loss_weight: 1.0 }, ctx, 'loss_cls');
    this.lossBbox = buildChild(LOSSES, cfg.loss_bbox ?? { type: 'SmoothL1Loss', beta: 1.0, loss_weight: 1.0 }, ctx, 'loss_bbox');
    if (this.lossCls.useSigmoid === true) throw new Error('BBoxHead: loss_cls must be a softmax loss (use_sigmoid=False)');
    this.init_cfg =
      cfg.init_cfg === undefined
        ? [
            { type: 'Normal', std: 0.01, override: { name: 'fc_cls' } },
            { type: 'Normal', std: 0.001, override: { name: 'fc_reg' } },
          ]
        : cfg.init_cfg;
    if (new.target === BBoxHead) this.initLayers();
  }

  /** Built by the registry with its config path (subclasses inherit it). */
  static fromConfig<T extends BBoxHead>(this: new (cfg: BBoxHeadConfig, ctx: BuildContext) => T, args: Record<string, unknown>, ctx: BuildContext): T {
    return new this(args as unknown as BBoxHeadConfig, ctx);
  }

  /** Regression outputs per RoI. */
  get outDimReg(): number {
    return this.regClassAgnostic ? 4 : 4 * this.numClasses;
  }

  /** Creates `fc_cls` and `fc_reg` on the flattened RoI features. */
  protected initLayers(): void {
    const inF = this.inChannels * this.roiFeatSize[0] * this.roiFeatSize[1];
    this.fc_cls = this.addModule('fc_cls', new Linear({ in_features: inF, out_features: this.numClasses + 1 }));
    this.fc_reg = this.addModule('fc_reg', new Linear({ in_features: inF, out_features: this.outDimReg }));
  }

  /**
   * Flattens `[N, h, w, C]` RoI features in torch's `(C, h, w)` order, so `Linear` weights map to
   * and from mmdet checkpoints.
   */
  static flattenChw(x: tf.Tensor4D): tf.Tensor2D {
    return x.transpose([0, 3, 1, 2]).reshape([x.shape[0], -1]) as tf.Tensor2D;
  }

  /**
   * @param x `[N, h, w, C]` pooled RoI features
   * @returns class logits and deltas (caller owns them)
   */
  forward(x: tf.Tensor4D): BBoxHeadOutputs {
    return tf.tidy(() => ({ clsScore: linearFast(this.fc_cls, x), bboxPred: linearFast(this.fc_reg, x) })) as BBoxHeadOutputs;
  }

  /**
   * Targets of every sampled RoI, positives first in each image (mmdet `get_targets`).
   * @param posWeight classification weight of positives (≤ 0: 1)
   */
  getTargets(results: SamplingResult[], gtLabels: Int32Array[], posWeight = -1): BBoxTargets {
    const total = results.reduce((s, r) => s + r.posInds.length + r.negInds.length, 0);
    const out: BBoxTargets = {
      labels: new Int32Array(total).fill(this.numClasses),
      labelWeights: new Float32Array(total),
      bboxTargets: new Float32Array(total * 4),
      bboxWeights: new Float32Array(total * 4),
    };
    let o = 0;
    results.forEach((r, b) => {
      const p = r.posInds.length;
      const q = r.negInds.length;
      if (p > 0) {
        const t = this.regDecodedBbox ? r.posGtBboxes : this.bboxCoder.encode(r.posBboxes, r.posGtBboxes);
        for (let k = 0; k < p; k++) {
          out.labels[o + k] = r.posGtLabels !== null ? r.posGtLabels[k] : gtLabels[b][r.posAssignedGtInds[k]];
          out.labelWeights[o + k] = posWeight <= 0 ? 1 : posWeight;
        }
        out.bboxTargets.set(t, 4 * o);
        out.bboxWeights.fill(1, 4 * o, 4 * (o + p));
      }
      out.labelWeights.fill(1, o + p, o + p + q);
      o += p + q;
    });
    return out;
  }

  /**
   * Losses `loss_cls`, `acc` and `loss_bbox` (mmdet `BBoxHead.loss`).
   * @param rois `[N, 5]` RoIs (read when `reg_decoded_bbox`)
   */
  loss(outs: BBoxHeadOutputs, rois: Float32Array, t: BBoxTargets): Record<string, tf.Scalar> {
    const n = t.labels.length;
    const losses: Record<string, tf.Scalar> = {};
    let numWeighted = 0;
    for (const w of t.labelWeights) if (w > 0) numWeighted++;
    const labels = tf.tensor1d(t.labels, 'int32');
    if (n > 0) {
      losses.loss_cls = this.lossCls.forward(outs.clsScore, labels, { weight: tf.tensor1d(t.labelWeights), avgFactor: Math.max(numWeighted, 1) }) as tf.Scalar;
      losses.acc = tf.tidy(() => outs.clsScore.argMax(1).equal(labels).toFloat().sum().mul(100 / n)) as tf.Scalar;
    } else {
      losses.loss_cls = outs.clsScore.sum() as tf.Scalar;
      losses.acc = tf.scalar(0);
    }
    let numPos = 0;
    for (let i = 0; i < n; i++) if (t.labels[i] >= 0 && t.labels[i] < this.numClasses) numPos++;
    if (numPos === 0) {
      losses.loss_bbox = outs.bboxPred.sum().mul(0) as tf.Scalar;
      return losses;
    }
    let pred: tf.Tensor2D = outs.bboxPred;
    if (!this.regClassAgnostic) {
      // the deltas of each RoI's own class (background rows select nothing and have weight 0)
      const onehot = tf.oneHot(labels, this.numClasses + 1).slice([0, 0], [-1, this.numClasses]).toFloat().reshape([n, this.numClasses, 1]);
      pred = pred.reshape([n, this.numClasses, 4]).mul(onehot).sum(1) as tf.Tensor2D;
    }
    if (this.regDecodedBbox) {
      const boxes = new Float32Array(n * 4);
      for (let i = 0; i < n; i++) boxes.set(rois.subarray(5 * i + 1, 5 * i + 5), 4 * i);
      pred = this.bboxCoder.decode(tf.tensor2d(boxes, [n, 4]), pred);
    }
    losses.loss_bbox = this.lossBbox.forward(pred, tf.tensor2d(t.bboxTargets, [n, 4]), { weight: tf.tensor2d(t.bboxWeights, [n, 4]), avgFactor: n }) as tf.Scalar;
    return losses;
  }

  /**
   * Detections of one image (mmdet `get_bboxes`): softmax, decode from the RoIs, clip to
   * `img_shape`, optional rescale, then `multiclass_nms`.
   * @param rois `[n, 5]` this image's RoIs
   * @param scores `[n, C+1]` softmax scores
   * @param deltas `[n, 4C]` or `[n, 4]`
   * @returns `dets [k, 5]` and `labels [k]`
   */
  getBboxes(rois: Float32Array, scores: Float32Array, deltas: Float32Array, imgShape: readonly number[], scaleFactor: readonly number[], rescale: boolean, cfg: RCNNTestConfig): { dets: Float32Array; labels: Int32Array } {
    const boxes = this.decodeBboxes(rois, deltas, imgShape);
    if (rescale) for (let i = 0; i < boxes.length; i++) boxes[i] /= scaleFactor[i % 4];
    return this.nmsBboxes(boxes, scores, cfg);
  }

  /**
   * Boxes of one image's RoIs before NMS (mmdet `get_bboxes` with `cfg=None`, `rescale=False`):
   * each class's deltas (or the shared ones) decoded from the RoI and clipped to `imgShape`.
   * @param rois `[n, 5]` RoIs; `deltas` `[n, 4C]` or `[n, 4]`
   * @returns `[n, 4C]` (`[n, 4]` class-agnostic) boxes in `imgShape` pixels
   */
  decodeBboxes(rois: Float32Array, deltas: Float32Array, imgShape: readonly number[]): Float32Array {
    const n = rois.length / 5;
    const per = this.regClassAgnostic ? 1 : this.numClasses;
    const priors = new Float32Array(n * per * 4);
    for (let i = 0; i < n; i++) for (let c = 0; c < per; c++) priors.set(rois.subarray(5 * i + 1, 5 * i + 5), 4 * (i * per + c));
    return this.bboxCoder.decodeArray(priors, deltas, [imgShape[0], imgShape[1]]);
  }

  /**
   * `multiclass_nms` of decoded boxes with the R-CNN `test_cfg` (`score_thr`, `nms`, `max_per_img`).
   * @param boxes `[n, 4C]` or `[n, 4]`; `scores` `[n, C+1]` (background last)
   * @returns `dets [k, 5]` and `labels [k]`, by descending score
   */
  nmsBboxes(boxes: Float32Array, scores: Float32Array, cfg: RCNNTestConfig): { dets: Float32Array; labels: Int32Array } {
    const n = scores.length / (this.numClasses + 1);
    const res = multiclassNms({ data: boxes, shape: [n, this.outDimReg] }, { data: scores, shape: [n, this.numClasses + 1] }, cfg.score_thr ?? 0.05, cfg.nms ?? { type: 'nms', iou_threshold: 0.5 }, { maxNum: cfg.max_per_img ?? 100 });
    return { dets: res.dets, labels: res.labels };
  }
}
