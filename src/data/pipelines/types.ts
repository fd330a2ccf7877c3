/**
 * @module The pipeline contract of detkit (mmdet `datasets/pipelines/*`): the `results` dict and the
 * transform interface every pipeline step implements.
 *
 * Porting notes:
 * - Images are plain typed arrays in HWC order ({@link Image}), never tensors, so pipelines run in
 *   `worker_threads` and hand their buffers back without copies.
 * - A transform's `__call__` is {@link Transform.apply}; it may be async (image decoding is) and
 *   receives a {@link TransformContext} carrying the seeded {@link Rng} of this sample, so results
 *   depend only on (seed, epoch, position) and never on the number of workers.
 * - Boxes are row-major `Float32Array` `[n*4]` (`x1, y1, x2, y2`), labels `Int32Array` `[n]`.
 */
import type { InstanceMasks } from '../../structures/det_types.js';
import type { Rng } from '../../utils/rng.js';

/** An image: `height*width*channels` values, row-major HWC (BGR for colour images, as mmcv). */
export interface Image {
  data: Uint8Array | Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** `[h, w, c]` shape tuple (mmdet `img_shape` / `ori_shape` / `pad_shape`). */
export type Shape3 = [number, number, number];

/** One image record of a dataset in mmdet's middle format (`data_infos[i]`). */
export interface ImgInfo {
  filename: string;
  width: number;
  height: number;
  /** COCO image id (CocoDataset) or VOC image id (XMLDataset). */
  id?: number | string;
  [key: string]: unknown;
}

/** Annotations of one image in mmdet's middle format (`get_ann_info(idx)`). */
export interface AnnInfo {
  /** `[n*4]` x1,y1,x2,y2. */
  bboxes: Float32Array;
  /** `[n]` 0-based labels. */
  labels: Int32Array;
  /** `[k*4]` boxes to ignore (crowd / difficult). */
  bboxes_ignore?: Float32Array;
  /** `[k]` labels of ignored boxes (XML datasets). */
  labels_ignore?: Int32Array;
  /** Per instance: COCO `segmentation` (list of polygons, or an RLE object). */
  masks?: unknown[];
  /** Semantic segmentation map file name (relative to `seg_prefix`). */
  seg_map?: string;
}

/**
 * The `results` dict that flows through a pipeline; key names are mmdet's, verbatim.
 * Fields listed in `img_fields` / `bbox_fields` / `mask_fields` / `seg_fields` are transformed together.
 */
export interface Results {
  img_info?: ImgInfo;
  ann_info?: AnnInfo;
  img_prefix?: string | null;
  seg_prefix?: string | null;
  proposal_file?: string | null;
  proposals?: Float32Array;
  filename?: string | null;
  ori_filename?: string | null;
  img?: Image;
  img_shape?: Shape3;
  ori_shape?: Shape3;
  pad_shape?: Shape3;
  /** `[w_scale, h_scale, w_scale, h_scale]` (float32, as mmdet), or a scalar before Resize. */
  scale_factor?: Float32Array | number;
  keep_ratio?: boolean;
  /** Target scale `(w, h)` chosen by Resize (or preset by MultiScaleFlipAug). */
  scale?: [number, number];
  scale_idx?: number | null;
  flip?: boolean;
  flip_direction?: FlipDirection | null;
  img_norm_cfg?: { mean: number[]; std: number[]; to_rgb: boolean };
  pad_fixed_size?: [number, number] | null;
  pad_size_divisor?: number | null;
  img_fields?: string[];
  bbox_fields?: string[];
  mask_fields?: string[];
  seg_fields?: string[];
  gt_bboxes?: Float32Array;
  gt_labels?: Int32Array;
  gt_bboxes_ignore?: Float32Array;
  gt_masks?: InstanceMasks;
  gt_semantic_seg?: Image;
  /** Extra samples fetched for mixing transforms (MultiImageMixDataset). */
  mix_results?: Results[];
  [key: string]: unknown;
}

/** Flip directions of RandomFlip. */
export type FlipDirection = 'horizontal' | 'vertical' | 'diagonal';

/** What a transform gets besides `results`. */
export interface TransformContext {
  /** This sample's seeded generator (derived from seed, epoch and position in the epoch). */
  rng: Rng;
}

/**
 * One pipeline step (mmdet: a class with `__call__(results)`).
 * Returning `null` drops the sample (mmdet returns `None`; `prepare_train_img` then retries another index).
 */
export interface Transform {
  apply(results: Results, ctx: TransformContext): Results | null | Promise<Results | null>;
  /** mmdet `__repr__`. */
  toString(): string;
}

/** A transform that mixes several images (Mosaic, MixUp): MultiImageMixDataset calls `get_indexes`. */
export interface MixTransform extends Transform {
  /** Indices of the extra samples to load into `results.mix_results`. */
  get_indexes(dataset: { readonly length: number }, ctx: TransformContext): number[];
}

/** Whether a transform mixes images (has `get_indexes`). */
export function isMixTransform(t: Transform): t is MixTransform {
  return typeof (t as Partial<MixTransform>).get_indexes === 'function';
}

/** The registry `type` string of a transform instance (its class's `static type`). */
export function transformName(t: Transform): string {
  const ctor = t.constructor as { type?: string; name: string };
  return ctor.type ?? ctor.name;
}
