/**
 * @module Port of `mmdet/core/mask/mask_target.py` (`mask_target`, `mask_target_single`) with
 * `BitmapMasks.crop_and_resize` (`mmdet/core/mask/structures.py`) @ v2.28.2.
 *
 * Each positive RoI's gt mask, cut to the RoI (clipped to the mask canvas first) and resized to
 * `mask_size`:
 * - bitmaps: mmcv `roi_align` of the 0/1 mask (`aligned=True`, adaptive sampling, scale 1),
 *   then `>= 0.5`;
 * - polygons: vertices shifted by the RoI's top-left and scaled, then rasterised at
 *   `mask_size` by pycocotools (`PolygonMasks.crop_and_resize`, `structures/mask_structures.ts`).
 */
import { tf } from '../../../backend/index.js';
import { roiAlign } from '../../../ops/index.js';
import type { BitmapMasks, InstanceMasks } from '../../../structures/det_types.js';
import { cropAndResizePolygons } from '../../../structures/mask_structures.js';
import type { SamplingResult } from '../../task_modules/samplers/sampling_result.js';

/**
 * mmdet `mask_target`: targets of the positive RoIs of every image, concatenated in image order.
 * @param results per image, its sampling result (`posBboxes`, `posAssignedGtInds`)
 * @param gtMasks per image, its gt masks (bitmap or polygon, `img_shape`/`pad_shape` canvas)
 * @param maskSize side of the square target (`train_cfg.mask_size`)
 * @returns `[P, maskSize, maskSize]` row-major 0/1 float32, `P` = positives over all images
 */
export function maskTarget(results: readonly SamplingResult[], gtMasks: readonly InstanceMasks[], maskSize: number): Float32Array {
  const parts = results.map((r, b) => maskTargetSingle(r.posBboxes, r.posAssignedGtInds, gtMasks[b]!, maskSize));
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * mmdet `mask_target_single`: the RoIs are clipped to `[0, width] × [0, height]` of the masks,
 * then each gets the crop-and-resize of its gt mask.
 * @param posBboxes `[p, 4]` positive RoIs `x1, y1, x2, y2`
 * @param gtInds `[p]` 0-based gt of each RoI
 * @returns `[p, maskSize, maskSize]` row-major 0/1
 */
export function maskTargetSingle(posBboxes: Float32Array, gtInds: Int32Array, masks: InstanceMasks, maskSize: number): Float32Array {
  const p = gtInds.length;
  if (p === 0) return new Float32Array(0);
  const boxes = new Float32Array(p * 4);
  for (let i = 0; i < p; i++) {
    boxes[4 * i] = clip(posBboxes[4 * i]!, masks.width);
    boxes[4 * i + 1] = clip(posBboxes[4 * i + 1]!, masks.height);
    boxes[4 * i + 2] = clip(posBboxes[4 * i + 2]!, masks.width);
    boxes[4 * i + 3] = clip(posBboxes[4 * i + 3]!, masks.height);
  }
  if (masks.kind === 'polygon') return cropAndResizePolygons(masks.polygons, boxes, gtInds, maskSize, maskSize);
  return cropAndResizeBitmaps(masks, boxes, gtInds, maskSize);
}

function clip(v: number, max: number): number {
  return Math.min(Math.max(v, 0), max);
}

/**
 * mmdet `BitmapMasks.crop_and_resize(..., binarize=True)`: RoIAlign of mask `inds[i]` over box `i`.
 * @returns `[n, out, out]` row-major 0/1
 */
function cropAndResizeBitmaps(masks: BitmapMasks, boxes: Float32Array, inds: Int32Array, out: number): Float32Array {
  const { height: h, width: w } = masks;
  const n = inds.length;
  // only the gts some RoI uses go into the feature stack
  const used = Array.from(new Set(inds)).sort((a, b) => a - b);
  const slot = new Map(used.map((g, k) => [g, k]));
  const vals = tf.tidy(() => {
    const stack = new Float32Array(used.length * h * w);
    used.forEach((g, k) => stack.set(masks.masks[g]!, k * h * w));
    const rois = new Float32Array(n * 5);
    for (let i = 0; i < n; i++) {
      rois[5 * i] = slot.get(inds[i]!)!;
      rois.set(boxes.subarray(4 * i, 4 * i + 4), 5 * i + 1);
    }
    return roiAlign(tf.tensor4d(stack, [used.length, h, w, 1]), tf.tensor2d(rois, [n, 5]), { outputSize: out, spatialScale: 1, samplingRatio: 0, aligned: true }).dataSync() as Float32Array;
  });
  const res = new Float32Array(vals.length);
  for (let i = 0; i < vals.length; i++) res[i] = vals[i]! >= 0.5 ? 1 : 0;
  return res;
}
