/**
 * @module Port of `RandomCrop` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting note: mmdet draws a new offset for every key of `img_fields`; detkit draws one offset
 * per call so several images stay aligned (identical with the usual single `img`).
 */
import type { InstanceMasks } from '../../../structures/det_types.js';
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_, ValueError } from '../../../utils/errors.js';
import type { Image, Results, Transform, TransformContext } from '../types.js';
import { clipBoxesInPlace, nonEmptyBoxes, selectBoxes, selectRows } from './boxes.js';
import { buildFromConfig, requireImage } from './checks.js';
import { cropImage } from './image_geometry.js';
import { cropMasks, maskBboxes, selectMasks } from './masks.js';

/** How `crop_size` is read. */
export type CropType = 'absolute' | 'absolute_range' | 'relative' | 'relative_range';
const CROP_TYPES: readonly string[] = ['relative_range', 'relative', 'absolute', 'absolute_range'];

/** Options of {@link RandomCrop} (mmdet keyword names). */
export interface RandomCropConfig {
  /** `(h, w)`: pixels (`absolute`), `(min, max)` pixels (`absolute_range`) or fractions in (0, 1] (`relative*`). */
  crop_size: [number, number];
  /** Default `absolute`. */
  crop_type?: CropType;
  /** Keep a crop that contains no gt box (default false: the sample is dropped). */
  allow_negative_crop?: boolean;
  /** Recompute boxes from the cropped masks (default false). */
  recompute_bbox?: boolean;
  /** Clip boxes to the crop (default true). */
  bbox_clip_border?: boolean;
}

/** The label key that belongs to each box key (mmdet `bbox2label`). */
export const BBOX2LABEL: Readonly<Record<string, string>> = { gt_bboxes: 'gt_labels', gt_bboxes_ignore: 'gt_labels_ignore' };
/** The mask key that belongs to each box key (mmdet `bbox2mask`). */
export const BBOX2MASK: Readonly<Record<string, string>> = { gt_bboxes: 'gt_masks', gt_bboxes_ignore: 'gt_masks_ignore' };

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['crop_size', 'crop_type', 'allow_negative_crop', 'recompute_bbox', 'bbox_clip_border'];

/**
 * Crops a random window of the sampled size from image, boxes, masks and maps. Boxes are shifted and
 * (by default) clipped; boxes left empty are dropped with their labels and masks. Returns null when
 * no `gt_bboxes` remains and `allow_negative_crop` is false.
 * Reads `img, bbox_fields, mask_fields, seg_fields`; writes them and `img_shape`.
 */
export class RandomCrop implements Transform {
  static readonly type = 'RandomCrop';
  readonly crop_size: [number, number];
  readonly crop_type: CropType;
  readonly allow_negative_crop: boolean;
  readonly recompute_bbox: boolean;
  readonly bbox_clip_border: boolean;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): RandomCrop {
    return buildFromConfig('RandomCrop', args, ctx, KEYS, (a) => new RandomCrop(a as unknown as RandomCropConfig));
  }

  constructor(cfg: RandomCropConfig) {
    const type = cfg.crop_type ?? 'absolute';
    if (!CROP_TYPES.includes(type)) throw new ValueError('DATA_BAD_AUG_OPTION', `Invalid crop_type ${String(type)}.`, { configPath: 'crop_type' });
    const cs = cfg.crop_size;
    if (!Array.isArray(cs) || cs.length !== 2) throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomCrop: crop_size must be a (h, w) pair, got ${JSON.stringify(cs)}`, { configPath: 'crop_size' });
    if (type === 'absolute' || type === 'absolute_range') {
      if (!(cs[0] > 0 && cs[1] > 0 && Number.isInteger(cs[0]) && Number.isInteger(cs[1]))) {
        throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomCrop: an ${type} crop_size needs positive integers, got ${JSON.stringify(cs)}`, { configPath: 'crop_size' });
      }
      if (type === 'absolute_range' && cs[0] > cs[1]) throw new AssertionError_('DATA_BAD_AUG_OPTION', 'RandomCrop: absolute_range crop_size must be (min, max)', { configPath: 'crop_size' });
    } else if (!(cs[0] > 0 && cs[0] <= 1 && cs[1] > 0 && cs[1] <= 1)) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomCrop: a ${type} crop_size must be in (0, 1], got ${JSON.stringify(cs)}`, { configPath: 'crop_size' });
    }
    this.crop_size = [cs[0], cs[1]];
    this.crop_type = type;
    this.allow_negative_crop = cfg.allow_negative_crop ?? false;
    this.recompute_bbox = cfg.recompute_bbox ?? false;
    this.bbox_clip_border = cfg.bbox_clip_border ?? true;
  }

  /** mmdet `_get_crop_size`: the absolute `(crop_h, crop_w)` for an `(h, w)` image. */
  getCropSize(h: number, w: number, ctx: TransformContext): [number, number] {
    const [a, b] = this.crop_size;
    switch (this.crop_type) {
      case 'absolute':
        return [Math.min(a, h), Math.min(b, w)];
      case 'absolute_range':
        return [ctx.rng.randint(Math.min(h, a), Math.min(h, b) + 1), ctx.rng.randint(Math.min(w, a), Math.min(w, b) + 1)];
      case 'relative':
        return [Math.trunc(h * a + 0.5), Math.trunc(w * b + 0.5)];
      case 'relative_range': {
        const ch = a + ctx.rng.random() * (1 - a);
        const cw = b + ctx.rng.random() * (1 - b);
        return [Math.trunc(h * ch + 0.5), Math.trunc(w * cw + 0.5)];
      }
    }
  }

  apply(results: Results, ctx: TransformContext): Results | null {
    const img0 = requireImage(results, 'RandomCrop');
    const [cropH, cropW] = this.getCropSize(img0.height, img0.width, ctx);
    if (!(cropH > 0 && cropW > 0)) throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomCrop: the crop size (${cropH}, ${cropW}) must be positive`, { configPath: 'crop_size' });
    const offH = ctx.rng.randint(0, Math.max(img0.height - cropH, 0) + 1);
    const offW = ctx.rng.randint(0, Math.max(img0.width - cropW, 0) + 1);
    const [x1, y1, x2, y2] = [offW, offH, offW + cropW, offH + cropH];
    let shape = results.img_shape;
    for (const key of results.img_fields ?? ['img']) {
      const img = cropImage(results[key] as Image, x1, y1, x2, y2);
      results[key] = img;
      shape = [img.height, img.width, img.channels];
    }
    results.img_shape = shape!;
    const [h, w] = shape!;
    for (const key of results.bbox_fields ?? []) {
      const boxes = (results[key] as Float32Array).slice();
      for (let i = 0; i < boxes.length; i++) boxes[i] = boxes[i]! - (i % 2 === 0 ? offW : offH);
      if (this.bbox_clip_border) clipBoxesInPlace(boxes, h, w);
      const valid = nonEmptyBoxes(boxes);
      if (key === 'gt_bboxes' && valid.length === 0 && !this.allow_negative_crop) return null;
      results[key] = selectBoxes(boxes, valid);
      const labelKey = BBOX2LABEL[key];
      if (labelKey !== undefined && results[labelKey] !== undefined) results[labelKey] = selectRows(results[labelKey] as Int32Array, valid);
      const maskKey = BBOX2MASK[key];
      if (maskKey !== undefined && results[maskKey] !== undefined) {
        const masks = cropMasks(selectMasks(results[maskKey] as InstanceMasks, valid), [x1, y1, x2, y2]);
        results[maskKey] = masks;
        if (this.recompute_bbox) results[key] = maskBboxes(masks);
      }
    }
    for (const key of results.seg_fields ?? []) results[key] = cropImage(results[key] as Image, x1, y1, x2, y2);
    return results;
  }

  toString(): string {
    return `RandomCrop(crop_size=(${this.crop_size.join(', ')}), crop_type=${this.crop_type}, allow_negative_crop=${this.allow_negative_crop}, bbox_clip_border=${this.bbox_clip_border})`;
  }
}
