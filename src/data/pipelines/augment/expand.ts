/**
 * @module Port of `Expand` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting note: mmdet leaves `img_shape` at the old size (SSD always resizes afterwards); detkit
 * sets it to the expanded size so a following RandomFlip or crop sees the real canvas.
 */
import type { InstanceMasks } from '../../../structures/det_types.js';
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_ } from '../../../utils/errors.js';
import type { Image, Results, Transform, TransformContext } from '../types.js';
import { buildFromConfig, checkProb, checkRange, requireImage, requireSingleImg } from './checks.js';
import { fullImage, pasteImage } from './image_geometry.js';
import { expandMasks } from './masks.js';

/** Options of {@link Expand} (mmdet keyword names). */
export interface ExpandConfig {
  /** Canvas fill, the dataset mean in the order of `to_rgb` (default `[0, 0, 0]`). */
  mean?: number[];
  /** Whether `mean` is RGB (reversed to BGR for the canvas; default true). */
  to_rgb?: boolean;
  /** Canvas size as a multiple of the image size (default `[1, 4]`). */
  ratio_range?: [number, number];
  /** Fill value of expanded segmentation maps (default null → 0). */
  seg_ignore_label?: number | null;
  /** Probability of expanding (default 0.5). */
  prob?: number;
}

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['mean', 'to_rgb', 'ratio_range', 'seg_ignore_label', 'prob'];

/**
 * Places the image at a random offset on a `ratio × (h, w)` canvas filled with `mean`; boxes are
 * shifted by the offset, masks and segmentation maps expanded alike.
 * Reads/writes `img, img_shape, bbox_fields, mask_fields, seg_fields`.
 */
export class Expand implements Transform {
  static readonly type = 'Expand';
  readonly mean: number[];
  readonly to_rgb: boolean;
  readonly ratio_range: [number, number];
  readonly seg_ignore_label: number | null;
  readonly prob: number;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): Expand {
    return buildFromConfig('Expand', args, ctx, KEYS, (a) => new Expand(a as unknown as ExpandConfig));
  }

  constructor(cfg: ExpandConfig = {}) {
    const mean = cfg.mean ?? [0, 0, 0];
    if (!Array.isArray(mean) || !mean.every((x) => typeof x === 'number')) {
      throw new AssertionError_('DATA_BAD_AUG_OPTION', `Expand: mean must be a list of numbers, got ${JSON.stringify(mean)}`, { configPath: 'mean' });
    }
    this.to_rgb = cfg.to_rgb ?? true;
    this.mean = this.to_rgb ? [...mean].reverse() : [...mean];
    this.ratio_range = checkRange(cfg.ratio_range ?? [1, 4], 'ratio_range', 'Expand');
    if (this.ratio_range[0] < 1) throw new AssertionError_('DATA_BAD_AUG_OPTION', `Expand: ratio_range must be >= 1, got ${JSON.stringify(this.ratio_range)}`, { configPath: 'ratio_range' });
    this.seg_ignore_label = cfg.seg_ignore_label ?? null;
    this.prob = checkProb(cfg.prob ?? 0.5, 'prob', 'Expand');
  }

  apply(results: Results, ctx: TransformContext): Results {
    if (ctx.rng.uniform(0, 1) > this.prob) return results;
    requireSingleImg(results, 'Expand');
    const img = requireImage(results, 'Expand');
    const { height: h, width: w, channels: c } = img;
    if (this.mean.length !== c) throw new AssertionError_('DATA_BAD_AUG_OPTION', `Expand: mean has ${this.mean.length} values but the image has ${c} channels`, { configPath: 'mean' });
    const ratio = ctx.rng.uniform(this.ratio_range[0], this.ratio_range[1]);
    const eh = Math.trunc(h * ratio);
    const ew = Math.trunc(w * ratio);
    const canvas = fullImage(img, eh, ew, c, this.mean);
    const left = Math.trunc(ctx.rng.uniform(0, w * ratio - w));
    const top = Math.trunc(ctx.rng.uniform(0, h * ratio - h));
    pasteImage(canvas, img, left, top, 0, 0, w, h);
    results.img = canvas;
    results.img_shape = [eh, ew, c];
    for (const key of results.bbox_fields ?? []) {
      const b = (results[key] as Float32Array).slice();
      for (let i = 0; i < b.length; i++) b[i] = b[i]! + (i % 2 === 0 ? left : top);
      results[key] = b;
    }
    for (const key of results.mask_fields ?? []) {
      const m = results[key] as InstanceMasks | undefined;
      if (m !== undefined) results[key] = expandMasks(m, eh, ew, top, left);
    }
    for (const key of results.seg_fields ?? []) {
      const seg = results[key] as Image;
      const out = fullImage(seg, eh, ew, seg.channels, this.seg_ignore_label ?? 0);
      pasteImage(out, seg, left, top, 0, 0, seg.width, seg.height);
      results[key] = out;
    }
    return results;
  }

  toString(): string {
    return `Expand(mean=(${this.mean.join(', ')}), to_rgb=${this.to_rgb}, ratio_range=(${this.ratio_range.join(', ')}), seg_ignore_label=${this.seg_ignore_label})`;
  }
}
