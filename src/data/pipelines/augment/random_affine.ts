/**
 * @module Port of `RandomAffine` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting note: mmdet 2.x raises `NotImplementedError` when `gt_masks` is present; detkit warps
 * instance masks too (polygon vertices through the matrix, bitmaps with nearest-neighbour warping)
 * and keeps those of the kept boxes.
 */
import type { InstanceMasks } from '../../../structures/det_types.js';
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_ } from '../../../utils/errors.js';
import type { Results, Transform, TransformContext } from '../types.js';
import { clipBoxesInPlace, filterBoxCandidates, findInsideBboxes, numBoxes, selectBoxes, selectRows } from './boxes.js';
import { buildFromConfig, checkRange, requireImage } from './checks.js';
import { selectMasks } from './masks.js';
import { matmul3, warpPerspective, warpPoint, type Mat3 } from './warp_perspective.js';

/** Options of {@link RandomAffine} (mmdet keyword names). */
export interface RandomAffineConfig {
  /** Rotation drawn from `U(−d, d)` degrees (default 10). */
  max_rotate_degree?: number;
  /** Translation drawn from `U(−r, r) × (w, h)` (default 0.1). */
  max_translate_ratio?: number;
  /** Scale drawn from this range (default `[0.5, 1.5]`). */
  scaling_ratio_range?: [number, number];
  /** Shear angles drawn from `U(−d, d)` degrees (default 2). */
  max_shear_degree?: number;
  /** `(y, x)` added on each side of the output (YOLOX: `−img_scale / 2`; default `[0, 0]`). */
  border?: [number, number];
  /** Fill of uncovered pixels, one per channel (default `[114, 114, 114]`). */
  border_val?: number[];
  /** Filter: minimum box side in pixels (default 2). */
  min_bbox_size?: number;
  /** Filter: minimum `area / (scaled original area)` (default 0.2). */
  min_area_ratio?: number;
  /** Filter: maximum aspect ratio (default 20). */
  max_aspect_ratio?: number;
  /** Clip boxes to the output (default true). */
  bbox_clip_border?: boolean;
  /** Skip the box filter (default true). */
  skip_filter?: boolean;
}

const f32 = Math.fround;

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['max_rotate_degree', 'max_translate_ratio', 'scaling_ratio_range', 'max_shear_degree', 'border', 'border_val', 'min_bbox_size', 'min_area_ratio', 'max_aspect_ratio', 'bbox_clip_border', 'skip_filter'];

/**
 * Random affine warp `M = Translate · Shear · Rotate · Scale` of the image (output size = input +
 * 2·border). Each box becomes the min/max of its 4 warped corners, clipped; boxes outside the output
 * (or failing the optional filter) are dropped with their labels and masks.
 * Reads/writes `img, img_shape, bbox_fields, gt_labels, gt_masks`.
 */
export class RandomAffine implements Transform {
  static readonly type = 'RandomAffine';
  readonly max_rotate_degree: number;
  readonly max_translate_ratio: number;
  readonly scaling_ratio_range: [number, number];
  readonly max_shear_degree: number;
  readonly border: [number, number];
  readonly border_val: number[];
  readonly min_bbox_size: number;
  readonly min_area_ratio: number;
  readonly max_aspect_ratio: number;
  readonly bbox_clip_border: boolean;
  readonly skip_filter: boolean;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): RandomAffine {
    return buildFromConfig('RandomAffine', args, ctx, KEYS, (a) => new RandomAffine(a as unknown as RandomAffineConfig));
  }

  constructor(cfg: RandomAffineConfig = {}) {
    this.max_rotate_degree = cfg.max_rotate_degree ?? 10.0;
    this.max_translate_ratio = cfg.max_translate_ratio ?? 0.1;
    if (!(this.max_translate_ratio >= 0 && this.max_translate_ratio <= 1)) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomAffine: max_translate_ratio must be in [0, 1], got ${this.max_translate_ratio}`, { configPath: 'max_translate_ratio' });
    }
    this.scaling_ratio_range = checkRange(cfg.scaling_ratio_range ?? [0.5, 1.5], 'scaling_ratio_range', 'RandomAffine');
    if (!(this.scaling_ratio_range[0] > 0)) throw new AssertionError_('DATA_BAD_AUG_OPTION', 'RandomAffine: scaling_ratio_range must be positive', { configPath: 'scaling_ratio_range' });
    this.max_shear_degree = cfg.max_shear_degree ?? 2.0;
    const border = cfg.border ?? [0, 0];
    if (!Array.isArray(border) || border.length !== 2 || !border.every((v) => Number.isInteger(v))) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomAffine: border must be a (y, x) pair of integers, got ${JSON.stringify(border)}`, { configPath: 'border' });
    }
    this.border = [border[0], border[1]];
    this.border_val = cfg.border_val ?? [114, 114, 114];
    this.min_bbox_size = cfg.min_bbox_size ?? 2;
    this.min_area_ratio = cfg.min_area_ratio ?? 0.2;
    this.max_aspect_ratio = cfg.max_aspect_ratio ?? 20;
    this.bbox_clip_border = cfg.bbox_clip_border ?? true;
    this.skip_filter = cfg.skip_filter ?? true;
  }

  /** Draws the warp matrix (float32 entries, as mmdet) for an output of `width × height`. */
  randomMatrix(width: number, height: number, ctx: TransformContext): { matrix: number[]; scaling: number } {
    const rng = ctx.rng;
    const rot = (rng.uniform(-this.max_rotate_degree, this.max_rotate_degree) * Math.PI) / 180;
    const R = [Math.cos(rot), -Math.sin(rot), 0, Math.sin(rot), Math.cos(rot), 0, 0, 0, 1].map(f32);
    const scaling = rng.uniform(this.scaling_ratio_range[0], this.scaling_ratio_range[1]);
    const S = [scaling, 0, 0, 0, scaling, 0, 0, 0, 1].map(f32);
    const sx = (rng.uniform(-this.max_shear_degree, this.max_shear_degree) * Math.PI) / 180;
    const sy = (rng.uniform(-this.max_shear_degree, this.max_shear_degree) * Math.PI) / 180;
    const Sh = [1, Math.tan(sx), 0, Math.tan(sy), 1, 0, 0, 0, 1].map(f32);
    const tx = rng.uniform(-this.max_translate_ratio, this.max_translate_ratio) * width;
    const ty = rng.uniform(-this.max_translate_ratio, this.max_translate_ratio) * height;
    const T = [1, 0, tx, 0, 1, ty, 0, 0, 1].map(f32);
    return { matrix: matmul3(matmul3(matmul3(T, Sh), R), S).map(f32), scaling };
  }

  apply(results: Results, ctx: TransformContext): Results {
    const img = requireImage(results, 'RandomAffine');
    const height = img.height + this.border[0] * 2;
    const width = img.width + this.border[1] * 2;
    if (height <= 0 || width <= 0) throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomAffine: border ${JSON.stringify(this.border)} leaves no output for a ${img.width}x${img.height} image`, { configPath: 'border' });
    if (this.border_val.length !== img.channels) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `RandomAffine: border_val has ${this.border_val.length} values but the image has ${img.channels} channels`, { configPath: 'border_val' });
    }
    const { matrix, scaling } = this.randomMatrix(width, height, ctx);
    results.img = warpPerspective(img, matrix, width, height, this.border_val);
    results.img_shape = [height, width, img.channels];
    for (const key of results.bbox_fields ?? []) {
      const boxes = results[key] as Float32Array;
      if (numBoxes(boxes) === 0) {
        // No instances: masks (if any) only take the new canvas size.
        if (key === 'gt_bboxes' && results.gt_masks !== undefined) results.gt_masks = warpMasks(results.gt_masks, matrix, width, height);
        continue;
      }
      const warped = warpBoxes(matrix, boxes);
      if (this.bbox_clip_border) clipBoxesInPlace(warped, height, width);
      let valid = findInsideBboxes(warped, height, width);
      if (!this.skip_filter) {
        const ok = filterBoxCandidates(boxes.map((v) => v * scaling), warped, this);
        valid = valid.filter((k) => ok[k]);
      }
      results[key] = selectBoxes(warped, valid);
      if (key === 'gt_bboxes') {
        if (results.gt_labels !== undefined) results.gt_labels = selectRows(results.gt_labels, valid);
        if (results.gt_masks !== undefined) results.gt_masks = selectMasks(warpMasks(results.gt_masks, matrix, width, height), valid);
      }
    }
    return results;
  }

  toString(): string {
    return `RandomAffine(max_rotate_degree=${this.max_rotate_degree}, max_translate_ratio=${this.max_translate_ratio}, scaling_ratio=(${this.scaling_ratio_range.join(', ')}), max_shear_degree=${this.max_shear_degree}, border=(${this.border.join(', ')}), border_val=(${this.border_val.join(', ')}), min_bbox_size=${this.min_bbox_size}, min_area_ratio=${this.min_area_ratio}, max_aspect_ratio=${this.max_aspect_ratio}, skip_filter=${this.skip_filter})`;
  }
}

/** Each box → min/max of its four corners warped by `m` (`[n*4]`). */
export function warpBoxes(m: Mat3, boxes: Float32Array): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    const pts = [
      warpPoint(m, boxes[i]!, boxes[i + 1]!),
      warpPoint(m, boxes[i]!, boxes[i + 3]!),
      warpPoint(m, boxes[i + 2]!, boxes[i + 3]!),
      warpPoint(m, boxes[i + 2]!, boxes[i + 1]!),
    ];
    out[i] = Math.min(...pts.map((p) => p[0]));
    out[i + 1] = Math.min(...pts.map((p) => p[1]));
    out[i + 2] = Math.max(...pts.map((p) => p[0]));
    out[i + 3] = Math.max(...pts.map((p) => p[1]));
  }
  return out;
}

/** Masks warped by `m` onto a `width × height` canvas. */
function warpMasks(masks: InstanceMasks, m: Mat3, width: number, height: number): InstanceMasks {
  if (masks.kind === 'polygon') {
    const polygons = masks.polygons.map((inst) =>
      inst.map((p) => {
        const q = new Float64Array(p.length);
        for (let i = 0; i < p.length; i += 2) [q[i], q[i + 1]] = warpPoint(m, p[i]!, p[i + 1]!);
        return q;
      }),
    );
    return { kind: 'polygon', height, width, polygons };
  }
  const warped = masks.masks.map(
    (mk) => warpPerspective({ data: mk, height: masks.height, width: masks.width, channels: 1 }, m, width, height, [0], 'nearest').data as Uint8Array,
  );
  return { kind: 'bitmap', height, width, masks: warped };
}
