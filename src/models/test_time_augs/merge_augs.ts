/**
 * @module Port of `bbox_mapping` / `bbox_mapping_back` (`mmdet/core/bbox/transforms.py`), of the dense
 * heads' test-time augmentation merge (`BBoxTestMixin.merge_aug_bboxes` / `aug_test_bboxes` in
 * `mmdet/models/dense_heads/dense_test_mixins.py`) and of the two-stage merges
 * (`merge_aug_proposals`, `merge_aug_bboxes`, `merge_aug_masks` in
 * `mmdet/core/post_processing/merge_augs.py`) @ v2.28.2, on typed arrays.
 *
 * Single-stage: each augmentation's detection candidates (before NMS, in its own `img_shape`
 * pixels) are mapped back to the original image (undo the flip, divide by `scale_factor`),
 * concatenated, and reduced by class-wise NMS with the head's `test_cfg` (`nms`, `max_per_img`).
 * Two-stage: the RPN's proposals of every augmentation are mapped back, concatenated and reduced by
 * NMS; the R-CNN boxes and scores of the augmentations (one row per merged proposal in every
 * augmentation) are mapped back and averaged, as are the mask probabilities (flipped back).
 */
import { batchedNms, bbox2result, nms, type FlipDirection, type NmsConfig } from '../../ops/index.js';
import { bboxFlipArray } from '../../structures/bbox_array.js';
import type { ClassDetections, ImageMeta } from '../../structures/det_types.js';
import { ValueError } from '../../utils/errors.js';

/** A Resize `scale_factor` as `[w, h, w, h]` (a single factor repeated). */
function scale4(scaleFactor: readonly number[]): readonly number[] {
  return scaleFactor.length === 4 ? scaleFactor : [scaleFactor[0]!, scaleFactor[0]!, scaleFactor[0]!, scaleFactor[0]!];
}

/**
 * mmdet `bbox_mapping_back`: boxes predicted on an augmented image back to the original image.
 * Float32 arithmetic as torch: `x' = w − x2` (flip), then `/ scale_factor`.
 * @param bboxes `[n*4]` x1,y1,x2,y2 in the augmented image's `img_shape` pixels
 * @param imgShape `[h, w, ...]` of the augmented image (after Resize, before Pad)
 * @param scaleFactor `[w, h, w, h]` of its Resize
 * @returns `[n*4]` boxes in original-image pixels (a new array)
 */
export function bboxMappingBack(bboxes: Float32Array, imgShape: readonly number[], scaleFactor: readonly number[], flip: boolean, flipDirection: FlipDirection | null = 'horizontal'): Float32Array {
  const h = imgShape[0]!;
  const w = imgShape[1]!;
  const out = flip ? bboxFlipArray(bboxes, h, w, flipDirection ?? 'horizontal') : Float32Array.from(bboxes);
  const sf = Float32Array.from(scale4(scaleFactor));
  for (let i = 0; i < out.length; i += 4) for (let c = 0; c < 4; c++) out[i + c] = out[i + c]! / sf[c]!;
  return out;
}

/**
 * mmdet `bbox_mapping`: boxes of the original image into an augmented image (the inverse of
 * {@link bboxMappingBack}): `× scale_factor`, then the flip in the augmented image.
 * @param bboxes `[n*4]` x1,y1,x2,y2 in original-image pixels (any number of 4-column groups per row)
 * @param imgShape `[h, w, ...]` of the augmented image (after Resize, before Pad)
 * @param scaleFactor `[w, h, w, h]` of its Resize
 * @returns `[n*4]` boxes in the augmented image's pixels (a new array)
 */
export function bboxMapping(bboxes: Float32Array, imgShape: readonly number[], scaleFactor: readonly number[], flip: boolean, flipDirection: FlipDirection | null = 'horizontal'): Float32Array {
  const sf = scale4(scaleFactor);
  const out = new Float32Array(bboxes.length);
  for (let i = 0; i < out.length; i += 4) for (let c = 0; c < 4; c++) out[i + c] = bboxes[i + c]! * sf[c]!;
  return flip ? bboxFlipArray(out, imgShape[0]!, imgShape[1]!, flipDirection ?? 'horizontal') : out;
}

/** One image's detection candidates of one augmentation, before NMS (mmdet `get_bboxes(with_nms=False)`). */
export interface AugCandidates {
  /** `[n*4]` x1,y1,x2,y2 in that augmentation's `img_shape` pixels. */
  bboxes: Float32Array;
  /** `[n]` scores (score factors such as centerness already multiplied in). */
  scores: Float32Array;
  /** `[n]` 0-based classes. */
  labels: Int32Array;
}

/** The `test_cfg` keys the merge reads. */
export interface AugTestConfig {
  nms?: NmsConfig;
  /** Detections kept per image (default 100). */
  max_per_img?: number;
}

/**
 * mmdet `BBoxTestMixin.merge_aug_bboxes`: every augmentation's boxes mapped back to the original
 * image and concatenated, with their scores and labels.
 * @param metas the augmentation's image metas, same order as `augs`
 */
export function mergeAugBboxes(augs: readonly AugCandidates[], metas: readonly ImageMeta[]): AugCandidates {
  const parts = augs.map((a, j) => {
    const m = metas[j]!;
    return bboxMappingBack(a.bboxes, m.img_shape, m.scale_factor, m.flip, m.flip_direction);
  });
  const n = augs.reduce((s, a) => s + a.scores.length, 0);
  const out: AugCandidates = { bboxes: new Float32Array(4 * n), scores: new Float32Array(n), labels: new Int32Array(n) };
  let k = 0;
  augs.forEach((a, j) => {
    out.bboxes.set(parts[j]!, 4 * k);
    out.scores.set(a.scores, k);
    out.labels.set(a.labels, k);
    k += a.scores.length;
  });
  return out;
}

/**
 * mmdet `BBoxTestMixin.aug_test_bboxes` after the per-augmentation forward passes: merge
 * ({@link mergeAugBboxes}), class-wise NMS with `cfg.nms`, keep `max_per_img`, then per-class arrays.
 * @param rescale boxes in original-image pixels (mmdet `rescale=True`); else in the first
 *   augmentation's scale (multiplied by its `scale_factor`, as mmdet)
 */
export function augTestBboxes(augs: readonly AugCandidates[], metas: readonly ImageMeta[], cfg: AugTestConfig, numClasses: number, rescale: boolean): ClassDetections[] {
  const merged = mergeAugBboxes(augs, metas);
  if (merged.scores.length === 0) return bbox2result(new Float32Array(0), new Int32Array(0), numClasses);
  const { dets, keep } = batchedNms(merged.bboxes, merged.scores, merged.labels, cfg.nms ?? { type: 'nms', iou_threshold: 0.5 });
  const maxPer = cfg.max_per_img ?? 100;
  const n = maxPer > 0 ? Math.min(maxPer, keep.length) : keep.length;
  const kept = dets.slice(0, n * 5);
  if (!rescale) {
    const sf = metas[0]!.scale_factor;
    for (let i = 0; i < n; i++) for (let c = 0; c < 4; c++) kept[5 * i + c] = kept[5 * i + c]! * sf[c]!;
  }
  return bbox2result(kept, Int32Array.from(keep.subarray(0, n), (i) => merged.labels[i]!), numClasses);
}

/** The RPN `test_cfg` keys {@link mergeAugProposals} reads. */
export interface AugProposalConfig {
  /** Required: `{type: 'nms', iou_threshold}`. */
  nms?: NmsConfig | null;
  /** Proposals kept per image (default 1000, as the RPN head's). */
  max_per_img?: number;
}

/**
 * mmdet `merge_aug_proposals`: one image's proposals of every augmentation mapped back to the
 * original image, concatenated, NMS at `cfg.nms.iou_threshold` (over all of them, not per level),
 * and the `max_per_img` best kept.
 * @param augProposals per augmentation `[n_j, 5]` proposals `x1, y1, x2, y2, score` in that
 *   augmentation's `img_shape` pixels
 * @param metas the image's meta in each augmentation, same order
 * @returns `[k, 5]` proposals in original-image pixels, by descending score
 * @throws ValueError `RPN_BAD_PROPOSAL_CFG` when `cfg.nms` has no `iou_threshold`
 */
export function mergeAugProposals(augProposals: readonly Float32Array[], metas: readonly ImageMeta[], cfg: AugProposalConfig): Float32Array {
  const iou = cfg.nms?.iou_threshold;
  if (typeof iou !== 'number') {
    throw new ValueError('RPN_BAD_PROPOSAL_CFG', 'merge_aug_proposals: the RPN test_cfg has no `nms.iou_threshold`.', {
      hint: "set model.test_cfg.rpn.nms = {type: 'nms', iou_threshold: 0.7}",
    });
  }
  const n = augProposals.reduce((s, p) => s + p.length / 5, 0);
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  let k = 0;
  augProposals.forEach((p, j) => {
    const m = metas[j]!;
    const rows = p.length / 5;
    const b = new Float32Array(4 * rows);
    for (let i = 0; i < rows; i++) {
      b.set(p.subarray(5 * i, 5 * i + 4), 4 * i);
      scores[k + i] = p[5 * i + 4]!;
    }
    boxes.set(bboxMappingBack(b, m.img_shape, m.scale_factor, m.flip, m.flip_direction), 4 * k);
    k += rows;
  });
  const keep = nms(boxes, scores, iou);
  const maxPer = cfg.max_per_img ?? 1000;
  const num = maxPer > 0 ? Math.min(maxPer, keep.length) : keep.length;
  const out = new Float32Array(5 * num);
  for (let i = 0; i < num; i++) {
    const r = keep[i]!;
    out.set(boxes.subarray(4 * r, 4 * r + 4), 5 * i);
    out[5 * i + 4] = scores[r]!;
  }
  return out;
}

/**
 * mmdet `merge_aug_bboxes` (`core/post_processing`, the R-CNN merge): every augmentation's decoded
 * boxes mapped back to the original image, then the element-wise mean of the boxes and of the
 * scores over the augmentations. Row `i` of every augmentation belongs to the same proposal.
 * @param augBboxes per augmentation `[n, 4k]` boxes (k = classes, or 1 class-agnostic) in its `img_shape` pixels
 * @param augScores per augmentation `[n, C+1]` scores
 * @returns the mean boxes `[n, 4k]` in original-image pixels and the mean scores `[n, C+1]`
 */
export function mergeAugRcnnBboxes(augBboxes: readonly Float32Array[], augScores: readonly Float32Array[], metas: readonly ImageMeta[]): { bboxes: Float32Array; scores: Float32Array } {
  const a = augBboxes.length;
  const bsum = new Float64Array(augBboxes[0]?.length ?? 0);
  augBboxes.forEach((b, j) => {
    const m = metas[j]!;
    const back = bboxMappingBack(b, m.img_shape, m.scale_factor, m.flip, m.flip_direction);
    for (let i = 0; i < bsum.length; i++) bsum[i] += back[i]!;
  });
  const ssum = new Float64Array(augScores[0]?.length ?? 0);
  for (const s of augScores) for (let i = 0; i < ssum.length; i++) ssum[i] += s[i]!;
  return { bboxes: Float32Array.from(bsum, (v) => v / a), scores: Float32Array.from(ssum, (v) => v / a) };
}

/**
 * mmdet `merge_aug_masks`: each augmentation's mask probabilities flipped back (horizontal: columns
 * reversed; vertical: rows; diagonal: both), then the mean over the augmentations.
 * @param augMasks per augmentation `[n, m, m]` row-major probabilities (one map per detection)
 * @param m side of a map
 * @returns `[n, m, m]` mean probabilities
 */
export function mergeAugMasks(augMasks: readonly Float32Array[], metas: readonly ImageMeta[], m: number): Float32Array {
  const sum = new Float64Array(augMasks[0]?.length ?? 0);
  augMasks.forEach((mask, j) => {
    const meta = metas[j]!;
    const dir = meta.flip ? (meta.flip_direction ?? 'horizontal') : null;
    const fx = dir === 'horizontal' || dir === 'diagonal';
    const fy = dir === 'vertical' || dir === 'diagonal';
    for (let base = 0; base < sum.length; base += m * m) {
      for (let y = 0; y < m; y++) {
        const sy = fy ? m - 1 - y : y;
        for (let x = 0; x < m; x++) sum[base + y * m + x] += mask[base + sy * m + (fx ? m - 1 - x : x)]!;
      }
    }
  });
  return Float32Array.from(sum, (v) => v / augMasks.length);
}
