/**
 * @module Port of `mmdet/models/dense_heads/anchor_head.py` (AnchorHead) @ v2.28.2.
 *
 * Anchor-based dense head: per level a classification map `[B, H, W, A*C]` and a regression map
 * `[B, H, W, A*4]` (NHWC; the flattening order (y, x, anchor, class) equals mmdet's
 * `permute(0, 2, 3, 1)`). Targets are computed per image on typed arrays, losses on tensors.
 */
import { tf } from '../../backend/index.js';
import { Module } from '../../nn/module.js';
import { Conv2d } from '../../nn/conv2d.js';
import { BBOX_ASSIGNERS, BBOX_CODERS, BBOX_SAMPLERS, LOSSES, PRIOR_GENERATORS } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { ClassDetections, DetSample, ImageMeta } from '../../structures/det_types.js';
import { joinConfigPath } from '../../utils/config_meta.js';
import type { InitCfg } from '../../nn/initializers.js';
import type { AnchorGenerator } from '../task_modules/prior_generators/anchor_generator.js';
import type { DeltaXYWHBBoxCoder } from '../task_modules/coders/delta_xywh_bbox_coder.js';
import type { AssignResult } from '../task_modules/assigners/assign_result.js';
import type { SamplingResult } from '../task_modules/samplers/sampling_result.js';
import { PseudoSampler } from '../task_modules/samplers/pseudo_sampler.js';
import type { LossCallOptions } from '../losses/utils.js';
import { detectDense, type DenseDetectInputs, type DenseTestConfig } from './dense_post_process.js';

/** A loss module as heads use it. */
export interface LossLike {
  forward(pred: tf.Tensor, target: tf.Tensor, opts?: LossCallOptions): tf.Tensor;
  /** Sigmoid classification losses expose it (mmdet `loss_cls.use_sigmoid`). */
  readonly useSigmoid?: boolean;
}

/** An assigner as anchor heads use it. */
export interface AssignerLike {
  assign(bboxes: Float32Array, gtBboxes: Float32Array, gtBboxesIgnore?: Float32Array | null, gtLabels?: Int32Array | null): AssignResult;
}

/** A sampler as anchor heads use it. */
export interface SamplerLike {
  sample(assign: AssignResult, bboxes: Float32Array, gtBboxes: Float32Array, gtLabels?: Int32Array | null): SamplingResult;
}

/** A config node built by a registry. */
export type ComponentCfg = { type: string; [key: string]: unknown };

/** Dense-head `train_cfg` (mmdet keys). */
export interface AnchorTrainConfig {
  assigner: ComponentCfg;
  sampler?: ComponentCfg;
  /** Anchors further than this outside the image are ignored (-1: keep all valid). */
  allowed_border?: number;
  /** Weight of positive classification samples (≤ 0: 1). */
  pos_weight?: number;
  debug?: boolean;
  [key: string]: unknown;
}

/** Config of {@link AnchorHead} (mmdet keys). */
export interface AnchorHeadConfig {
  num_classes: number;
  in_channels: number;
  feat_channels?: number;
  anchor_generator?: ComponentCfg;
  bbox_coder?: ComponentCfg;
  reg_decoded_bbox?: boolean;
  loss_cls?: ComponentCfg;
  loss_bbox?: ComponentCfg;
  train_cfg?: AnchorTrainConfig | null;
  test_cfg?: DenseTestConfig | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

/** Raw head outputs, one tensor per level. */
export interface DenseHeadOutputs {
  /** `[B, H, W, A*C]` per level. */
  clsScores: tf.Tensor4D[];
  /** `[B, H, W, A*4]` per level. */
  bboxPreds: tf.Tensor4D[];
}

/** Targets of a batch, flattened image-major over all levels (mmdet `get_targets`, concatenated). */
export interface AnchorTargets {
  labels: Int32Array;
  labelWeights: Float32Array;
  bboxTargets: Float32Array;
  bboxWeights: Float32Array;
  /** Σ over images of max(#pos, 1) (mmdet `num_total_pos`). */
  numTotalPos: number;
  numTotalNeg: number;
}

/** Builds a child component, naming its config path in errors. */
export function buildChild<T>(registry: { build<R>(cfg: ComponentCfg, d?: Record<string, unknown>, c?: BuildContext): R }, cfg: ComponentCfg, ctx: BuildContext, key: string): T {
  return registry.build<T>(cfg, undefined, { path: joinConfigPath(ctx.path, key), file: ctx.file });
}

/** How many of the (ascending) flat indices `idx` fall in each level of `perLevel` sizes. */
function levelCounts(perLevel: number[], idx: number[]): number[] {
  const counts = perLevel.map(() => 0);
  let level = 0;
  let end = perLevel[0];
  for (const i of idx) {
    while (i >= end) end += perLevel[++level];
    counts[level]++;
  }
  return counts;
}

/** mmdet's AnchorHead (1×1 conv_cls and conv_reg); RetinaHead and RPNHead extend it. */
export class AnchorHead extends Module {
  static readonly type: string = 'AnchorHead';
  static override readonly torchName: string = 'AnchorHead';
  readonly numClasses: number;
  readonly inChannels: number;
  readonly featChannels: number;
  readonly useSigmoidCls: boolean;
  readonly clsOutChannels: number;
  /** Whether negatives are sampled (false for focal-style losses). */
  readonly sampling: boolean;
  readonly regDecodedBbox: boolean;
  readonly anchorGenerator: AnchorGenerator;
  readonly bboxCoder: DeltaXYWHBBoxCoder;
  readonly lossCls: LossLike;
  readonly lossBbox: LossLike;
  readonly trainCfg: AnchorTrainConfig | null;
  readonly testCfg: DenseTestConfig | null;
  readonly assigner: AssignerLike | null;
  readonly sampler: SamplerLike | null;
  private readonly anchorCache = new Map<string, { flat: Float32Array; perLevel: number[] }>();

  constructor(cfg: AnchorHeadConfig, ctx: BuildContext = {}) {
    super();
    this.numClasses = cfg.num_classes;
    this.inChannels = cfg.in_channels;
    this.featChannels = cfg.feat_channels ?? 256;
    const lossClsCfg = cfg.loss_cls ?? { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 };
    this.useSigmoidCls = (lossClsCfg.use_sigmoid as boolean | undefined) ?? false;
    this.clsOutChannels = this.useSigmoidCls ? this.numClasses : this.numClasses + 1;
    if (this.clsOutChannels <= 0) throw new Error(`num_classes=${this.numClasses} is too small`);
    this.sampling = !['FocalLoss', 'GHMC', 'QualityFocalLoss'].includes(lossClsCfg.type);
    this.regDecodedBbox = cfg.reg_decoded_bbox ?? false;
    this.anchorGenerator = buildChild(PRIOR_GENERATORS, cfg.anchor_generator ?? { type: 'AnchorGenerator', scales: [8, 16, 32], ratios: [0.5, 1.0, 2.0], strides: [4, 8, 16, 32, 64] }, ctx, 'anchor_generator');
    this.bboxCoder = buildChild(BBOX_CODERS, cfg.bbox_coder ?? { type: 'DeltaXYWHBBoxCoder', clip_border: true, target_means: [0, 0, 0, 0], target_stds: [1, 1, 1, 1] }, ctx, 'bbox_coder');
    this.lossCls = buildChild(LOSSES, lossClsCfg, ctx, 'loss_cls');
    this.lossBbox = buildChild(LOSSES, cfg.loss_bbox ?? { type: 'SmoothL1Loss', beta: 1.0 / 9.0, loss_weight: 1.0 }, ctx, 'loss_bbox');
    this.trainCfg = cfg.train_cfg ?? null;
    this.testCfg = cfg.test_cfg ?? null;
    if (this.trainCfg !== null) {
      const tctx = { path: joinConfigPath(ctx.path, 'train_cfg'), file: ctx.file };
      this.assigner = buildChild(BBOX_ASSIGNERS, this.trainCfg.assigner, tctx, 'assigner');
      this.sampler = this.trainCfg.sampler !== undefined ? buildChild(BBOX_SAMPLERS, this.trainCfg.sampler, tctx, 'sampler') : new PseudoSampler();
    } else {
      this.assigner = null;
      this.sampler = null;
    }
    this.init_cfg = cfg.init_cfg === undefined ? { type: 'Normal', layer: 'Conv2d', std: 0.01 } : cfg.init_cfg;
    // Each concrete class creates its layers at the end of its own constructor, once its fields are set.
    if (new.target === AnchorHead) this.initLayers();
  }

  /** Built by the registry with its config path, so children's errors name it (subclasses inherit it). */
  static fromConfig<T extends AnchorHead>(this: new (cfg: AnchorHeadConfig, ctx: BuildContext) => T, args: Record<string, unknown>, ctx: BuildContext): T {
    return new this(args as unknown as AnchorHeadConfig, ctx);
  }

  /** Anchors per location (mmdet `num_base_priors`). */
  get numBasePriors(): number {
    return this.anchorGenerator.numBaseAnchors[0];
  }

  /** Creates the head's layers (mmdet `_init_layers`). */
  protected initLayers(): void {
    this.addModule('conv_cls', new Conv2d({ in_channels: this.inChannels, out_channels: this.numBasePriors * this.clsOutChannels, kernel_size: 1 }));
    this.addModule('conv_reg', new Conv2d({ in_channels: this.inChannels, out_channels: this.numBasePriors * 4, kernel_size: 1 }));
  }

  /** One level's `[cls_score, bbox_pred]` (mmdet `forward_single`). */
  forwardSingle(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    return [(this.getChild('conv_cls') as Conv2d).forward(x), (this.getChild('conv_reg') as Conv2d).forward(x)];
  }

  /** Outputs of every level. */
  forward(feats: tf.Tensor4D[]): DenseHeadOutputs {
    const clsScores: tf.Tensor4D[] = [];
    const bboxPreds: tf.Tensor4D[] = [];
    for (const x of feats) {
      const [c, b] = this.forwardSingle(x);
      clsScores.push(c);
      bboxPreds.push(b);
    }
    return { clsScores, bboxPreds };
  }

  /** Flat anchors of all levels for these feature-map sizes (cached per size). */
  anchorsFor(featmapSizes: Array<[number, number]>): { flat: Float32Array; perLevel: number[] } {
    const key = featmapSizes.map((s) => s.join('x')).join(',');
    let hit = this.anchorCache.get(key);
    if (hit === undefined) {
      const levels = this.anchorGenerator.gridPriors(featmapSizes);
      const flat = new Float32Array(levels.reduce((s, l) => s + l.length, 0));
      let o = 0;
      for (const l of levels) {
        flat.set(l, o);
        o += l.length;
      }
      hit = { flat, perLevel: levels.map((l) => l.length / 4) };
      this.anchorCache.set(key, hit);
    }
    return hit;
  }

  /** Flat valid flags of all levels for one image. */
  validFlagsFor(featmapSizes: Array<[number, number]>, meta: ImageMeta): Uint8Array {
    const levels = this.anchorGenerator.validFlags(featmapSizes, [meta.pad_shape[0], meta.pad_shape[1]]);
    const flat = new Uint8Array(levels.reduce((s, l) => s + l.length, 0));
    let o = 0;
    for (const l of levels) {
      flat.set(l, o);
      o += l.length;
    }
    return flat;
  }

  /**
   * Targets of one image over all anchors (mmdet `_get_targets_single` with `unmap_outputs`).
   * @returns labels (`num_classes` = background), weights, box targets, and the positive/negative counts
   */
  getTargetsSingle(anchors: Float32Array, perLevel: number[], valid: Uint8Array, sample: DetSample): Omit<AnchorTargets, 'numTotalPos' | 'numTotalNeg'> & { numPos: number; numNeg: number } {
    if (this.assigner === null || this.sampler === null) throw new Error(`${(this.constructor as typeof AnchorHead).type}: train_cfg is required for training`);
    const n = anchors.length / 4;
    const [h, w] = sample.meta.img_shape;
    const border = this.trainCfg?.allowed_border ?? -1;
    const insideIdx: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!valid[i]) continue;
      if (border >= 0) {
        const a = 4 * i;
        if (!(anchors[a] >= -border && anchors[a + 1] >= -border && anchors[a + 2] < w + border && anchors[a + 3] < h + border)) continue;
      }
      insideIdx.push(i);
    }
    const labels = new Int32Array(n).fill(this.numClasses);
    const labelWeights = new Float32Array(n);
    const bboxTargets = new Float32Array(n * 4);
    const bboxWeights = new Float32Array(n * 4);
    const inside = new Float32Array(insideIdx.length * 4);
    insideIdx.forEach((i, j) => inside.set(anchors.subarray(4 * i, 4 * i + 4), 4 * j));
    const gtBboxes = sample.gt_bboxes ?? new Float32Array(0);
    const gtLabels = sample.gt_labels ?? new Int32Array(0);
    const assign = this.assign(inside, levelCounts(perLevel, insideIdx), gtBboxes, sample.gt_bboxes_ignore ?? null, this.sampling ? null : gtLabels);
    const res = this.sampler.sample(assign, inside, gtBboxes, gtLabels);
    if (res.posInds.length > 0) {
      const targets = this.regDecodedBbox ? res.posGtBboxes : this.bboxCoder.encode(res.posBboxes, res.posGtBboxes);
      const posWeight = this.trainCfg?.pos_weight ?? -1;
      res.posInds.forEach((pj, k) => {
        const i = insideIdx[pj];
        bboxTargets.set(targets.subarray(4 * k, 4 * k + 4), 4 * i);
        bboxWeights.fill(1, 4 * i, 4 * i + 4);
        labels[i] = gtLabels.length === 0 ? 0 : gtLabels[res.posAssignedGtInds[k]];
        labelWeights[i] = posWeight <= 0 ? 1 : posWeight;
      });
    }
    for (const nj of res.negInds) labelWeights[insideIdx[nj]] = 1;
    return { labels, labelWeights, bboxTargets, bboxWeights, numPos: res.posInds.length, numNeg: res.negInds.length };
  }

  /**
   * Runs the assigner on the anchors kept for one image (ATSS overrides it to pass per-level counts).
   * @param numLevelInside kept anchors per level
   */
  protected assign(inside: Float32Array, _numLevelInside: number[], gtBboxes: Float32Array, ignore: Float32Array | null, gtLabels: Int32Array | null): AssignResult {
    return (this.assigner as AssignerLike).assign(inside, gtBboxes, ignore, gtLabels);
  }

  /** Targets of a batch, concatenated image-major (mmdet `get_targets` + level concatenation). */
  getTargets(featmapSizes: Array<[number, number]>, samples: DetSample[]): AnchorTargets {
    const { flat, perLevel } = this.anchorsFor(featmapSizes);
    const n = flat.length / 4;
    const out: AnchorTargets = {
      labels: new Int32Array(n * samples.length),
      labelWeights: new Float32Array(n * samples.length),
      bboxTargets: new Float32Array(n * 4 * samples.length),
      bboxWeights: new Float32Array(n * 4 * samples.length),
      numTotalPos: 0,
      numTotalNeg: 0,
    };
    samples.forEach((s, b) => {
      const t = this.getTargetsSingle(flat, perLevel, this.validFlagsFor(featmapSizes, s.meta), s);
      out.labels.set(t.labels, b * n);
      out.labelWeights.set(t.labelWeights, b * n);
      out.bboxTargets.set(t.bboxTargets, b * n * 4);
      out.bboxWeights.set(t.bboxWeights, b * n * 4);
      out.numTotalPos += Math.max(t.numPos, 1);
      out.numTotalNeg += Math.max(t.numNeg, 1);
    });
    return out;
  }

  /** `[B*N, k]` image-major flattening of per-level `[B, H, W, A*k]` maps. */
  static flattenLevels(maps: tf.Tensor4D[], k: number): tf.Tensor2D {
    const b = maps[0].shape[0];
    const parts = maps.map((m) => m.reshape([b, -1, k]));
    return tf.concat(parts, 1).reshape([-1, k]) as tf.Tensor2D;
  }

  /**
   * Losses of a batch (mmdet `loss`): `loss_cls` and `loss_bbox`, each averaged by the number of
   * positives (plus negatives when sampling).
   */
  loss(outs: DenseHeadOutputs, samples: DetSample[]): Record<string, tf.Scalar> {
    const featmapSizes = outs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
    const t = this.getTargets(featmapSizes, samples);
    const numTotalSamples = this.sampling ? t.numTotalPos + t.numTotalNeg : t.numTotalPos;
    const cls = AnchorHead.flattenLevels(outs.clsScores, this.clsOutChannels);
    const labels = tf.tensor1d(t.labels, 'int32');
    const labelWeights = tf.tensor1d(t.labelWeights);
    const lossCls = this.lossCls.forward(cls, labels, { weight: labelWeights, avgFactor: numTotalSamples }) as tf.Scalar;
    let pred = AnchorHead.flattenLevels(outs.bboxPreds, 4);
    if (this.regDecodedBbox) {
      const { flat } = this.anchorsFor(featmapSizes);
      const all = new Float32Array(flat.length * samples.length);
      samples.forEach((_, b) => all.set(flat, b * flat.length));
      pred = this.bboxCoder.decode(tf.tensor2d(all, [all.length / 4, 4]), pred);
    }
    const lossBbox = this.lossBbox.forward(pred, tf.tensor2d(t.bboxTargets, [t.bboxTargets.length / 4, 4]), {
      weight: tf.tensor2d(t.bboxWeights, [t.bboxWeights.length / 4, 4]),
      avgFactor: numTotalSamples,
    }) as tf.Scalar;
    return { loss_cls: lossCls, loss_bbox: lossBbox };
  }

  /**
   * Detections of every image (mmdet `get_bboxes` → `bbox2result`), in original-image pixels when
   * `rescale`.
   */
  getBboxes(outs: DenseHeadOutputs, metas: ImageMeta[], rescale: boolean): ClassDetections[][] {
    return detectDense(this.denseInputs(outs), metas, this.testCfg ?? {}, rescale);
  }

  /** What {@link detectDense} decodes: this head's outputs, priors, activation and box coder. */
  denseInputs(outs: DenseHeadOutputs): DenseDetectInputs {
    const featmapSizes = outs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
    return {
      ...outs,
      scoreFactors: null,
      priors: this.anchorGenerator.gridPriors(featmapSizes),
      priorDim: 4,
      numClasses: this.numClasses,
      useSigmoid: this.useSigmoidCls,
      decode: (a, d, maxShape) => this.bboxCoder.decodeArray(a, d, maxShape),
    };
  }
}
