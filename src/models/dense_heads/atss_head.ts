/**
 * @module Port of `mmdet/models/dense_heads/atss_head.py` (ATSSHead) @ v2.28.2.
 *
 * An anchor head with GroupNorm towers, a per-level learnable `Scale` on the regression, and a
 * centerness branch. Targets come from the ATSSAssigner (per-level candidate counts); boxes are
 * regressed as decoded boxes under a GIoU loss weighted by centerness targets.
 */
import { tf } from '../../backend/index.js';
import { Conv2d } from '../../nn/conv2d.js';
import type { ConvModule } from '../../nn/conv_module.js';
import { ModuleList } from '../../nn/container.js';
import { applyTower, convTower } from './conv_tower.js';
import type { NormCfg } from '../../nn/norm.js';
import { Scale } from '../../nn/scale.js';
import { LOSSES } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { DetSample } from '../../structures/det_types.js';
import type { AssignResult } from '../task_modules/assigners/assign_result.js';
import type { ATSSAssigner } from '../task_modules/assigners/atss_assigner.js';
import { AnchorHead, buildChild, type AnchorHeadConfig, type ComponentCfg, type LossLike } from './anchor_head.js';
import type { DenseDetectInputs } from './dense_post_process.js';

/** Config of {@link ATSSHead}. */
export interface ATSSHeadConfig extends AnchorHeadConfig {
  pred_kernel_size?: number;
  stacked_convs?: number;
  conv_cfg?: ComponentCfg | null;
  norm_cfg?: NormCfg | null;
  loss_centerness?: ComponentCfg;
}

/** Outputs of {@link ATSSHead.forward}: per level `[B, H, W, A*k]`. */
export interface ATSSOutputs {
  clsScores: tf.Tensor4D[];
  bboxPreds: tf.Tensor4D[];
  centernesses: tf.Tensor4D[];
}

/** mmdet `centerness_target`: sqrt(min(l,r)/max(l,r) · min(t,b)/max(t,b)) of anchor centres in gt boxes. */
export function atssCenternessTarget(anchors: Float32Array, gts: Float32Array): Float32Array {
  const n = anchors.length / 4;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const cx = (anchors[4 * i] + anchors[4 * i + 2]) / 2;
    const cy = (anchors[4 * i + 1] + anchors[4 * i + 3]) / 2;
    const l = cx - gts[4 * i];
    const t = cy - gts[4 * i + 1];
    const r = gts[4 * i + 2] - cx;
    const b = gts[4 * i + 3] - cy;
    out[i] = Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
  }
  return out;
}

/** ATSS's head. */
export class ATSSHead extends AnchorHead {
  static override readonly type: string = 'ATSSHead';
  static override readonly torchName: string = 'ATSSHead';
  readonly predKernelSize: number;
  readonly stackedConvs: number;
  readonly convCfg: ComponentCfg | null;
  readonly normCfg: NormCfg | null;
  readonly lossCenterness: LossLike;
  cls_convs!: ModuleList<ConvModule>;
  reg_convs!: ModuleList<ConvModule>;
  atss_cls!: Conv2d;
  atss_reg!: Conv2d;
  atss_centerness!: Conv2d;
  scales!: ModuleList<Scale>;

  constructor(cfg: ATSSHeadConfig, ctx: BuildContext = {}) {
    super(
      {
        ...cfg,
        reg_decoded_bbox: cfg.reg_decoded_bbox ?? true,
        init_cfg:
          cfg.init_cfg === undefined
            ? { type: 'Normal', layer: 'Conv2d', std: 0.01, override: { type: 'Normal', name: 'atss_cls', std: 0.01, bias_prob: 0.01 } }
            : cfg.init_cfg,
      },
      ctx,
    );
    this.predKernelSize = cfg.pred_kernel_size ?? 3;
    this.stackedConvs = cfg.stacked_convs ?? 4;
    this.convCfg = cfg.conv_cfg ?? null;
    this.normCfg = cfg.norm_cfg === undefined ? { type: 'GN', num_groups: 32, requires_grad: true } : cfg.norm_cfg;
    this.lossCenterness = buildChild(LOSSES, cfg.loss_centerness ?? { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 }, ctx, 'loss_centerness');
    if (new.target === ATSSHead) this.initLayers();
  }

  protected override initLayers(): void {
    const tower = (): ModuleList<ConvModule> => convTower({ stacked: this.stackedConvs, inChannels: this.inChannels, featChannels: this.featChannels, convCfg: this.convCfg, normCfg: this.normCfg });
    const pad = Math.floor(this.predKernelSize / 2);
    const a = this.numBasePriors;
    this.cls_convs = this.addModule('cls_convs', tower());
    this.reg_convs = this.addModule('reg_convs', tower());
    const conv = (out: number): Conv2d => new Conv2d({ in_channels: this.featChannels, out_channels: out, kernel_size: this.predKernelSize, padding: pad });
    this.atss_cls = this.addModule('atss_cls', conv(a * this.clsOutChannels));
    this.atss_reg = this.addModule('atss_reg', conv(a * 4));
    this.atss_centerness = this.addModule('atss_centerness', conv(a));
    this.scales = this.addModule('scales', new ModuleList(this.anchorGenerator.strides.map(() => new Scale({ scale: 1.0 }))));
  }

  protected override assign(inside: Float32Array, numLevelInside: number[], gtBboxes: Float32Array, ignore: Float32Array | null, gtLabels: Int32Array | null): AssignResult {
    return (this.assigner as unknown as ATSSAssigner).assign(inside, numLevelInside, gtBboxes, ignore, gtLabels);
  }

  /** Per level: class logits, box deltas (scaled), centerness logits. */
  override forward(feats: tf.Tensor4D[]): ATSSOutputs & { bboxPreds: tf.Tensor4D[] } {
    const out: ATSSOutputs = { clsScores: [], bboxPreds: [], centernesses: [] };
    feats.forEach((x, l) => {
      const c = applyTower(this.cls_convs, x);
      const r = applyTower(this.reg_convs, x);
      out.clsScores.push(this.atss_cls.forward(c));
      out.bboxPreds.push(this.scales.at(l).forward(this.atss_reg.forward(r)));
      out.centernesses.push(this.atss_centerness.forward(r));
    });
    return out;
  }

  /** `loss_cls` (focal), `loss_bbox` (GIoU on decoded boxes, weighted by centerness), `loss_centerness`. */
  override loss(outs: ATSSOutputs, samples: DetSample[]): Record<string, tf.Scalar> {
    const featmapSizes = outs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
    const t = this.getTargets(featmapSizes, samples);
    const numTotalSamples = Math.max(t.numTotalPos, 1);
    const cls = AnchorHead.flattenLevels(outs.clsScores, this.clsOutChannels);
    const lossCls = this.lossCls.forward(cls, tf.tensor1d(t.labels, 'int32'), { weight: tf.tensor1d(t.labelWeights), avgFactor: numTotalSamples }) as tf.Scalar;
    const { flat } = this.anchorsFor(featmapSizes);
    const perImage = flat.length / 4;
    const pos: number[] = [];
    for (let i = 0; i < t.labels.length; i++) if (t.labels[i] >= 0 && t.labels[i] < this.numClasses) pos.push(i);
    const bboxPred = AnchorHead.flattenLevels(outs.bboxPreds, 4);
    const ctrPred = AnchorHead.flattenLevels(outs.centernesses, 1).reshape([-1]);
    if (pos.length === 0) {
      return { loss_cls: lossCls, loss_bbox: bboxPred.sum().mul(0) as tf.Scalar, loss_centerness: ctrPred.sum().mul(0) as tf.Scalar };
    }
    const posAnchors = new Float32Array(pos.length * 4);
    const posTargets = new Float32Array(pos.length * 4);
    pos.forEach((i, k) => {
      const a = i % perImage;
      posAnchors.set(flat.subarray(4 * a, 4 * a + 4), 4 * k);
      posTargets.set(t.bboxTargets.subarray(4 * i, 4 * i + 4), 4 * k);
    });
    const ctrTargets = atssCenternessTarget(posAnchors, posTargets);
    const ctrSum = ctrTargets.reduce((s, v) => s + v, 0);
    const idx = tf.tensor1d(pos, 'int32');
    const decoded = this.bboxCoder.decode(tf.tensor2d(posAnchors, [pos.length, 4]), tf.gather(bboxPred, idx) as tf.Tensor2D);
    const ctrT = tf.tensor1d(ctrTargets);
    const lossBbox = this.lossBbox.forward(decoded, tf.tensor2d(posTargets, [pos.length, 4]), { weight: ctrT, avgFactor: 1.0 }).div(Math.max(ctrSum, 1)) as tf.Scalar;
    const lossCtr = this.lossCenterness.forward(tf.gather(ctrPred, idx), ctrT, { avgFactor: numTotalSamples }) as tf.Scalar;
    return { loss_cls: lossCls, loss_bbox: lossBbox, loss_centerness: lossCtr };
  }

  /** AnchorHead's inputs with scores multiplied by sigmoid(centerness) (mmdet `score_factors`). */
  override denseInputs(outs: ATSSOutputs): DenseDetectInputs {
    const featmapSizes = outs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
    return {
      ...outs,
      scoreFactors: outs.centernesses,
      priors: this.anchorGenerator.gridPriors(featmapSizes),
      priorDim: 4,
      numClasses: this.numClasses,
      useSigmoid: true,
      decode: (a, d, maxShape) => this.bboxCoder.decodeArray(a, d, maxShape),
    };
  }
}
