/**
 * @module Port of `mmdet/models/detectors/two_stage.py` (TwoStageDetector) and the thin subclasses
 * `faster_rcnn.py` (FasterRCNN), `mask_rcnn.py` (MaskRCNN) @ v2.28.2.
 *
 * backbone → neck → RPN head (proposals, `loss_rpn_cls` / `loss_rpn_bbox`) → RoI head
 * (`loss_cls`, `acc`, `loss_bbox`, `loss_mask`). `train_cfg.rpn` / `test_cfg.rpn` go to the RPN head,
 * `train_cfg.rcnn` / `test_cfg.rcnn` to the RoI head; training proposals use
 * `train_cfg.rpn_proposal` (falling back to `test_cfg.rpn`). Proposals are constants: no gradient
 * flows from the RoI head into the RPN's box predictions (as mmdet, which detaches them).
 * `augTest` merges test-time augmentations as mmdet's `aug_test` (`aug_test_rpn`, then the RoI
 * head's `aug_test`).
 */
import { tf } from '../../backend/index.js';
import { BACKBONES, HEADS, NECKS } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { DetBatch, DetResult } from '../../structures/det_types.js';
import { joinConfigPath } from '../../utils/config_meta.js';
import type { Module } from '../../nn/module.js';
import type { InitCfg } from '../../nn/initializers.js';
import type { RPNHead, RPNProposalConfig } from '../dense_heads/rpn_head.js';
import type { StandardRoIHead } from '../roi_heads/standard_roi_head.js';
import { DetkitError } from '../../utils/errors.js';
import { mergeAugProposals } from '../test_time_augs/merge_augs.js';
import { BaseDetector, type LossDict } from './base.js';

/** A config node built by a registry. */
type ComponentCfg = { type: string; [key: string]: unknown };

/** Config of {@link TwoStageDetector} (mmdet keys). */
export interface TwoStageDetectorConfig {
  backbone: ComponentCfg;
  neck?: ComponentCfg | null;
  rpn_head?: ComponentCfg | null;
  roi_head?: ComponentCfg | null;
  train_cfg?: { rpn?: Record<string, unknown>; rpn_proposal?: RPNProposalConfig; rcnn?: Record<string, unknown>; [k: string]: unknown } | null;
  test_cfg?: { rpn?: RPNProposalConfig; rcnn?: Record<string, unknown>; [k: string]: unknown } | null;
  pretrained?: string | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

type ForwardModule = Module & { forward(x: never): tf.Tensor4D[] };

/** backbone + neck + RPN + RoI head. */
export class TwoStageDetector extends BaseDetector {
  static readonly type: string = 'TwoStageDetector';
  static override readonly torchName: string = 'TwoStageDetector';
  readonly backbone: ForwardModule;
  readonly neck: ForwardModule | null;
  readonly rpn_head: RPNHead | null;
  readonly roi_head: StandardRoIHead | null;
  readonly trainCfg: TwoStageDetectorConfig['train_cfg'];
  readonly testCfg: TwoStageDetectorConfig['test_cfg'];

  constructor(cfg: TwoStageDetectorConfig, ctx: BuildContext = {}) {
    super();
    if (cfg.pretrained != null) throw new Error('pretrained weights are not supported; use load_from or init_cfg');
    const sub = (key: string): BuildContext => ({ path: joinConfigPath(ctx.path, key), file: ctx.file });
    this.trainCfg = cfg.train_cfg ?? null;
    this.testCfg = cfg.test_cfg ?? null;
    this.backbone = this.addModule('backbone', BACKBONES.build<ForwardModule>(cfg.backbone, undefined, sub('backbone')));
    this.neck = cfg.neck == null ? null : this.addModule('neck', NECKS.build<ForwardModule>(cfg.neck, undefined, sub('neck')));
    if (cfg.rpn_head != null) {
      const rpnCfg = { ...cfg.rpn_head, train_cfg: this.trainCfg?.rpn ?? null, test_cfg: this.testCfg?.rpn ?? null };
      this.rpn_head = this.addModule('rpn_head', HEADS.build<RPNHead>(rpnCfg, undefined, sub('rpn_head')));
    } else {
      this.rpn_head = null;
    }
    if (cfg.roi_head != null) {
      const roiCfg = { ...cfg.roi_head, train_cfg: this.trainCfg?.rcnn ?? null, test_cfg: this.testCfg?.rcnn ?? null };
      this.roi_head = this.addModule('roi_head', HEADS.build<StandardRoIHead>(roiCfg, undefined, sub('roi_head')));
    } else {
      this.roi_head = null;
    }
    this.init_cfg = cfg.init_cfg ?? null;
  }

  /** Built by the registry with its config path, so children's errors name it. */
  static fromConfig<T extends TwoStageDetector>(this: new (cfg: TwoStageDetectorConfig, ctx: BuildContext) => T, args: Record<string, unknown>, ctx: BuildContext): T {
    return new this(args as unknown as TwoStageDetectorConfig, ctx);
  }

  /** Backbone and neck features of a batch (mmdet `extract_feat`). */
  extractFeat(img: tf.Tensor4D): tf.Tensor4D[] {
    const x = this.backbone.forward(img as never);
    return this.neck === null ? x : this.neck.forward(x as never);
  }

  private requireHeads(): { rpn: RPNHead; roi: StandardRoIHead } {
    if (this.rpn_head === null || this.roi_head === null) {
      throw new Error(`${this.modelName}: rpn_head and roi_head are required (precomputed proposals are not supported)`);
    }
    return { rpn: this.rpn_head, roi: this.roi_head };
  }

  override forwardTrain(batch: DetBatch): LossDict {
    const { rpn, roi } = this.requireHeads();
    const feats = this.extractFeat(tf.tensor4d(batch.img, batch.imgShape));
    const outs = rpn.forward(feats);
    const losses: LossDict = { ...rpn.loss(outs, batch.samples) };
    const proposalCfg = this.trainCfg?.rpn_proposal ?? this.testCfg?.rpn ?? null;
    const proposals = rpn.getProposals(outs, batch.samples.map((s) => s.meta), proposalCfg);
    Object.assign(losses, roi.forwardTrain(feats, proposals, batch.samples));
    return losses;
  }

  override simpleTest(batch: DetBatch, rescale = true): DetResult[] {
    const { rpn, roi } = this.requireHeads();
    return this.inEvalMode(() => {
      let results: DetResult[] = [];
      tf.tidy(() => {
        const metas = batch.samples.map((s) => s.meta);
        const feats = this.extractFeat(tf.tensor4d(batch.img, batch.imgShape));
        const proposals = rpn.getProposals(rpn.forward(feats), metas);
        results = roi.simpleTest(feats, proposals, metas, rescale);
      });
      return results;
    });
  }

  /**
   * mmdet `TwoStageDetector.aug_test`: features of every augmentation, the RPN's proposals of each
   * (`test_cfg.rpn`) merged per image in original-image pixels (`aug_test_rpn` →
   * `merge_aug_proposals`: map back, concatenate, NMS at `test_cfg.rpn.nms`, `max_per_img`), then the
   * RoI head's `aug_test` (box scores and boxes averaged over the augmentations, `multiclass_nms`
   * with `test_cfg.rcnn`; masks averaged, see {@link StandardRoIHead.augTest}).
   * @param augs augmentation `j` of every image in `augs[j]` (`DetBatch.augs`)
   * @param rescale boxes in original-image pixels (default true)
   * @throws DetkitError `MODEL_BAD_INPUT` for no augmentation
   */
  override augTest(augs: DetBatch[], rescale = true): DetResult[] {
    if (augs.length === 0) throw new DetkitError('MODEL_BAD_INPUT', 'aug_test needs at least one augmentation');
    const { rpn, roi } = this.requireHeads();
    return this.inEvalMode(() => {
      let results: DetResult[] = [];
      tf.tidy(() => {
        const metasPerAug = augs.map((b) => b.samples.map((s) => s.meta));
        const featsPerAug = augs.map((b) => this.extractFeat(tf.tensor4d(b.img, b.imgShape)));
        // perAug[j][i]: proposals of image i under augmentation j, in its img_shape pixels
        const perAug = featsPerAug.map((feats, j) => {
          let props: Float32Array[] = [];
          tf.tidy(() => {
            props = rpn.getProposals(rpn.forward(feats), metasPerAug[j]!);
          });
          return props;
        });
        const rpnCfg = rpn.testCfg ?? {};
        const merged = metasPerAug[0]!.map((_, i) => mergeAugProposals(perAug.map((p) => p[i]!), metasPerAug.map((m) => m[i]!), rpnCfg));
        results = roi.augTest(featsPerAug, merged, metasPerAug, rescale);
      });
      return results;
    });
  }
}

/** Faster R-CNN (Ren et al.): a TwoStageDetector with RPNHead and StandardRoIHead. */
export class FasterRCNN extends TwoStageDetector {
  static override readonly type: string = 'FasterRCNN';
  static override readonly torchName: string = 'FasterRCNN';
}

/** Mask R-CNN (He et al.): a TwoStageDetector whose RoI head has a mask branch. */
export class MaskRCNN extends TwoStageDetector {
  static override readonly type: string = 'MaskRCNN';
  static override readonly torchName: string = 'MaskRCNN';
}
