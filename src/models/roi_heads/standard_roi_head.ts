/**
 * @module Port of `mmdet/models/roi_heads/standard_roi_head.py` (StandardRoIHead, with
 * `base_roi_head.py` and `test_mixins.py`) @ v2.28.2.
 *
 * Training: per image, assign the proposals to the gts (`train_cfg.assigner`), sample RoIs
 * (`train_cfg.sampler`, gts added as proposals), pool their features, run the box head and its
 * loss; with a mask branch, pool the positive RoIs again for the mask head. Testing: pool every
 * proposal, decode class-specific boxes, `multiclass_nms`, then (mask branch) pool the detected
 * boxes and paste their masks into the image.
 */
import { tf } from '../../backend/index.js';
import { Module } from '../../nn/module.js';
import type { InitCfg } from '../../nn/initializers.js';
import { bbox2result } from '../../ops/index.js';
import { BBOX_ASSIGNERS, BBOX_SAMPLERS, HEADS, ROI_EXTRACTORS } from '../../registry/root.js';
import type { BuildContext } from '../../registry/registry.js';
import type { ClassDetections, DetSample, ImageMeta, InstanceMasks, RLE } from '../../structures/det_types.js';
import { joinConfigPath } from '../../utils/config_meta.js';
import { ValueError } from '../../utils/errors.js';
import { buildChild, type AssignerLike, type ComponentCfg, type SamplerLike } from '../dense_heads/anchor_head.js';
import type { SamplingResult } from '../task_modules/samplers/sampling_result.js';
import type { BBoxHead, RCNNTestConfig, RCNNTrainConfig } from './bbox_heads/bbox_head.js';
import type { SingleRoIExtractor } from './roi_extractors/single_level_roi_extractor.js';
import { bboxMapping, mergeAugMasks, mergeAugRcnnBboxes } from '../test_time_augs/merge_augs.js';

/** Config of {@link StandardRoIHead} (mmdet keys). */
export interface StandardRoIHeadConfig {
  bbox_roi_extractor?: ComponentCfg | null;
  bbox_head?: ComponentCfg | null;
  mask_roi_extractor?: ComponentCfg | null;
  mask_head?: ComponentCfg | null;
  shared_head?: ComponentCfg | null;
  train_cfg?: RCNNTrainConfig | null;
  test_cfg?: RCNNTestConfig | null;
  pretrained?: string | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

/** What the RoI head needs of a mask head (see `FCNMaskHead`). */
export interface MaskHeadLike extends Module {
  /** `[K, h, w, C]` RoI features → `[K, m, m, numClasses]` (or 1 channel) mask logits. */
  forward(x: tf.Tensor4D): tf.Tensor4D;
  /** `[P, m, m]` binary targets of the positive RoIs of every image, concatenated. */
  getTargets(results: SamplingResult[], gtMasks: InstanceMasks[], trainCfg: RCNNTrainConfig): Float32Array;
  /** `{loss_mask}`. */
  loss(pred: tf.Tensor4D, targets: Float32Array, labels: Int32Array): Record<string, tf.Scalar>;
  /** Per-class RLEs of one image's detections (`[m*m]` probabilities per detection), thresholded at `maskThr`. */
  getSegMasks(probs: Float32Array, dets: Float32Array, labels: Int32Array, meta: ImageMeta, rescale: boolean, numClasses: number, maskThr: number): RLE[][];
}

/** Per-image detections of the RoI head. */
export interface RoIHeadResult {
  bbox: ClassDetections[];
  segm?: RLE[][];
}

/** mmdet's StandardRoIHead (bbox branch, mask branch when `mask_head` is set). */
export class StandardRoIHead extends Module {
  static readonly type: string = 'StandardRoIHead';
  static override readonly torchName: string = 'StandardRoIHead';
  readonly bbox_roi_extractor: SingleRoIExtractor;
  readonly bbox_head: BBoxHead;
  readonly mask_roi_extractor: SingleRoIExtractor | null;
  readonly mask_head: MaskHeadLike | null;
  readonly trainCfg: RCNNTrainConfig | null;
  readonly testCfg: RCNNTestConfig | null;
  readonly assigner: AssignerLike | null;
  readonly sampler: SamplerLike | null;

  constructor(cfg: StandardRoIHeadConfig, ctx: BuildContext = {}) {
    super();
    const at = (key: string): BuildContext => ({ path: joinConfigPath(ctx.path, key), file: ctx.file });
    if (cfg.shared_head != null) throw new Error('StandardRoIHead: shared_head is not supported');
    if (cfg.bbox_roi_extractor == null || cfg.bbox_head == null) throw new Error('StandardRoIHead: bbox_roi_extractor and bbox_head are required');
    this.bbox_roi_extractor = this.addModule('bbox_roi_extractor', ROI_EXTRACTORS.build<SingleRoIExtractor>(cfg.bbox_roi_extractor, undefined, at('bbox_roi_extractor')));
    this.bbox_head = this.addModule('bbox_head', HEADS.build<BBoxHead>(cfg.bbox_head, undefined, at('bbox_head')));
    if (cfg.mask_head != null) {
      // mmdet: without its own extractor the mask branch shares the box branch's (share_roi_extractor)
      this.mask_roi_extractor = cfg.mask_roi_extractor != null ? this.addModule('mask_roi_extractor', ROI_EXTRACTORS.build<SingleRoIExtractor>(cfg.mask_roi_extractor, undefined, at('mask_roi_extractor'))) : this.bbox_roi_extractor;
      this.mask_head = this.addModule('mask_head', HEADS.build<MaskHeadLike>(cfg.mask_head, undefined, at('mask_head')));
    } else {
      this.mask_roi_extractor = null;
      this.mask_head = null;
    }
    this.trainCfg = cfg.train_cfg ?? null;
    this.testCfg = cfg.test_cfg ?? null;
    if (this.trainCfg !== null) {
      const tctx = at('train_cfg');
      this.assigner = buildChild(BBOX_ASSIGNERS, this.trainCfg.assigner, tctx, 'assigner');
      this.sampler = buildChild(BBOX_SAMPLERS, this.trainCfg.sampler, tctx, 'sampler');
    } else {
      this.assigner = null;
      this.sampler = null;
    }
    this.init_cfg = cfg.init_cfg ?? null;
  }

  /** Built by the registry with its config path. */
  static fromConfig<T extends StandardRoIHead>(this: new (cfg: StandardRoIHeadConfig, ctx: BuildContext) => T, args: Record<string, unknown>, ctx: BuildContext): T {
    return new this(args as unknown as StandardRoIHeadConfig, ctx);
  }

  /** mmdet `with_mask`. */
  get withMask(): boolean {
    return this.mask_head !== null;
  }

  /**
   * Assigns and samples the proposals of each image (mmdet `forward_train`, first loop).
   * @param proposals per image `[n, 5]` proposals `x1, y1, x2, y2, score`
   */
  sampleRois(proposals: Float32Array[], samples: DetSample[]): SamplingResult[] {
    if (this.assigner === null || this.sampler === null) throw new Error('StandardRoIHead: train_cfg is required for training');
    return samples.map((s, b) => {
      const boxes = stripScores(proposals[b]);
      const gt = s.gt_bboxes ?? new Float32Array(0);
      const labels = s.gt_labels ?? new Int32Array(0);
      const assign = (this.assigner as AssignerLike).assign(boxes, gt, s.gt_bboxes_ignore ?? null, labels);
      return (this.sampler as SamplerLike).sample(assign, boxes, gt, labels);
    });
  }

  /**
   * Losses of the box (and mask) branch: `loss_cls`, `acc`, `loss_bbox` (, `loss_mask`).
   * @param feats neck outputs, finest first
   * @param proposals per image `[n, 5]` proposals (constants)
   */
  forwardTrain(feats: tf.Tensor4D[], proposals: Float32Array[], samples: DetSample[]): Record<string, tf.Scalar> {
    const results = this.sampleRois(proposals, samples);
    const rois = toRois(results.map((r) => r.bboxes));
    const roisT = tf.tensor2d(rois, [rois.length / 5, 5]);
    const bboxFeats = this.bbox_roi_extractor.forward(feats, roisT);
    const outs = this.bbox_head.forward(bboxFeats);
    const targets = this.bbox_head.getTargets(results, samples.map((s) => s.gt_labels ?? new Int32Array(0)), this.trainCfg?.pos_weight ?? -1);
    const losses = this.bbox_head.loss(outs, rois, targets);
    if (this.mask_head !== null && this.mask_roi_extractor !== null) {
      const posRois = toRois(results.map((r) => r.posBboxes));
      const numPos = posRois.length / 5;
      const gtMasks = samples.map((s, b) => {
        if (s.gt_masks === undefined) {
          throw new ValueError('MASK_NO_GT_MASKS', `StandardRoIHead: image ${b} (${s.meta.filename}) has no gt_masks`, {
            file: s.meta.filename,
            hint: "add with_mask=True to LoadAnnotations and 'gt_masks' to Collect's keys in the train pipeline",
          });
        }
        return s.gt_masks;
      });
      const labels = new Int32Array(numPos);
      let o = 0;
      for (const r of results) for (let k = 0; k < r.posInds.length; k++) labels[o++] = r.posGtLabels !== null ? r.posGtLabels[k] : 0;
      if (numPos === 0) {
        losses.loss_mask = tf.scalar(0);
      } else {
        const maskFeats = this.mask_roi_extractor.forward(feats, tf.tensor2d(posRois, [numPos, 5]));
        const pred = this.mask_head.forward(maskFeats);
        const targets = this.mask_head.getTargets(results, gtMasks, this.trainCfg as RCNNTrainConfig);
        Object.assign(losses, this.mask_head.loss(pred, targets, labels));
      }
    }
    return losses;
  }

  /**
   * Detections of every image (mmdet `simple_test`), in original-image pixels when `rescale`.
   * @param proposals per image `[n, 5]` proposals in `img_shape` pixels
   */
  simpleTest(feats: tf.Tensor4D[], proposals: Float32Array[], metas: ImageMeta[], rescale: boolean): RoIHeadResult[] {
    const cfg = this.testCfg ?? {};
    const numClasses = this.bbox_head.numClasses;
    const rois = toRois(proposals.map(stripScores));
    const k = rois.length / 5;
    const dets: Array<{ dets: Float32Array; labels: Int32Array }> = metas.map(() => ({ dets: new Float32Array(0), labels: new Int32Array(0) }));
    if (k > 0) {
      const [scores, deltas] = tf.tidy(() => {
        const outs = this.bbox_head.forward(this.bbox_roi_extractor.forward(feats, tf.tensor2d(rois, [k, 5])));
        return [tf.softmax(outs.clsScore).dataSync() as Float32Array, outs.bboxPred.dataSync() as Float32Array];
      });
      const c1 = numClasses + 1;
      const dr = this.bbox_head.outDimReg;
      let o = 0;
      metas.forEach((meta, b) => {
        const n = proposals[b].length / 5;
        if (n > 0) {
          dets[b] = this.bbox_head.getBboxes(rois.subarray(5 * o, 5 * (o + n)), scores.subarray(c1 * o, c1 * (o + n)), deltas.subarray(dr * o, dr * (o + n)), meta.img_shape, meta.scale_factor, rescale, cfg);
        }
        o += n;
      });
    }
    const results: RoIHeadResult[] = dets.map((d) => ({ bbox: bbox2result(d.dets, d.labels, numClasses) }));
    if (this.mask_head !== null) {
      const maskHead = this.mask_head;
      metas.forEach((meta, b) => {
        const { dets: d, labels } = dets[b];
        const n = d.length / 5;
        if (n === 0) {
          results[b].segm = Array.from({ length: numClasses }, () => []);
          return;
        }
        // mask RoIs are the detections in img_shape pixels (mmdet rescales them back)
        // (column 0, the batch index, is left at 0: maskProbs reads image b's features)
        const r = new Float32Array(n * 5);
        for (let i = 0; i < n; i++) for (let c = 0; c < 4; c++) r[5 * i + 1 + c] = d[5 * i + c] * (rescale ? meta.scale_factor[c] : 1);
        const probs = this.maskProbs(feats, b, r, labels);
        results[b].segm = maskHead.getSegMasks(probs, d, labels, meta, rescale, numClasses, (cfg.mask_thr_binary as number | undefined) ?? 0.5);
      });
    }
    return results;
  }

  /**
   * Sigmoid mask probabilities of one image's boxes (mmdet `_mask_forward` + the class channel of
   * each box), as plain numbers.
   * @param feats neck outputs of the batch, finest first
   * @param b the image's index in the batch
   * @param rois `[n, 5]` RoIs in that image's `img_shape` pixels (batch index ignored)
   * @param labels `[n]` classes whose map is taken (class-agnostic heads: their only map)
   * @returns `[n, m, m]` row-major probabilities
   */
  maskProbs(feats: tf.Tensor4D[], b: number, rois: Float32Array, labels: Int32Array): Float32Array {
    const maskHead = this.mask_head;
    const extractor = this.mask_roi_extractor;
    if (maskHead === null || extractor === null) throw new Error('StandardRoIHead: no mask branch');
    const n = labels.length;
    const r = rois.slice();
    for (let i = 0; i < n; i++) r[5 * i] = 0;
    return tf.tidy(() => {
      const featsB = feats.map((f) => f.slice([b, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D);
      const logits = maskHead.forward(extractor.forward(featsB, tf.tensor2d(r, [n, 5])));
      const [, mh, mw, ch] = logits.shape;
      // each detection's own class channel (or the only one when class-agnostic)
      const cls = ch === 1 ? tf.zeros([n], 'int32') : tf.tensor1d(labels, 'int32');
      const sel = logits.reshape([n, mh * mw, ch]).mul(tf.oneHot(cls, ch).toFloat().reshape([n, 1, ch])).sum(2);
      return tf.sigmoid(sel).dataSync() as Float32Array;
    });
  }

  /**
   * Detections of every image from several test-time augmentations (mmdet `aug_test` →
   * `aug_test_bboxes` + `aug_test_mask`). For each augmentation, the merged proposals are mapped into
   * its image (`bbox_mapping`) and run through the box head; each proposal's decoded boxes (clipped
   * to that augmentation's `img_shape`) and scores are mapped back and averaged over the
   * augmentations (`merge_aug_bboxes`), then `multiclass_nms` with `test_cfg`. With a mask branch the
   * detections are mapped into every augmentation again, their mask probabilities flipped back and
   * averaged (`merge_aug_masks`) and pasted once at `ori_shape`.
   * Porting note: mmdet handles one image per batch here; detkit runs every image of the batch.
   * @param featsPerAug neck outputs of augmentation `j` (the whole batch) in `featsPerAug[j]`
   * @param proposals per image `[n, 5]` merged proposals in original-image pixels
   * @param metasPerAug `metasPerAug[j][i]`: image `i` under augmentation `j`
   * @param rescale boxes in original-image pixels; else in the first augmentation's scale (masks
   *   stay at `ori_shape`, as mmdet)
   */
  augTest(featsPerAug: tf.Tensor4D[][], proposals: Float32Array[], metasPerAug: ImageMeta[][], rescale: boolean): RoIHeadResult[] {
    const cfg = this.testCfg ?? {};
    const numClasses = this.bbox_head.numClasses;
    const c1 = numClasses + 1;
    const dr = this.bbox_head.outDimReg;
    const nImg = proposals.length;
    const counts = proposals.map((p) => p.length / 5);
    const total = counts.reduce((a, b) => a + b, 0);
    // augBoxes[i][j] / augScores[i][j]: image i's decoded boxes / scores under augmentation j
    const augBoxes: Float32Array[][] = proposals.map(() => []);
    const augScores: Float32Array[][] = proposals.map(() => []);
    if (total > 0) {
      featsPerAug.forEach((feats, j) => {
        const metas = metasPerAug[j]!;
        const mapped = proposals.map((p, i) => bboxMapping(stripScores(p), metas[i]!.img_shape, metas[i]!.scale_factor, metas[i]!.flip, metas[i]!.flip_direction));
        const rois = toRois(mapped);
        const [scores, deltas] = tf.tidy(() => {
          const outs = this.bbox_head.forward(this.bbox_roi_extractor.forward(feats, tf.tensor2d(rois, [total, 5])));
          return [tf.softmax(outs.clsScore).dataSync() as Float32Array, outs.bboxPred.dataSync() as Float32Array];
        });
        let o = 0;
        for (let i = 0; i < nImg; i++) {
          const n = counts[i]!;
          augBoxes[i]!.push(this.bbox_head.decodeBboxes(rois.subarray(5 * o, 5 * (o + n)), deltas.subarray(dr * o, dr * (o + n)), metas[i]!.img_shape));
          augScores[i]!.push(scores.subarray(c1 * o, c1 * (o + n)));
          o += n;
        }
      });
    }
    return proposals.map((_, i) => {
      const imgMetas = metasPerAug.map((m) => m[i]!);
      let dets: Float32Array = new Float32Array(0);
      let labels: Int32Array = new Int32Array(0);
      if (counts[i]! > 0) {
        const merged = mergeAugRcnnBboxes(augBoxes[i]!, augScores[i]!, imgMetas);
        ({ dets, labels } = this.bbox_head.nmsBboxes(merged.bboxes, merged.scores, cfg));
      }
      const shown = dets.slice();
      if (!rescale) {
        const sf = imgMetas[0]!.scale_factor;
        for (let k = 0; k < shown.length / 5; k++) for (let c = 0; c < 4; c++) shown[5 * k + c] = shown[5 * k + c]! * sf[c]!;
      }
      const result: RoIHeadResult = { bbox: bbox2result(shown, labels, numClasses) };
      if (this.mask_head !== null) {
        const n = labels.length;
        if (n === 0) {
          result.segm = Array.from({ length: numClasses }, () => []);
        } else {
          const boxes = stripScores(dets);
          const augMasks = featsPerAug.map((feats, j) => {
            const m = imgMetas[j]!;
            return this.maskProbs(feats, i, toRois([bboxMapping(boxes, m.img_shape, m.scale_factor, m.flip, m.flip_direction)]), labels);
          });
          const side = Math.round(Math.sqrt(augMasks[0]!.length / n));
          const probs = mergeAugMasks(augMasks, imgMetas, side);
          // dets are in original-image pixels: paste at ori_shape (mmdet: scale_factor ones, rescale=False)
          result.segm = this.mask_head.getSegMasks(probs, dets, labels, imgMetas[0]!, true, numClasses, (cfg.mask_thr_binary as number | undefined) ?? 0.5);
        }
      }
      return result;
    });
  }
}

/** `[n, 4]` boxes of `[n, 5]` proposals. */
function stripScores(p: Float32Array): Float32Array {
  const n = p.length / 5;
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) out.set(p.subarray(5 * i, 5 * i + 4), 4 * i);
  return out;
}

/** mmdet `bbox2roi` on typed arrays: `[batch_idx, x1, y1, x2, y2]` rows of every image's `[n, 4]` boxes. */
function toRois(boxes: Float32Array[]): Float32Array {
  const out = new Float32Array(boxes.reduce((s, b) => s + (b.length / 4) * 5, 0));
  let o = 0;
  boxes.forEach((bx, b) => {
    for (let i = 0; i < bx.length / 4; i++, o++) {
      out[5 * o] = b;
      out.set(bx.subarray(4 * i, 4 * i + 4), 5 * o + 1);
    }
  });
  return out;
}
