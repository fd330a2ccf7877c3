/**
 * @module Port of `MixUp` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting note: mmdet 2.x leaves `gt_masks` of the mixed-in sample out (the result's masks no longer
 * match its boxes); detkit carries instance masks through the same resize, flip and crop (bitmaps
 * like the image, polygons like the boxes) and appends them with the boxes.
 */
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_, KeyError } from '../../../utils/errors.js';
import type { InstanceMasks } from '../../../structures/det_types.js';
import { imflip, imresize } from '../image_ops.js';
import { flipMasks, resizeMasks } from '../mask_ops.js';
import type { MixTransform, Results, TransformContext } from '../types.js';
import { clipBoxesInPlace, concatArrays, filterBoxCandidates, findInsideBboxes, numBoxes, selectBoxes, selectRows } from './boxes.js';
import { buildFromConfig, checkRange, checkScaleHW, requireImage } from './checks.js';
import { cropImage, fullImage, pasteImage } from './image_geometry.js';
import { cropMasks, expandMasks, selectMasks } from './masks.js';

/** Options of {@link MixUp} (mmdet keyword names). */
export interface MixUpConfig {
  /** `(h, w)` canvas the mixed-in image is fitted to (default `[640, 640]`). */
  img_scale?: [number, number];
  /** Scale jitter range of the mixed-in image (default `[0.5, 1.5]`). */
  ratio_range?: [number, number];
  /** mmdet flips the mixed-in image when `U(0, 1) > flip_ratio` (default 0.5). */
  flip_ratio?: number;
  /** Canvas fill value (default 114). */
  pad_val?: number;
  /** Tries to find a dataset sample with boxes (default 15). */
  max_iters?: number;
  /** Filter: minimum box side in pixels (default 5). */
  min_bbox_size?: number;
  /** Filter: minimum kept area ratio (default 0.2). */
  min_area_ratio?: number;
  /** Filter: maximum aspect ratio (default 20). */
  max_aspect_ratio?: number;
  /** Clip boxes to the images (default true). */
  bbox_clip_border?: boolean;
  /** Skip the box filter (default true). */
  skip_filter?: boolean;
}

/** What MixUp needs of the dataset to pick a sample with boxes (mmdet `get_ann_info`). */
interface AnnInfoSource {
  readonly length: number;
  get_ann_info?: (idx: number) => { bboxes: Float32Array };
}

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['img_scale', 'ratio_range', 'flip_ratio', 'pad_val', 'max_iters', 'min_bbox_size', 'min_area_ratio', 'max_aspect_ratio', 'bbox_clip_border', 'skip_filter'];

/**
 * Blends the image 50/50 with another sample (`results.mix_results[0]`): that sample is resized to
 * fit `img_scale`, scale-jittered, maybe flipped horizontally, then cropped/padded at a random offset
 * to this image's size. Its boxes (and masks) follow, optionally filtered, and are appended. The image
 * becomes uint8. Reads `img, gt_bboxes, gt_labels` (+ `gt_masks`) of both; writes them and `img_shape`.
 */
export class MixUp implements MixTransform {
  static readonly type = 'MixUp';
  readonly dynamic_scale: [number, number];
  readonly ratio_range: [number, number];
  readonly flip_ratio: number;
  readonly pad_val: number;
  readonly max_iters: number;
  readonly min_bbox_size: number;
  readonly min_area_ratio: number;
  readonly max_aspect_ratio: number;
  readonly bbox_clip_border: boolean;
  readonly skip_filter: boolean;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): MixUp {
    return buildFromConfig('MixUp', args, ctx, KEYS, (a) => new MixUp(a as unknown as MixUpConfig));
  }

  constructor(cfg: MixUpConfig = {}) {
    this.dynamic_scale = checkScaleHW(cfg.img_scale ?? [640, 640], 'img_scale', 'MixUp');
    this.ratio_range = checkRange(cfg.ratio_range ?? [0.5, 1.5], 'ratio_range', 'MixUp');
    this.flip_ratio = cfg.flip_ratio ?? 0.5;
    this.pad_val = cfg.pad_val ?? 114;
    this.max_iters = cfg.max_iters ?? 15;
    if (!(Number.isInteger(this.max_iters) && this.max_iters >= 1)) throw new AssertionError_('DATA_BAD_AUG_OPTION', `MixUp: max_iters must be a positive integer, got ${this.max_iters}`, { configPath: 'max_iters' });
    this.min_bbox_size = cfg.min_bbox_size ?? 5;
    this.min_area_ratio = cfg.min_area_ratio ?? 0.2;
    this.max_aspect_ratio = cfg.max_aspect_ratio ?? 20;
    this.bbox_clip_border = cfg.bbox_clip_border ?? true;
    this.skip_filter = cfg.skip_filter ?? true;
  }

  /** mmdet `get_indexes`: up to `max_iters` random indices until one has boxes (by `get_ann_info`). */
  get_indexes(dataset: AnnInfoSource, ctx: TransformContext): number[] {
    let index = 0;
    for (let i = 0; i < this.max_iters; i++) {
      index = ctx.rng.randint(0, dataset.length);
      if (dataset.get_ann_info === undefined || dataset.get_ann_info(index).bboxes.length !== 0) break;
    }
    return [index];
  }

  apply(results: Results, ctx: TransformContext): Results {
    const mix = results.mix_results;
    if (mix === undefined) throw new KeyError('DATA_NO_MIX_RESULTS', "MixUp needs 'mix_results'", { hint: 'use MixUp inside a MultiImageMixDataset pipeline' });
    if (mix.length !== 1) throw new AssertionError_('DATA_NO_MIX_RESULTS', 'MixUp only support 2 images now !');
    const retrieve = mix[0]!;
    const rBoxes = retrieve.gt_bboxes;
    const rLabels = retrieve.gt_labels;
    if (rBoxes === undefined || rLabels === undefined || results.gt_bboxes === undefined || results.gt_labels === undefined) {
      throw new KeyError('DATA_NO_GT', 'MixUp: both samples need gt_bboxes and gt_labels', { hint: 'the inner dataset pipeline must run LoadAnnotations' });
    }
    if (numBoxes(rBoxes) === 0) return results;
    const rImg = requireImage(retrieve, 'MixUp');
    const ori = requireImage(results, 'MixUp');
    const rng = ctx.rng;
    const jit = rng.uniform(this.ratio_range[0], this.ratio_range[1]);
    const isFlip = rng.uniform(0, 1) > this.flip_ratio;
    const [dh, dw] = this.dynamic_scale;
    // 1-2. keep-ratio resize onto a pad_val canvas (top-left).
    let out = fullImage(rImg, dh, dw, rImg.channels, this.pad_val);
    let scale = Math.min(dh / rImg.height, dw / rImg.width);
    const fitted = imresize(rImg, Math.trunc(rImg.width * scale), Math.trunc(rImg.height * scale));
    pasteImage(out, fitted, 0, 0, 0, 0, fitted.width, fitted.height);
    // 3. scale jitter; 4. flip.
    scale *= jit;
    out = imresize(out, Math.trunc(out.width * jit), Math.trunc(out.height * jit));
    if (isFlip) out = imflip(out, 'horizontal');
    // 5. random crop / pad to the size of this image (zeros, as mmdet 2.x; 3.x pads with pad_val).
    const oh = out.height;
    const ow = out.width;
    const th = ori.height;
    const tw = ori.width;
    const padded = fullImage('uint8', Math.max(oh, th), Math.max(ow, tw), out.channels, 0);
    pasteImage(padded, out, 0, 0, 0, 0, ow, oh);
    const yOff = padded.height > th ? rng.randint(0, padded.height - th) : 0;
    const xOff = padded.width > tw ? rng.randint(0, padded.width - tw) : 0;
    const cropped = cropImage(padded, xOff, yOff, xOff + tw, yOff + th);
    // 6. boxes of the mixed-in image.
    const moved = rBoxes.map((v) => v * scale);
    if (this.bbox_clip_border) clipBoxesInPlace(moved, oh, ow);
    if (isFlip) {
      for (let i = 0; i < moved.length; i += 4) {
        const x1 = moved[i]!;
        moved[i] = ow - moved[i + 2]!;
        moved[i + 2] = ow - x1;
      }
    }
    // 7. shift by the crop offset.
    const shifted = moved.map((v, k) => v - (k % 2 === 0 ? xOff : yOff));
    if (this.bbox_clip_border) clipBoxesInPlace(shifted, th, tw);
    // 8. blend.
    if (ori.channels !== cropped.channels) throw new AssertionError_('DATA_BAD_IMAGE', `MixUp: images with ${ori.channels} and ${cropped.channels} channels cannot be mixed`);
    const mixed = new Uint8Array(ori.data.length);
    for (let i = 0; i < mixed.length; i++) mixed[i] = Math.min(Math.max(Math.trunc(Math.fround(0.5 * ori.data[i]! + 0.5 * cropped.data[i]!)), 0), 255);
    let keep = Array.from({ length: numBoxes(shifted) }, (_, k) => k);
    if (!this.skip_filter) {
      const ok = filterBoxCandidates(moved, shifted, this);
      keep = keep.filter((k) => ok[k]);
    }
    const boxes = concatArrays([results.gt_bboxes, selectBoxes(shifted, keep)], Float32Array);
    const labels = concatArrays([results.gt_labels, selectRows(rLabels, keep)], Int32Array);
    const inside = findInsideBboxes(boxes, th, tw);
    if (results.gt_masks !== undefined) {
      const rm = retrieve.gt_masks;
      if (rm === undefined) throw new KeyError('DATA_NO_GT', 'MixUp: the mixed-in sample has no gt_masks while this one has');
      const fit = { w: fitted.width, h: fitted.height, dh, dw, ow, oh, th, tw, xOff, yOff, scale, isFlip };
      const mixedMasks = selectMasks(moveMasks(rm, fit), keep);
      results.gt_masks = selectMasks(concatMasks(results.gt_masks, mixedMasks), inside);
    }
    results.img = { data: mixed, height: th, width: tw, channels: ori.channels };
    results.img_shape = [th, tw, ori.channels];
    results.gt_bboxes = selectBoxes(boxes, inside);
    results.gt_labels = selectRows(labels, inside);
    return results;
  }

  toString(): string {
    return `MixUpdynamic_scale=(${this.dynamic_scale.join(', ')}), ratio_range=(${this.ratio_range.join(', ')}), flip_ratio=${this.flip_ratio}, pad_val=${this.pad_val}, max_iters=${this.max_iters}, min_bbox_size=${this.min_bbox_size}, min_area_ratio=${this.min_area_ratio}, max_aspect_ratio=${this.max_aspect_ratio}, skip_filter=${this.skip_filter})`;
  }
}

/** The geometry MixUp applied to the mixed-in image. */
interface MixGeometry {
  /** Size after the keep-ratio fit. */
  w: number;
  h: number;
  /** `img_scale` canvas. */
  dh: number;
  dw: number;
  /** Size after the scale jitter. */
  ow: number;
  oh: number;
  /** This image's size. */
  th: number;
  tw: number;
  xOff: number;
  yOff: number;
  /** Fit × jitter factor (what the boxes were scaled by). */
  scale: number;
  isFlip: boolean;
}

/**
 * The mixed-in masks through MixUp's steps onto a `th × tw` canvas: bitmaps like the image (fit,
 * paste on the `img_scale` canvas, jitter resize, flip, zero pad, crop); polygons like the boxes
 * (scaled, mirrored in `ow`, shifted by the crop offset).
 */
function moveMasks(m: InstanceMasks, g: MixGeometry): InstanceMasks {
  if (m.kind === 'polygon') {
    const polygons = m.polygons.map((inst) =>
      inst.map((p) => {
        const q = new Float64Array(p.length);
        for (let i = 0; i < p.length; i += 2) {
          const x = p[i]! * g.scale;
          q[i] = (g.isFlip ? g.ow - x : x) - g.xOff;
          q[i + 1] = p[i + 1]! * g.scale - g.yOff;
        }
        return q;
      }),
    );
    return { kind: 'polygon', height: g.th, width: g.tw, polygons };
  }
  let b = expandMasks(resizeMasks(m, g.h, g.w), g.dh, g.dw, 0, 0);
  b = resizeMasks(b, g.oh, g.ow);
  if (g.isFlip) b = flipMasks(b, 'horizontal');
  b = expandMasks(b, Math.max(g.oh, g.th), Math.max(g.ow, g.tw), 0, 0);
  return cropMasks(b, [g.xOff, g.yOff, g.xOff + g.tw, g.yOff + g.th]);
}

/** This image's masks followed by the mixed-in ones (same kind, same canvas). */
function concatMasks(a: InstanceMasks, b: InstanceMasks): InstanceMasks {
  if (a.kind === 'bitmap' && b.kind === 'bitmap') return { kind: 'bitmap', height: a.height, width: a.width, masks: [...a.masks, ...b.masks] };
  if (a.kind === 'polygon' && b.kind === 'polygon') return { kind: 'polygon', height: a.height, width: a.width, polygons: [...a.polygons, ...b.polygons] };
  throw new AssertionError_('DATA_BAD_MASKS', 'MixUp: bitmap and polygon masks cannot be mixed (use the same LoadAnnotations poly2mask for all samples)');
}
