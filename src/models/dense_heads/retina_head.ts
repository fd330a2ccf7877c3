/**
 * @module Port of `mmdet/models/dense_heads/retina_head.py` (RetinaHead) @ v2.28.2.
 *
 * Two towers of `stacked_convs` 3×3 ConvModules (classification and regression) shared across
 * levels, then 3×3 convs to `A*C` class logits (`retina_cls`, bias prior 0.01) and `A*4` deltas
 * (`retina_reg`).
 */
import { tf } from '../../backend/index.js';
import { Conv2d } from '../../nn/conv2d.js';
import type { ConvModule } from '../../nn/conv_module.js';
import { ModuleList } from '../../nn/container.js';
import { applyTower, convTower } from './conv_tower.js';
import type { NormCfg } from '../../nn/norm.js';
import type { BuildContext } from '../../registry/registry.js';
import { AnchorHead, type AnchorHeadConfig } from './anchor_head.js';

/** Config of {@link RetinaHead}. */
export interface RetinaHeadConfig extends AnchorHeadConfig {
  stacked_convs?: number;
  conv_cfg?: { type: string; [k: string]: unknown } | null;
  norm_cfg?: NormCfg | null;
}

/** RetinaNet's head. */
export class RetinaHead extends AnchorHead {
  static override readonly type: string = 'RetinaHead';
  static override readonly torchName: string = 'RetinaHead';
  readonly stackedConvs: number;
  readonly convCfg: RetinaHeadConfig['conv_cfg'];
  readonly normCfg: NormCfg | null;
  cls_convs!: ModuleList<ConvModule>;
  reg_convs!: ModuleList<ConvModule>;
  retina_cls!: Conv2d;
  retina_reg!: Conv2d;

  constructor(cfg: RetinaHeadConfig, ctx: BuildContext = {}) {
    super(
      {
        ...cfg,
        anchor_generator: cfg.anchor_generator ?? {
          type: 'AnchorGenerator',
          octave_base_scale: 4,
          scales_per_octave: 3,
          ratios: [0.5, 1.0, 2.0],
          strides: [8, 16, 32, 64, 128],
        },
        init_cfg:
          cfg.init_cfg === undefined
            ? { type: 'Normal', layer: 'Conv2d', std: 0.01, override: { type: 'Normal', name: 'retina_cls', std: 0.01, bias_prob: 0.01 } }
            : cfg.init_cfg,
      },
      ctx,
    );
    this.stackedConvs = cfg.stacked_convs ?? 4;
    this.convCfg = cfg.conv_cfg ?? null;
    this.normCfg = cfg.norm_cfg ?? null;
    if (new.target === RetinaHead) this.initLayers();
  }

  protected override initLayers(): void {
    const tower = (): ModuleList<ConvModule> => convTower({ stacked: this.stackedConvs, inChannels: this.inChannels, featChannels: this.featChannels, convCfg: this.convCfg ?? null, normCfg: this.normCfg });
    this.cls_convs = this.addModule('cls_convs', tower());
    this.reg_convs = this.addModule('reg_convs', tower());
    this.retina_cls = this.addModule('retina_cls', new Conv2d({ in_channels: this.featChannels, out_channels: this.numBasePriors * this.clsOutChannels, kernel_size: 3, padding: 1 }));
    this.retina_reg = this.addModule('retina_reg', new Conv2d({ in_channels: this.featChannels, out_channels: this.numBasePriors * 4, kernel_size: 3, padding: 1 }));
  }

  override forwardSingle(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const c = applyTower(this.cls_convs, x);
    const r = applyTower(this.reg_convs, x);
    return [this.retina_cls.forward(c), this.retina_reg.forward(r)];
  }
}
