/**
 * @module Port of `mmdet/models/detectors/single_stage.py` (SingleStageDetector) and the thin
 * subclasses `RetinaNet`, `FCOS`, `ATSS` @ v2.28.2.
 *
 * backbone → neck → bbox_head; `train_cfg`/`test_cfg` are handed down to the head as mmdet does.
 * `augTest` merges test-time augmentations as mmdet's `aug_test` (dense heads' `aug_test_bboxes`).
 */
import { tf } from '../../backend/index.js';
import { BACKBONES, HEADS, NECKS } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { ClassDetections, DetBatch, DetResult, DetSample, ImageMeta } from '../../structures/det_types.js';
import { joinConfigPath } from '../../utils/config_meta.js';
import type { Module } from '../../nn/module.js';
import type { InitCfg } from '../../nn/initializers.js';
import { DetkitError } from '../../utils/errors.js';
import { detectDenseCandidates, type DenseDetectInputs, type DenseTestConfig } from '../dense_heads/dense_post_process.js';
import { augTestBboxes, type AugCandidates } from '../test_time_augs/merge_augs.js';
import { BaseDetector, type LossDict } from './base.js';

/** A config node built by a registry. */
type ComponentCfg = { type: string; [key: string]: unknown };

/** Config of {@link SingleStageDetector} (mmdet keys). */
export interface SingleStageDetectorConfig {
  backbone: ComponentCfg;
  neck?: ComponentCfg | null;
  bbox_head: ComponentCfg;
  train_cfg?: Record<string, unknown> | null;
  test_cfg?: Record<string, unknown> | null;
  pretrained?: string | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

/** What a dense head provides to its detector. */
export interface DenseHeadLike extends Module {
  readonly numClasses: number;
  forward(feats: tf.Tensor4D[]): unknown;
  loss(outs: never, samples: DetSample[]): Record<string, tf.Scalar | tf.Scalar[]>;
  getBboxes(outs: never, metas: ImageMeta[], rescale: boolean): ClassDetections[][];
  /** What the shared dense post-process decodes (for candidates before NMS in `augTest`). */
  denseInputs(outs: never): DenseDetectInputs;
  /** The head's `test_cfg` (read by {@link SingleStageDetector.augTest}). */
  readonly testCfg?: DenseTestConfig | null;
}

type ForwardModule = Module & { forward(x: never): tf.Tensor4D[] };

/** backbone + optional neck + dense head. */
export class SingleStageDetector extends BaseDetector {
  static readonly type: string = 'SingleStageDetector';
  static override readonly torchName: string = 'SingleStageDetector';
  readonly backbone: ForwardModule;
  readonly neck: ForwardModule | null;
  readonly bbox_head: DenseHeadLike;

  constructor(cfg: SingleStageDetectorConfig, ctx: BuildContext = {}) {
    super();
    if (cfg.pretrained != null) throw new Error('pretrained weights are not supported; use load_from or init_cfg');
    const sub = (key: string): BuildContext => ({ path: joinConfigPath(ctx.path, key), file: ctx.file });
    this.backbone = this.addModule('backbone', BACKBONES.build<ForwardModule>(cfg.backbone, undefined, sub('backbone')));
    this.neck = cfg.neck == null ? null : this.addModule('neck', NECKS.build<ForwardModule>(cfg.neck, undefined, sub('neck')));
    const headCfg = { ...cfg.bbox_head, train_cfg: cfg.train_cfg ?? null, test_cfg: cfg.test_cfg ?? null };
    this.bbox_head = this.addModule('bbox_head', HEADS.build<DenseHeadLike>(headCfg, undefined, sub('bbox_head')));
    this.init_cfg = cfg.init_cfg ?? null;
  }

  /** Built by the registry with its config path, so children's errors name it. */
  static fromConfig<T extends SingleStageDetector>(this: new (cfg: SingleStageDetectorConfig, ctx: BuildContext) => T, args: Record<string, unknown>, ctx: BuildContext): T {
    return new this(args as unknown as SingleStageDetectorConfig, ctx);
  }

  /** Backbone and neck features of a batch (mmdet `extract_feat`). */
  extractFeat(img: tf.Tensor4D): tf.Tensor4D[] {
    const x = this.backbone.forward(img as never);
    return this.neck === null ? x : this.neck.forward(x as never);
  }

  private imageTensor(batch: DetBatch): tf.Tensor4D {
    return tf.tensor4d(batch.img, batch.imgShape);
  }

  override forwardTrain(batch: DetBatch): LossDict {
    const feats = this.extractFeat(this.imageTensor(batch));
    return this.bbox_head.loss(this.bbox_head.forward(feats) as never, batch.samples);
  }

  override simpleTest(batch: DetBatch, rescale = true): DetResult[] {
    return this.inEvalMode(() =>
      tf.tidy(() => {
        const outs = this.bbox_head.forward(this.extractFeat(this.imageTensor(batch)));
        return this.bbox_head.getBboxes(outs as never, batch.samples.map((s) => s.meta), rescale).map((bbox) => ({ bbox }));
      }),
    );
  }

  /**
   * mmdet `SingleStageDetector.aug_test` → `BBoxTestMixin.aug_test_bboxes`: one forward pass per
   * augmentation, each image's candidates before NMS mapped back to the original image, merged and
   * reduced by class-wise NMS with the head's `test_cfg` ({@link augTestBboxes}).
   * @param augs augmentation `j` of every image in `augs[j]` (`DetBatch.augs`)
   * @param rescale boxes in original-image pixels (default true)
   */
  override augTest(augs: DetBatch[], rescale = true): DetResult[] {
    if (augs.length === 0) throw new DetkitError('MODEL_BAD_INPUT', 'aug_test needs at least one augmentation');
    return this.inEvalMode(() => {
      // perAug[j][i]: candidates of image i under augmentation j (one augmentation in memory at a time).
      const perAug = augs.map((batch) => {
        let cands: AugCandidates[] = [];
        tf.tidy(() => {
          const outs = this.bbox_head.forward(this.extractFeat(this.imageTensor(batch)));
          cands = detectDenseCandidates(this.bbox_head.denseInputs(outs as never), batch.samples.map((s) => s.meta), this.bbox_head.testCfg ?? {});
        });
        return cands;
      });
      const cfg = this.bbox_head.testCfg ?? {};
      return augs[0]!.samples.map((_, i) => ({
        bbox: augTestBboxes(
          perAug.map((p) => p[i]!),
          augs.map((b) => b.samples[i]!.meta),
          cfg,
          this.bbox_head.numClasses,
          rescale,
        ),
      }));
    });
  }
}

/** RetinaNet (Lin et al.): a SingleStageDetector with RetinaHead. */
export class RetinaNet extends SingleStageDetector {
  static override readonly type: string = 'RetinaNet';
  static override readonly torchName: string = 'RetinaNet';
}

/** FCOS (Tian et al.): a SingleStageDetector with FCOSHead. */
export class FCOS extends SingleStageDetector {
  static override readonly type: string = 'FCOS';
  static override readonly torchName: string = 'FCOS';
}

/** ATSS (Zhang et al.): a SingleStageDetector with ATSSHead. */
export class ATSS extends SingleStageDetector {
  static override readonly type: string = 'ATSS';
  static override readonly torchName: string = 'ATSS';
}
