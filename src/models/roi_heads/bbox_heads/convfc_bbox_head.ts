/**
 * @module Port of `mmdet/models/roi_heads/bbox_heads/convfc_bbox_head.py` (ConvFCBBoxHead,
 * Shared2FCBBoxHead, Shared4Conv1FCBBoxHead) @ v2.28.2.
 *
 * ```
 *                             /-> cls convs -> cls fcs -> fc_cls
 * shared convs -> shared fcs
 *                             \-> reg convs -> reg fcs -> fc_reg
 * ```
 * Every fc is followed by ReLU; convs are 3×3 ConvModules.
 */
import { tf } from '../../../backend/index.js';
import { ConvModule } from '../../../nn/conv_module.js';
import { ModuleList } from '../../../nn/container.js';
import { Linear } from '../../../nn/linear.js';
import type { NormCfg } from '../../../nn/norm.js';
import type { BuildContext } from '../../../registry/registry.js';
import { linearFast } from './linear_fast.js';
import { BBoxHead, type BBoxHeadConfig, type BBoxHeadOutputs } from './bbox_head.js';
import { relu } from '../../../nn/functional.js';

/** Config of {@link ConvFCBBoxHead} (mmdet keys). */
export interface ConvFCBBoxHeadConfig extends BBoxHeadConfig {
  num_shared_convs?: number;
  num_shared_fcs?: number;
  num_cls_convs?: number;
  num_cls_fcs?: number;
  num_reg_convs?: number;
  num_reg_fcs?: number;
  conv_out_channels?: number;
  fc_out_channels?: number;
  conv_cfg?: { type: string; [k: string]: unknown } | null;
  norm_cfg?: NormCfg | null;
}

/** One branch: its convs, its fcs, and the width of its output. */
interface Branch {
  convs: ModuleList<ConvModule>;
  fcs: ModuleList<Linear>;
  lastDim: number;
}

/** mmdet's ConvFCBBoxHead. */
export class ConvFCBBoxHead extends BBoxHead {
  static override readonly type: string = 'ConvFCBBoxHead';
  static override readonly torchName: string = 'ConvFCBBoxHead';
  readonly numShared: [number, number];
  readonly numCls: [number, number];
  readonly numReg: [number, number];
  readonly convOutChannels: number;
  readonly fcOutChannels: number;
  readonly convCfg: ConvFCBBoxHeadConfig['conv_cfg'];
  readonly normCfg: NormCfg | null;
  shared_convs!: ModuleList<ConvModule>;
  shared_fcs!: ModuleList<Linear>;
  cls_convs!: ModuleList<ConvModule>;
  cls_fcs!: ModuleList<Linear>;
  reg_convs!: ModuleList<ConvModule>;
  reg_fcs!: ModuleList<Linear>;
  private sharedOut = 0;
  private clsLastDim = 0;
  private regLastDim = 0;

  constructor(cfg: ConvFCBBoxHeadConfig, ctx: BuildContext = {}) {
    super(
      {
        ...cfg,
        init_cfg:
          cfg.init_cfg === undefined
            ? [
                { type: 'Normal', std: 0.01, override: { name: 'fc_cls' } },
                { type: 'Normal', std: 0.001, override: { name: 'fc_reg' } },
                { type: 'Xavier', distribution: 'uniform', override: [{ name: 'shared_fcs' }, { name: 'cls_fcs' }, { name: 'reg_fcs' }] },
              ]
            : cfg.init_cfg,
      },
      ctx,
    );
    this.numShared = [cfg.num_shared_convs ?? 0, cfg.num_shared_fcs ?? 0];
    this.numCls = [cfg.num_cls_convs ?? 0, cfg.num_cls_fcs ?? 0];
    this.numReg = [cfg.num_reg_convs ?? 0, cfg.num_reg_fcs ?? 0];
    if (this.numShared[0] + this.numShared[1] + this.numCls[0] + this.numCls[1] + this.numReg[0] + this.numReg[1] <= 0) {
      throw new Error('ConvFCBBoxHead: at least one conv or fc layer is required');
    }
    if ((this.numCls[0] > 0 || this.numReg[0] > 0) && this.numShared[1] !== 0) {
      throw new Error('ConvFCBBoxHead: cls/reg convs need num_shared_fcs == 0');
    }
    this.convOutChannels = cfg.conv_out_channels ?? 256;
    this.fcOutChannels = cfg.fc_out_channels ?? 1024;
    this.convCfg = cfg.conv_cfg ?? null;
    this.normCfg = cfg.norm_cfg ?? null;
    if (new.target === ConvFCBBoxHead || new.target === Shared2FCBBoxHead || new.target === Shared4Conv1FCBBoxHead) this.initLayers();
  }

  /** mmdet `_add_conv_fc_branch`. */
  private branch(numConvs: number, numFcs: number, inChannels: number, isShared: boolean): Branch {
    let last = inChannels;
    const convs = new ModuleList<ConvModule>();
    for (let i = 0; i < numConvs; i++) {
      convs.append(new ConvModule({ in_channels: i === 0 ? last : this.convOutChannels, out_channels: this.convOutChannels, kernel_size: 3, padding: 1, conv_cfg: this.convCfg ?? null, norm_cfg: this.normCfg }));
    }
    if (numConvs > 0) last = this.convOutChannels;
    const fcs = new ModuleList<Linear>();
    if (numFcs > 0) {
      // a branch's first fc reads the flattened map (unless the shared part already flattened it)
      if ((isShared || this.numShared[1] === 0) && !this.withAvgPool) last *= this.roiFeatSize[0] * this.roiFeatSize[1];
      for (let i = 0; i < numFcs; i++) fcs.append(new Linear({ in_features: i === 0 ? last : this.fcOutChannels, out_features: this.fcOutChannels }));
      last = this.fcOutChannels;
    }
    return { convs, fcs, lastDim: last };
  }

  protected override initLayers(): void {
    const shared = this.branch(this.numShared[0], this.numShared[1], this.inChannels, true);
    this.shared_convs = this.addModule('shared_convs', shared.convs);
    this.shared_fcs = this.addModule('shared_fcs', shared.fcs);
    this.sharedOut = shared.lastDim;
    const cls = this.branch(this.numCls[0], this.numCls[1], this.sharedOut, false);
    this.cls_convs = this.addModule('cls_convs', cls.convs);
    this.cls_fcs = this.addModule('cls_fcs', cls.fcs);
    const reg = this.branch(this.numReg[0], this.numReg[1], this.sharedOut, false);
    this.reg_convs = this.addModule('reg_convs', reg.convs);
    this.reg_fcs = this.addModule('reg_fcs', reg.fcs);
    const area = this.roiFeatSize[0] * this.roiFeatSize[1];
    // a branch without fcs that still holds a map is flattened before its predictor
    this.clsLastDim = this.numShared[1] === 0 && this.numCls[1] === 0 ? cls.lastDim * area : cls.lastDim;
    this.regLastDim = this.numShared[1] === 0 && this.numReg[1] === 0 ? reg.lastDim * area : reg.lastDim;
    this.fc_cls = this.addModule('fc_cls', new Linear({ in_features: this.clsLastDim, out_features: this.numClasses + 1 }));
    this.fc_reg = this.addModule('fc_reg', new Linear({ in_features: this.regLastDim, out_features: this.outDimReg }));
  }

  /** Runs one branch on a map (`[N, h, w, C]`) or flat features (`[N, F]`). */
  private static runBranch(x: tf.Tensor, convs: ModuleList<ConvModule>, fcs: ModuleList<Linear>): tf.Tensor {
    let h = x;
    for (const c of convs) h = c.forward(h as tf.Tensor4D);
    // the first fc reads a map in torch's (c, h, w) order (linearFast permutes its weight instead)
    for (const fc of fcs) h = relu(linearFast(fc, h as tf.Tensor2D | tf.Tensor4D));
    return h.rank === 4 ? BBoxHead.flattenChw(h as tf.Tensor4D) : h;
  }

  override forward(x: tf.Tensor4D): BBoxHeadOutputs {
    return tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const c of this.shared_convs) h = c.forward(h as tf.Tensor4D);
      for (const fc of this.shared_fcs) h = relu(linearFast(fc, h as tf.Tensor2D | tf.Tensor4D));
      const xc = ConvFCBBoxHead.runBranch(h, this.cls_convs, this.cls_fcs);
      const xr = ConvFCBBoxHead.runBranch(h, this.reg_convs, this.reg_fcs);
      return { clsScore: linearFast(this.fc_cls, xc as tf.Tensor2D | tf.Tensor4D), bboxPred: linearFast(this.fc_reg, xr as tf.Tensor2D | tf.Tensor4D) };
    }) as BBoxHeadOutputs;
  }
}

/** Two shared fcs (Faster R-CNN's default box head). */
export class Shared2FCBBoxHead extends ConvFCBBoxHead {
  static override readonly type: string = 'Shared2FCBBoxHead';
  static override readonly torchName: string = 'Shared2FCBBoxHead';
  constructor(cfg: ConvFCBBoxHeadConfig, ctx: BuildContext = {}) {
    super({ ...cfg, num_shared_convs: 0, num_shared_fcs: 2, num_cls_convs: 0, num_cls_fcs: 0, num_reg_convs: 0, num_reg_fcs: 0, fc_out_channels: cfg.fc_out_channels ?? 1024 }, ctx);
  }
}

/** Four shared convs and one shared fc. */
export class Shared4Conv1FCBBoxHead extends ConvFCBBoxHead {
  static override readonly type: string = 'Shared4Conv1FCBBoxHead';
  static override readonly torchName: string = 'Shared4Conv1FCBBoxHead';
  constructor(cfg: ConvFCBBoxHeadConfig, ctx: BuildContext = {}) {
    super({ ...cfg, num_shared_convs: 4, num_shared_fcs: 1, num_cls_convs: 0, num_cls_fcs: 0, num_reg_convs: 0, num_reg_fcs: 0, fc_out_channels: cfg.fc_out_channels ?? 1024 }, ctx);
  }
}
