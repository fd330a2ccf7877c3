/**
 * @module Data types shared by data/, models/ and evaluation/ (they meet only here, style.md §3).
 *
 * Conventions (mmdet 2.x): boxes are `x1, y1, x2, y2` in pixels of the image they belong to;
 * labels are 0-based class indices into the dataset's `CLASSES`; images are NHWC float32 inside
 * detkit (Porting note: mmdet's `DefaultFormatBundle` transposes to CHW; detkit keeps HWC because
 * tfjs convolutions are NHWC).
 */

/** Per-image metadata (mmdet `img_metas` item, keys verbatim). */
export interface ImageMeta {
  /** Image file path. */
  filename: string;
  /** Original file name (mmdet `ori_filename`). */
  ori_filename: string;
  /** `[h, w, c]` of the decoded image. */
  ori_shape: [number, number, number];
  /** `[h, w, c]` after Resize (before Pad). */
  img_shape: [number, number, number];
  /** `[h, w, c]` after Pad. */
  pad_shape: [number, number, number];
  /** `[w_scale, h_scale, w_scale, h_scale]` applied by Resize. */
  scale_factor: [number, number, number, number];
  /** Whether the image was flipped, and how. */
  flip: boolean;
  flip_direction: 'horizontal' | 'vertical' | 'diagonal' | null;
  /** Normalisation applied (`mean`, `std`, `to_rgb`). */
  img_norm_cfg?: { mean: number[]; std: number[]; to_rgb: boolean };
  /** Shape of the padded batch tensor `[h, w]` (set by the collate step). */
  batch_input_shape?: [number, number];
  [key: string]: unknown;
}

/** Instance masks as polygons: per instance, a list of polygons `[x0, y0, x1, y1, ...]` in pixels. */
export interface PolygonMasks {
  kind: 'polygon';
  height: number;
  width: number;
  polygons: Float64Array[][];
}

/** Instance masks as bitmaps: `masks[i]` is `height*width` bytes (0/1), row-major. */
export interface BitmapMasks {
  kind: 'bitmap';
  height: number;
  width: number;
  masks: Uint8Array[];
}

/** Instance masks of one image, either form. */
export type InstanceMasks = PolygonMasks | BitmapMasks;

/** One image's input to a detector, already padded into the batch. */
export interface DetSample {
  meta: ImageMeta;
  /** `[n, 4]` row-major ground-truth boxes (x1,y1,x2,y2) in `img_shape` pixels. */
  gt_bboxes?: Float32Array;
  /** `[n]` 0-based class indices. */
  gt_labels?: Int32Array;
  /** `[m, 4]` boxes to ignore (crowd / difficult). */
  gt_bboxes_ignore?: Float32Array;
  gt_masks?: InstanceMasks;
}

/**
 * A collated batch handed to `model.train_step` / `simple_test`.
 * `img` is `[B, H, W, 3]` float32, row-major NHWC, zero-padded to a common size divisible by the
 * pipeline's `size_divisor`.
 */
export interface DetBatch {
  img: Float32Array;
  /** `[B, H, W, C]`. */
  imgShape: [number, number, number, number];
  samples: DetSample[];
  /**
   * Test-time augmentations (a test pipeline whose MultiScaleFlipAug makes several scales and/or
   * flips): the batch once per augmentation, `augs[j]` holding augmentation `j` of every image with
   * its own padding and metas (`scale_factor`, `flip`, `flip_direction`). `augs[0]` has the batch's
   * own content. Absent when the pipeline makes one augmentation; `single_gpu_test` then runs
   * `simple_test`, else `aug_test` (mmdet `forward_test` with `len(imgs) > 1`).
   */
  augs?: DetBatch[];
}

/**
 * Detections of one class in one image: `[n, 5]` row-major `x1, y1, x2, y2, score` in original image
 * pixels (mmdet `bbox2result` item).
 */
export type ClassDetections = Float32Array;

/** A COCO run-length encoding (pycocotools form: `counts` compressed string or uncompressed numbers). */
export interface RLE {
  size: [number, number];
  counts: string | number[];
}

/**
 * One image's detection result (mmdet's per-image result): `bbox[k]` holds class `k`'s detections;
 * `segm[k][i]` is the mask of `bbox[k]` row `i` (Mask R-CNN only).
 */
export interface DetResult {
  bbox: ClassDetections[];
  segm?: RLE[][];
}
