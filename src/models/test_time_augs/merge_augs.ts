/**
 * @module Port of `bbox_mapping_back` (`mmdet/core/bbox/transforms.py`) and of the dense heads' test-time
 * augmentation merge (`BBoxTestMixin.merge_aug_bboxes` / `aug_test_bboxes` in
 * `mmdet/models/dense_heads/dense_test_mixins.py`) @ v2.28.2, on typed arrays.
 *
 * Each augmentation's detection candidates (before NMS, in its own `img_shape` pixels) are mapped
 * back to the original image (undo the flip, divide by `scale_factor`), concatenated, and reduced by
 * class-wise NMS with the head's `test_cfg` (`nms`, `max_per_img`), as mmdet does for single-stage
 * detectors.
 */
import { batchedNms, bbox2result, type FlipDirection, type NmsConfig } from '../../ops/index.js';
import { bboxFlipArray } from '../../structures/bbox_array.js';
import type { ClassDetections, ImageMeta } from '../../structures/det_types.js';

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
  const sf = Float32Array.from(scaleFactor.length === 4 ? scaleFactor : [scaleFactor[0]!, scaleFactor[0]!, scaleFactor[0]!, scaleFactor[0]!]);
  for (let i = 0; i < out.length; i += 4) for (let c = 0; c < 4; c++) out[i + c] = out[i + c]! / sf[c]!;
  return out;
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
