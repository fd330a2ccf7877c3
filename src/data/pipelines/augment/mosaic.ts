/**
 * @module Port of `Mosaic` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting notes:
 * - mmdet 2.x moves only `gt_bboxes` / `gt_labels` and leaves `gt_masks` and `gt_bboxes_ignore` of
 *   the top-left image untouched (wrong for the mosaic). detkit moves instance masks (bitmap or
 *   polygon, like mmdet 3.x) and ignore boxes with the same scale and offset, so everything in
 *   `results` matches the mosaic image.
 * - Sub-images never change in place (`mix_results` may share arrays with other samples).
 */
import type { InstanceMasks } from '../../../structures/det_types.js';
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_, KeyError } from '../../../utils/errors.js';
import { imresize } from '../image_ops.js';
import { resizeMasks } from '../mask_ops.js';
import type { MixTransform, Results, TransformContext } from '../types.js';
import { clipBoxesInPlace, concatArrays, findInsideBboxes, numBoxes, selectBoxes, selectRows } from './boxes.js';
import { buildFromConfig, checkProb, checkRange, checkScaleHW, requireImage } from './checks.js';
import { fullImage, pasteImage } from './image_geometry.js';
import { cropMasks, expandMasks, selectMasks } from './masks.js';

/** Options of {@link Mosaic} (mmdet keyword names). */
export interface MosaicConfig {
  /** `(h, w)` of one mosaic cell; the output is `2h × 2w` (default `[640, 640]`). */
  img_scale?: [number, number];
  /** Range of the mosaic centre as a fraction of `(w, h)` (default `[0.5, 1.5]`). */
  center_ratio_range?: [number, number];
  /** Boxes with a side ≤ this are dropped unless `skip_filter` (default 0). */
  min_bbox_size?: number;
  /** Clip boxes to the mosaic (default true). */
  bbox_clip_border?: boolean;
  /** Skip the size filter (default true). */
  skip_filter?: boolean;
  /** Canvas fill value (default 114). */
  pad_val?: number;
  /** Probability of applying the mosaic (default 1.0). */
  prob?: number;
}

type Loc = 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right';
const LOCS: readonly Loc[] = ['top_left', 'top_right', 'bottom_left', 'bottom_right'];
/** `[x1, y1, x2, y2]`. */
type Quad = [number, number, number, number];

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['img_scale', 'center_ratio_range', 'min_bbox_size', 'bbox_clip_border', 'skip_filter', 'pad_val', 'prob'];

/**
 * Combines the image and three others (`results.mix_results`, fetched by MultiImageMixDataset via
 * {@link Mosaic.get_indexes}) into a `2h × 2w` mosaic around a random centre: each is resized to fit
 * `(h, w)` keeping its ratio and pasted into its quadrant. Boxes are scaled and offset, clipped, size
 * filtered (optional) and dropped when outside.
 * Reads `img, gt_bboxes, gt_labels` (+ `gt_masks`, `gt_bboxes_ignore`) of all four; writes them and `img_shape`.
 */
export class Mosaic implements MixTransform {
  static readonly type = 'Mosaic';
  readonly img_scale: [number, number];
  readonly center_ratio_range: [number, number];
  readonly min_bbox_size: number;
  readonly bbox_clip_border: boolean;
  readonly skip_filter: boolean;
  readonly pad_val: number;
  readonly prob: number;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): Mosaic {
    return buildFromConfig('Mosaic', args, ctx, KEYS, (a) => new Mosaic(a as unknown as MosaicConfig));
  }

  constructor(cfg: MosaicConfig = {}) {
    this.img_scale = checkScaleHW(cfg.img_scale ?? [640, 640], 'img_scale', 'Mosaic');
    this.center_ratio_range = checkRange(cfg.center_ratio_range ?? [0.5, 1.5], 'center_ratio_range', 'Mosaic');
    this.min_bbox_size = cfg.min_bbox_size ?? 0;
    this.bbox_clip_border = cfg.bbox_clip_border ?? true;
    this.skip_filter = cfg.skip_filter ?? true;
    this.pad_val = cfg.pad_val ?? 114;
    this.prob = checkProb(cfg.prob ?? 1.0, 'prob', 'Mosaic');
  }

  /** mmdet `get_indexes`: three random dataset indices. */
  get_indexes(dataset: { readonly length: number }, ctx: TransformContext): number[] {
    return [0, 1, 2].map(() => ctx.rng.randint(0, dataset.length));
  }

  apply(results: Results, ctx: TransformContext): Results {
    if (ctx.rng.uniform(0, 1) > this.prob) return results;
    const mix = results.mix_results;
    if (mix === undefined || mix.length < 3) {
      throw new KeyError('DATA_NO_MIX_RESULTS', "Mosaic needs 'mix_results' with 3 samples", { hint: 'use Mosaic inside a MultiImageMixDataset pipeline' });
    }
    const first = requireImage(results, 'Mosaic');
    const [sh, sw] = this.img_scale;
    const H = sh * 2;
    const W = sw * 2;
    const canvas = fullImage(first, H, W, first.channels, this.pad_val);
    const cx = Math.trunc(ctx.rng.uniform(this.center_ratio_range[0], this.center_ratio_range[1]) * sw);
    const cy = Math.trunc(ctx.rng.uniform(this.center_ratio_range[0], this.center_ratio_range[1]) * sh);
    const withMasks = results.gt_masks !== undefined;
    const withIgnore = results.gt_bboxes_ignore !== undefined;
    const boxes: Float32Array[] = [];
    const labels: Int32Array[] = [];
    const ignores: Float32Array[] = [];
    const masks: InstanceMasks[] = [];
    LOCS.forEach((loc, i) => {
      const patch = i === 0 ? results : mix[i - 1]!;
      const img = requireImage(patch, 'Mosaic');
      if (img.channels !== first.channels) throw new AssertionError_('DATA_BAD_IMAGE', `Mosaic: images with ${img.channels} and ${first.channels} channels cannot be mixed`);
      const s = Math.min(sh / img.height, sw / img.width);
      const rw = Math.trunc(img.width * s);
      const rh = Math.trunc(img.height * s);
      const resized = imresize(img, rw, rh);
      const [paste, crop] = this.combine(loc, cx, cy, rw, rh);
      pasteImage(canvas, resized, paste[0], paste[1], crop[0], crop[1], paste[2] - paste[0], paste[3] - paste[1]);
      const padw = paste[0] - crop[0];
      const padh = paste[1] - crop[1];
      const move = (b: Float32Array) => b.map((v, k) => s * v + (k % 2 === 0 ? padw : padh));
      const gt = patch.gt_bboxes;
      const gl = patch.gt_labels;
      if (gt === undefined || gl === undefined) throw new KeyError('DATA_NO_GT', `Mosaic: sample ${i} has no gt_bboxes / gt_labels`, { hint: 'the inner dataset pipeline must run LoadAnnotations' });
      boxes.push(move(gt));
      labels.push(gl);
      if (withIgnore) ignores.push(move(patch.gt_bboxes_ignore ?? new Float32Array(0)));
      if (withMasks) masks.push(this.moveMasks(patch, i, rw, rh, crop, paste, H, W));
    });
    let allBoxes = concatArrays(boxes, Float32Array);
    let allLabels = concatArrays(labels, Int32Array);
    let keep = Array.from({ length: numBoxes(allBoxes) }, (_, k) => k);
    if (this.bbox_clip_border) clipBoxesInPlace(allBoxes, H, W);
    if (!this.skip_filter) keep = keep.filter((k) => allBoxes[k * 4 + 2]! - allBoxes[k * 4]! > this.min_bbox_size && allBoxes[k * 4 + 3]! - allBoxes[k * 4 + 1]! > this.min_bbox_size);
    const inside = new Set(findInsideBboxes(allBoxes, H, W));
    keep = keep.filter((k) => inside.has(k));
    allBoxes = selectBoxes(allBoxes, keep);
    allLabels = selectRows(allLabels, keep);
    results.img = canvas;
    results.img_shape = [H, W, canvas.channels];
    results.gt_bboxes = allBoxes;
    results.gt_labels = allLabels;
    if (withIgnore) {
      const ign = concatArrays(ignores, Float32Array);
      if (this.bbox_clip_border) clipBoxesInPlace(ign, H, W);
      results.gt_bboxes_ignore = selectBoxes(ign, findInsideBboxes(ign, H, W));
    }
    if (withMasks) results.gt_masks = selectMasks(concatMasks(masks, H, W), keep);
    return results;
  }

  /** mmdet `_mosaic_combine`: paste box in the mosaic and crop box in the resized sub-image (`w × h`). */
  private combine(loc: Loc, cx: number, cy: number, w: number, h: number): [Quad, Quad] {
    const W = this.img_scale[1] * 2;
    const H = this.img_scale[0] * 2;
    let p: Quad;
    let c: Quad;
    if (loc === 'top_left') {
      p = [Math.max(cx - w, 0), Math.max(cy - h, 0), cx, cy];
      c = [w - (p[2] - p[0]), h - (p[3] - p[1]), w, h];
    } else if (loc === 'top_right') {
      p = [cx, Math.max(cy - h, 0), Math.min(cx + w, W), cy];
      c = [0, h - (p[3] - p[1]), Math.min(w, p[2] - p[0]), h];
    } else if (loc === 'bottom_left') {
      p = [Math.max(cx - w, 0), cy, cx, Math.min(H, cy + h)];
      c = [w - (p[2] - p[0]), 0, w, Math.min(p[3] - p[1], h)];
    } else {
      p = [cx, cy, Math.min(cx + w, W), Math.min(H, cy + h)];
      c = [0, 0, Math.min(w, p[2] - p[0]), Math.min(p[3] - p[1], h)];
    }
    return [p, c];
  }

  /** The masks of sample `i` resized like its image and placed where its crop was pasted (`H × W` canvas). */
  private moveMasks(patch: Results, i: number, rw: number, rh: number, crop: Quad, paste: Quad, H: number, W: number): InstanceMasks {
    const m = patch.gt_masks;
    if (m === undefined) throw new KeyError('DATA_NO_GT', `Mosaic: sample ${i} has no gt_masks while the first one has`);
    const resized = resizeMasks(m, rh, rw);
    // Polygon vertices move exactly like the boxes; the canvas becomes the mosaic.
    if (resized.kind === 'polygon') return expandMasks(resized, H, W, paste[1] - crop[1], paste[0] - crop[0]);
    if (paste[2] <= paste[0] || paste[3] <= paste[1]) return { kind: 'bitmap', height: H, width: W, masks: resized.masks.map(() => new Uint8Array(H * W)) };
    return expandMasks(cropMasks(resized, crop), H, W, paste[1], paste[0]);
  }

  toString(): string {
    return `Mosaicimg_scale=(${this.img_scale.join(', ')}), center_ratio_range=(${this.center_ratio_range.join(', ')}), pad_val=${this.pad_val}, min_bbox_size=${this.min_bbox_size}, skip_filter=${this.skip_filter})`;
  }
}

/** Concatenates the instances of same-canvas masks of one kind. */
function concatMasks(parts: InstanceMasks[], H: number, W: number): InstanceMasks {
  if (parts.every((p) => p.kind === 'bitmap')) return { kind: 'bitmap', height: H, width: W, masks: parts.flatMap((p) => (p.kind === 'bitmap' ? p.masks : [])) };
  if (parts.every((p) => p.kind === 'polygon')) return { kind: 'polygon', height: H, width: W, polygons: parts.flatMap((p) => (p.kind === 'polygon' ? p.polygons : [])) };
  throw new AssertionError_('DATA_BAD_MASKS', 'Mosaic: bitmap and polygon masks cannot be mixed (use the same LoadAnnotations poly2mask for all samples)');
}
