/**
 * @module Port of `mmdet/models/dense_heads/fcos_head.py` (FCOSHead, with AnchorFreeHead's layers)
 * @ v2.28.2.
 *
 * Anchor-free: every feature-map point of a level regresses distances `(l, t, r, b)` to the sides of
 * the gt it falls in (smallest-area gt whose largest distance fits the level's `regress_ranges`;
 * with `center_sampling`, only points within `radius × stride` of the gt centre), plus a class score
 * and a centerness score.
 */
import { tf } from '../../backend/index.js';
import { Conv2d } from '../../nn/conv2d.js';
import type { ConvModule } from '../../nn/conv_module.js';
import { ModuleList } from '../../nn/container.js';
import { applyTower, convTower } from './conv_tower.js';
import { Module } from '../../nn/module.js';
import type { NormCfg } from '../../nn/norm.js';
import { Scale } from '../../nn/scale.js';
import type { InitCfg } from '../../nn/initializers.js';
import { BBOX_CODERS, LOSSES } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { ClassDetections, DetSample, ImageMeta } from '../../structures/det_types.js';
import type { DistancePointBBoxCoder } from '../task_modules/coders/distance_point_bbox_coder.js';
import { MlvlPointGenerator } from '../task_modules/prior_generators/point_generator.js';
import { AnchorHead, buildChild, type ComponentCfg, type LossLike } from './anchor_head.js';
import { detectDense, type DenseDetectInputs, type DenseTestConfig } from './dense_post_process.js';

const INF = 1e8;

/** Config of {@link FCOSHead} (mmdet keys; AnchorFreeHead's included). */
export interface FCOSHeadConfig {
  num_classes: number;
  in_channels: number;
  feat_channels?: number;
  stacked_convs?: number;
  strides?: number[];
  /** `[min, max]` of the largest regression distance handled by each level. */
  regress_ranges?: Array<[number, number]>;
  center_sampling?: boolean;
  center_sample_radius?: number;
  /** Regress distances divided by the stride, with ReLU instead of exp. */
  norm_on_bbox?: boolean;
  /** Predict centerness from the regression tower. */
  centerness_on_reg?: boolean;
  /** Bias of the tower convs: `'auto'` (no bias with a norm) or a boolean. */
  conv_bias?: boolean | 'auto';
  dcn_on_last_conv?: boolean;
  conv_cfg?: ComponentCfg | null;
  norm_cfg?: NormCfg | null;
  loss_cls?: ComponentCfg;
  loss_bbox?: ComponentCfg;
  loss_centerness?: ComponentCfg;
  bbox_coder?: ComponentCfg;
  train_cfg?: Record<string, unknown> | null;
  test_cfg?: DenseTestConfig | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

/** Outputs of {@link FCOSHead.forward}: per level `[B, H, W, k]`. */
export interface FCOSOutputs {
  clsScores: tf.Tensor4D[];
  bboxPreds: tf.Tensor4D[];
  centernesses: tf.Tensor4D[];
}

/** mmdet `centerness_target` of FCOS: sqrt(min(l,r)/max(l,r) · min(t,b)/max(t,b)) of `[n, 4]` distances. */
export function fcosCenternessTarget(d: Float32Array): Float32Array {
  const n = d.length / 4;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [l, t, r, b] = [d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]];
    out[i] = Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
  }
  return out;
}

/** FCOS's head. */
export class FCOSHead extends Module {
  static readonly type: string = 'FCOSHead';
  static override readonly torchName: string = 'FCOSHead';
  readonly numClasses: number;
  readonly inChannels: number;
  readonly featChannels: number;
  readonly stackedConvs: number;
  readonly strides: number[];
  readonly regressRanges: Array<[number, number]>;
  readonly centerSampling: boolean;
  readonly centerSampleRadius: number;
  readonly normOnBbox: boolean;
  readonly centernessOnReg: boolean;
  readonly clsOutChannels: number;
  readonly priorGenerator: MlvlPointGenerator;
  readonly bboxCoder: DistancePointBBoxCoder;
  readonly lossCls: LossLike;
  readonly lossBbox: LossLike;
  readonly lossCenterness: LossLike;
  readonly testCfg: DenseTestConfig | null;
  readonly cls_convs: ModuleList<ConvModule>;
  readonly reg_convs: ModuleList<ConvModule>;
  readonly conv_cls: Conv2d;
  readonly conv_reg: Conv2d;
  readonly conv_centerness: Conv2d;
  readonly scales: ModuleList<Scale>;

  constructor(cfg: FCOSHeadConfig, ctx: BuildContext = {}) {
    super();
    if (cfg.dcn_on_last_conv === true) throw new Error('FCOSHead: dcn_on_last_conv is not supported by detkit');
    this.numClasses = cfg.num_classes;
    this.inChannels = cfg.in_channels;
    this.featChannels = cfg.feat_channels ?? 256;
    this.stackedConvs = cfg.stacked_convs ?? 4;
    this.strides = cfg.strides ?? [4, 8, 16, 32, 64];
    this.regressRanges = cfg.regress_ranges ?? [[-1, 64], [64, 128], [128, 256], [256, 512], [512, INF]];
    this.centerSampling = cfg.center_sampling ?? false;
    this.centerSampleRadius = cfg.center_sample_radius ?? 1.5;
    this.normOnBbox = cfg.norm_on_bbox ?? false;
    this.centernessOnReg = cfg.centerness_on_reg ?? false;
    const lossClsCfg = cfg.loss_cls ?? { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 };
    this.clsOutChannels = lossClsCfg.use_sigmoid === false ? this.numClasses + 1 : this.numClasses;
    this.priorGenerator = new MlvlPointGenerator({ strides: this.strides });
    this.bboxCoder = buildChild(BBOX_CODERS, cfg.bbox_coder ?? { type: 'DistancePointBBoxCoder' }, ctx, 'bbox_coder');
    this.lossCls = buildChild(LOSSES, lossClsCfg, ctx, 'loss_cls');
    this.lossBbox = buildChild(LOSSES, cfg.loss_bbox ?? { type: 'IoULoss', loss_weight: 1.0 }, ctx, 'loss_bbox');
    this.lossCenterness = buildChild(LOSSES, cfg.loss_centerness ?? { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 }, ctx, 'loss_centerness');
    this.testCfg = cfg.test_cfg ?? null;
    const normCfg = cfg.norm_cfg === undefined ? { type: 'GN', num_groups: 32, requires_grad: true } : cfg.norm_cfg;
    const convBias = cfg.conv_bias ?? 'auto';
    const tower = (): ModuleList<ConvModule> => convTower({ stacked: this.stackedConvs, inChannels: this.inChannels, featChannels: this.featChannels, convCfg: cfg.conv_cfg ?? null, normCfg, bias: convBias });
    this.cls_convs = this.addModule('cls_convs', tower());
    this.reg_convs = this.addModule('reg_convs', tower());
    const conv = (out: number): Conv2d => new Conv2d({ in_channels: this.featChannels, out_channels: out, kernel_size: 3, padding: 1 });
    this.conv_cls = this.addModule('conv_cls', conv(this.clsOutChannels));
    this.conv_reg = this.addModule('conv_reg', conv(4));
    this.conv_centerness = this.addModule('conv_centerness', conv(1));
    this.scales = this.addModule('scales', new ModuleList(this.strides.map(() => new Scale({ scale: 1.0 }))));
    this.init_cfg = cfg.init_cfg === undefined
      ? { type: 'Normal', layer: 'Conv2d', std: 0.01, override: { type: 'Normal', name: 'conv_cls', std: 0.01, bias_prob: 0.01 } }
      : cfg.init_cfg;
  }

  /** Built by the registry with its config path, so children's errors name it. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): FCOSHead {
    return new FCOSHead(args as unknown as FCOSHeadConfig, ctx);
  }

  /** Per level: class logits, distances (`exp`, or ReLU × stride at test time with `norm_on_bbox`), centerness logits. */
  forward(feats: tf.Tensor4D[]): FCOSOutputs {
    const out: FCOSOutputs = { clsScores: [], bboxPreds: [], centernesses: [] };
    feats.forEach((x, l) => {
      const c = applyTower(this.cls_convs, x);
      const r = applyTower(this.reg_convs, x);
      out.clsScores.push(this.conv_cls.forward(c));
      out.centernesses.push(this.conv_centerness.forward(this.centernessOnReg ? r : c));
      const scaled = this.scales.at(l).forward(this.conv_reg.forward(r));
      if (this.normOnBbox) {
        const relu = tf.relu(scaled);
        out.bboxPreds.push(this.training ? relu : tf.mul(relu, this.strides[l]));
      } else {
        out.bboxPreds.push(tf.exp(scaled));
      }
    });
    return out;
  }

  /**
   * Labels (`num_classes` = background) and distance targets of one image over all points
   * (mmdet `_get_target_single`).
   */
  getTargetSingle(points: Float32Array, pointLevel: Int32Array, sample: DetSample): { labels: Int32Array; targets: Float32Array } {
    const n = points.length / 2;
    const gt = sample.gt_bboxes ?? new Float32Array(0);
    const gtLabels = sample.gt_labels ?? new Int32Array(0);
    const g = gt.length / 4;
    const labels = new Int32Array(n).fill(this.numClasses);
    const targets = new Float32Array(n * 4);
    if (g === 0) return { labels, targets };
    for (let i = 0; i < n; i++) {
      const x = points[2 * i];
      const y = points[2 * i + 1];
      const level = pointLevel[i];
      const [lo, hi] = this.regressRanges[level];
      let best = INF;
      let bestK = -1;
      for (let k = 0; k < g; k++) {
        const [x1, y1, x2, y2] = [gt[4 * k], gt[4 * k + 1], gt[4 * k + 2], gt[4 * k + 3]];
        const l = x - x1;
        const t = y - y1;
        const r = x2 - x;
        const b = y2 - y;
        let inside: boolean;
        if (this.centerSampling) {
          const s = this.strides[level] * this.centerSampleRadius;
          const cx = (x1 + x2) / 2;
          const cy = (y1 + y2) / 2;
          const cx1 = cx - s > x1 ? cx - s : x1;
          const cy1 = cy - s > y1 ? cy - s : y1;
          const cx2 = cx + s > x2 ? x2 : cx + s;
          const cy2 = cy + s > y2 ? y2 : cy + s;
          inside = Math.min(x - cx1, y - cy1, cx2 - x, cy2 - y) > 0;
        } else {
          inside = Math.min(l, t, r, b) > 0;
        }
        const maxD = Math.max(l, t, r, b);
        if (!inside || maxD < lo || maxD > hi) continue;
        const area = (x2 - x1) * (y2 - y1);
        if (area < best) {
          best = area;
          bestK = k;
        }
      }
      if (bestK < 0) continue;
      labels[i] = gtLabels[bestK];
      const div = this.normOnBbox ? this.strides[level] : 1;
      targets[4 * i] = (x - gt[4 * bestK]) / div;
      targets[4 * i + 1] = (y - gt[4 * bestK + 1]) / div;
      targets[4 * i + 2] = (gt[4 * bestK + 2] - x) / div;
      targets[4 * i + 3] = (gt[4 * bestK + 3] - y) / div;
    }
    return { labels, targets };
  }

  /** `loss_cls` (focal / num_pos), `loss_bbox` (IoU on decoded boxes, weighted by centerness), `loss_centerness`. */
  loss(outs: FCOSOutputs, samples: DetSample[]): Record<string, tf.Scalar> {
    const featmapSizes = outs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
    const levelPoints = this.priorGenerator.gridPriors(featmapSizes);
    const nPer = levelPoints.reduce((s, p) => s + p.length / 2, 0);
    const points = new Float32Array(nPer * 2);
    const pointLevel = new Int32Array(nPer);
    let o = 0;
    levelPoints.forEach((p, l) => {
      points.set(p, 2 * o);
      pointLevel.fill(l, o, o + p.length / 2);
      o += p.length / 2;
    });
    const b = samples.length;
    // Flattened image-major over levels (predictions use the same order via flattenLevels).
    const labels = new Int32Array(nPer * b);
    const targets = new Float32Array(nPer * b * 4);
    samples.forEach((s, i) => {
      const t = this.getTargetSingle(points, pointLevel, s);
      labels.set(t.labels, i * nPer);
      targets.set(t.targets, i * nPer * 4);
    });
    const pos: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && labels[i] < this.numClasses) pos.push(i);
    const numPos = Math.max(pos.length, 1);
    const cls = AnchorHead.flattenLevels(outs.clsScores, this.clsOutChannels);
    const lossCls = this.lossCls.forward(cls, tf.tensor1d(labels, 'int32'), { avgFactor: numPos }) as tf.Scalar;
    const bboxPred = AnchorHead.flattenLevels(outs.bboxPreds, 4);
    const ctrPred = AnchorHead.flattenLevels(outs.centernesses, 1).reshape([-1]);
    if (pos.length === 0) {
      return { loss_cls: lossCls, loss_bbox: bboxPred.sum().mul(0) as tf.Scalar, loss_centerness: ctrPred.sum().mul(0) as tf.Scalar };
    }
    const posPoints = new Float32Array(pos.length * 2);
    const posTargets = new Float32Array(pos.length * 4);
    pos.forEach((i, k) => {
      const p = i % nPer;
      posPoints[2 * k] = points[2 * p];
      posPoints[2 * k + 1] = points[2 * p + 1];
      posTargets.set(targets.subarray(4 * i, 4 * i + 4), 4 * k);
    });
    const ctrTargets = fcosCenternessTarget(posTargets);
    const denorm = Math.max(ctrTargets.reduce((s, v) => s + v, 0), 1e-6);
    const idx = tf.tensor1d(pos, 'int32');
    const pts = tf.tensor2d(posPoints, [pos.length, 2]);
    const decodedPred = this.bboxCoder.decode(pts, tf.gather(bboxPred, idx) as tf.Tensor2D);
    const decodedTarget = this.bboxCoder.decode(pts, tf.tensor2d(posTargets, [pos.length, 4]));
    const ctrT = tf.tensor1d(ctrTargets);
    const lossBbox = this.lossBbox.forward(decodedPred, decodedTarget, { weight: ctrT, avgFactor: denorm }) as tf.Scalar;
    const lossCtr = this.lossCenterness.forward(tf.gather(ctrPred, idx), ctrT, { avgFactor: numPos }) as tf.Scalar;
    return { loss_cls: lossCls, loss_bbox: lossBbox, loss_centerness: lossCtr };
  }

  /** Detections of every image, scores multiplied by sigmoid(centerness). */
  getBboxes(outs: FCOSOutputs, metas: ImageMeta[], rescale: boolean): ClassDetections[][] {
    return detectDense(this.denseInputs(outs), metas, this.testCfg ?? {}, rescale);
  }

  /** What {@link detectDense} decodes: this head's outputs, priors, activation and box coder. */
  denseInputs(outs: FCOSOutputs): DenseDetectInputs {
    const featmapSizes = outs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
    return {
      ...outs,
      scoreFactors: outs.centernesses,
      priors: this.priorGenerator.gridPriors(featmapSizes),
      priorDim: 2,
      numClasses: this.numClasses,
      useSigmoid: this.clsOutChannels === this.numClasses,
      decode: (p, d, maxShape) => this.bboxCoder.decodeArray(p, d, maxShape),
    };
  }
}
