/**
 * @module Port of `MinIoURandomCrop` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting note: mmdet draws the patch's left/top edge with `random.uniform(w - new_w)`, i.e. numpy's
 * `uniform(low=w - new_w, high=1.0)`; detkit keeps that exact distribution (between 1 and
 * `w - new_w`) so crops are distributed as in mmdet.
 */
import type { InstanceMasks } from '../../../structures/det_types.js';
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_ } from '../../../utils/errors.js';
import type { Image, Results, Transform, TransformContext } from '../types.js';
import { concatArrays, iouWithBoxes, numBoxes, selectBoxes, selectRows } from './boxes.js';
import { buildFromConfig, requireImage, requireSingleImg } from './checks.js';
import { cropImage } from './image_geometry.js';
import { cropMasks, selectMasks } from './masks.js';
import { BBOX2LABEL, BBOX2MASK } from './random_crop.js';

/** Options of {@link MinIoURandomCrop} (mmdet keyword names). */
export interface MinIoURandomCropConfig {
  /** IoU thresholds to draw from (default `[0.1, 0.3, 0.5, 0.7, 0.9]`). */
  min_ious?: number[];
  /** Minimum crop side as a fraction of the image side (default 0.3). */
  min_crop_size?: number;
  /** Clip kept boxes to the patch (default true). */
  bbox_clip_border?: boolean;
}

/** Indices of boxes whose centre lies strictly inside `patch = [x1, y1, x2, y2]`. */
function centersInside(boxes: Float32Array, patch: readonly number[]): number[] {
  const keep: number[] = [];
  for (let i = 0; i < numBoxes(boxes); i++) {
    const cx = (boxes[i * 4]! + boxes[i * 4 + 2]!) / 2;
    const cy = (boxes[i * 4 + 1]! + boxes[i * 4 + 3]!) / 2;
    if (cx > patch[0]! && cy > patch[1]! && cx < patch[2]! && cy < patch[3]!) keep.push(i);
  }
  return keep;
}

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['min_ious', 'min_crop_size', 'bbox_clip_border'];

/**
 * SSD's random crop: draws a mode from `(1, ...min_ious, 0)` (1 = keep the image), then up to 50
 * patches with sides in `[min_crop_size, 1] × (w, h)` and aspect `h/w ∈ [0.5, 2]`, accepting one whose
 * IoU with every gt box is ≥ the mode and that contains at least one box centre. Boxes whose centre is
 * inside are kept (clipped, shifted) with their labels and masks. Loops until a patch is accepted.
 * Reads `img, bbox_fields`; writes `img, img_shape`, boxes, labels, masks, `seg_fields`.
 */
export class MinIoURandomCrop implements Transform {
  static readonly type = 'MinIoURandomCrop';
  readonly min_ious: number[];
  readonly sample_mode: number[];
  readonly min_crop_size: number;
  readonly bbox_clip_border: boolean;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): MinIoURandomCrop {
    return buildFromConfig('MinIoURandomCrop', args, ctx, KEYS, (a) => new MinIoURandomCrop(a as unknown as MinIoURandomCropConfig));
  }

  constructor(cfg: MinIoURandomCropConfig = {}) {
    this.min_ious = cfg.min_ious ?? [0.1, 0.3, 0.5, 0.7, 0.9];
    if (!Array.isArray(this.min_ious) || !this.min_ious.every((x) => typeof x === 'number')) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `MinIoURandomCrop: min_ious must be a list of numbers, got ${JSON.stringify(this.min_ious)}`, { configPath: 'min_ious' });
    }
    this.sample_mode = [1, ...this.min_ious, 0];
    this.min_crop_size = cfg.min_crop_size ?? 0.3;
    if (!(this.min_crop_size > 0 && this.min_crop_size <= 1)) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `MinIoURandomCrop: min_crop_size must be in (0, 1], got ${this.min_crop_size}`, { configPath: 'min_crop_size' });
    }
    this.bbox_clip_border = cfg.bbox_clip_border ?? true;
  }

  apply(results: Results, ctx: TransformContext): Results {
    requireSingleImg(results, 'MinIoURandomCrop');
    const img = requireImage(results, 'MinIoURandomCrop');
    const fields = results.bbox_fields;
    if (fields === undefined) throw new AssertionError_('DATA_NO_BBOX_FIELDS', "MinIoURandomCrop: results has no 'bbox_fields'", { hint: 'put LoadAnnotations before it in the pipeline' });
    const all = concatArrays(fields.map((k) => results[k] as Float32Array), Float32Array);
    const { height: h, width: w } = img;
    const rng = ctx.rng;
    for (;;) {
      const mode = rng.choice(this.sample_mode);
      if (mode === 1) return results;
      for (let i = 0; i < 50; i++) {
        const newW = rng.uniform(this.min_crop_size * w, w);
        const newH = rng.uniform(this.min_crop_size * h, h);
        if (newH / newW < 0.5 || newH / newW > 2) continue;
        const left = rng.uniform(w - newW, 1.0);
        const top = rng.uniform(h - newH, 1.0);
        const patch = [Math.trunc(left), Math.trunc(top), Math.trunc(left + newW), Math.trunc(top + newH)] as [number, number, number, number];
        // Line or point crop is not allowed.
        if (patch[2] === patch[0] || patch[3] === patch[1]) continue;
        const ious = iouWithBoxes(patch, all);
        if (ious.length > 0 && Math.min(...ious) < mode) continue;
        if (ious.length > 0) {
          if (centersInside(all, patch).length === 0) continue;
          for (const key of fields) this.cropBoxField(results, key, patch);
        } else {
          // Porting note: mmdet leaves empty mask sets at the old canvas size; detkit crops them too.
          for (const key of Object.values(BBOX2MASK)) if (results[key] !== undefined) results[key] = cropMasks(results[key] as InstanceMasks, patch);
        }
        results.img = cropImage(img, patch[0], patch[1], patch[2], patch[3]);
        results.img_shape = [results.img.height, results.img.width, results.img.channels];
        for (const key of results.seg_fields ?? []) results[key] = cropImage(results[key] as Image, patch[0], patch[1], patch[2], patch[3]);
        return results;
      }
    }
  }

  private cropBoxField(results: Results, key: string, patch: [number, number, number, number]): void {
    const src = results[key] as Float32Array;
    const keep = centersInside(src, patch);
    const boxes = selectBoxes(src, keep);
    for (let i = 0; i < boxes.length; i++) {
      let v = boxes[i]!;
      if (this.bbox_clip_border) v = i % 4 < 2 ? Math.max(v, patch[i % 2]!) : Math.min(v, patch[2 + (i % 2)]!);
      boxes[i] = v - patch[i % 2]!;
    }
    results[key] = boxes;
    const labelKey = BBOX2LABEL[key];
    if (labelKey !== undefined && results[labelKey] !== undefined) results[labelKey] = selectRows(results[labelKey] as Int32Array, keep);
    const maskKey = BBOX2MASK[key];
    if (maskKey !== undefined && results[maskKey] !== undefined) results[maskKey] = cropMasks(selectMasks(results[maskKey] as InstanceMasks, keep), patch);
  }

  toString(): string {
    return `MinIoURandomCrop(min_ious=(${this.min_ious.join(', ')}), min_crop_size=${this.min_crop_size}, bbox_clip_border=${this.bbox_clip_border})`;
  }
}
