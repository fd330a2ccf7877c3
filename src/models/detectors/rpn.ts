/**
 * @module Port of `mmdet/models/detectors/rpn.py` (RPN) @ v2.28.2.
 *
 * backbone → neck → RPNHead as a detector of its own: trains `loss_rpn_cls` / `loss_rpn_bbox` and
 * tests to class-agnostic proposals (`test_cfg.rpn`), returned as a one-class result
 * (`bbox[0]` = `[n, 5]` proposals, rescaled to the original image when `rescale`).
 */
import { tf } from '../../backend/index.js';
import { BACKBONES, HEADS, NECKS } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { DetBatch, DetResult } from '../../structures/det_types.js';
import { joinConfigPath } from '../../utils/config_meta.js';
import type { Module } from '../../nn/module.js';
import type { InitCfg } from '../../nn/initializers.js';
import type { RPNHead, RPNProposalConfig } from '../dense_heads/rpn_head.js';
import { BaseDetector, type LossDict } from './base.js';

/** Config of {@link RPN} (mmdet keys). */
export interface RPNConfig {
  backbone: { type: string; [key: string]: unknown };
  neck?: { type: string; [key: string]: unknown } | null;
  rpn_head: { type: string; [key: string]: unknown };
  train_cfg?: { rpn?: Record<string, unknown>; [k: string]: unknown } | null;
  test_cfg?: { rpn?: RPNProposalConfig; [k: string]: unknown } | null;
  pretrained?: string | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

type ForwardModule = Module & { forward(x: never): tf.Tensor4D[] };

/** Region proposal network detector. */
export class RPN extends BaseDetector {
  static readonly type: string = 'RPN';
  static override readonly torchName: string = 'RPN';
  readonly backbone: ForwardModule;
  readonly neck: ForwardModule | null;
  readonly rpn_head: RPNHead;

  constructor(cfg: RPNConfig, ctx: BuildContext = {}) {
    super();
    if (cfg.pretrained != null) throw new Error('pretrained weights are not supported; use load_from or init_cfg');
    const sub = (key: string): BuildContext => ({ path: joinConfigPath(ctx.path, key), file: ctx.file });
    this.backbone = this.addModule('backbone', BACKBONES.build<ForwardModule>(cfg.backbone, undefined, sub('backbone')));
    this.neck = cfg.neck == null ? null : this.addModule('neck', NECKS.build<ForwardModule>(cfg.neck, undefined, sub('neck')));
    const headCfg = { ...cfg.rpn_head, train_cfg: cfg.train_cfg?.rpn ?? null, test_cfg: cfg.test_cfg?.rpn ?? null };
    this.rpn_head = this.addModule('rpn_head', HEADS.build<RPNHead>(headCfg, undefined, sub('rpn_head')));
    this.init_cfg = cfg.init_cfg ?? null;
  }

  /** Built by the registry with its config path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): RPN {
    return new RPN(args as unknown as RPNConfig, ctx);
  }

  /** Backbone and neck features (mmdet `extract_feat`). */
  extractFeat(img: tf.Tensor4D): tf.Tensor4D[] {
    const x = this.backbone.forward(img as never);
    return this.neck === null ? x : this.neck.forward(x as never);
  }

  override forwardTrain(batch: DetBatch): LossDict {
    const feats = this.extractFeat(tf.tensor4d(batch.img, batch.imgShape));
    return this.rpn_head.loss(this.rpn_head.forward(feats), batch.samples);
  }

  override simpleTest(batch: DetBatch, rescale = true): DetResult[] {
    return this.inEvalMode(() =>
      tf.tidy(() => {
        const outs = this.rpn_head.forward(this.extractFeat(tf.tensor4d(batch.img, batch.imgShape)));
        return this.rpn_head.getProposals(outs, batch.samples.map((s) => s.meta), null, rescale).map((p) => ({ bbox: [p] }));
      }),
    );
  }
}
