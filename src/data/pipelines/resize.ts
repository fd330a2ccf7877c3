/**
 * @module Port of `Resize` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Images are resized with a JS kernel that reproduces cv2's `INTER_LINEAR` (`image_ops.ts`), masks
 * and segmentation maps with nearest neighbour, as mmcv. Scales are `(w, h)` pairs as in mmdet
 * (for `keep_ratio`: `(long edge, short edge)` limits in either order).
 */
import { AssertionError_, ValueError } from '../../utils/errors.js';
import { imrescale, imresize, rescaleSize, type Interpolation } from './image_ops.js';
import { resizeMasks } from './mask_ops.js';
import { ResizedImage } from './resized_image.js';
import type { Image, InstanceMasksLike, Results, Transform, TransformContext } from './utils.js';
import { asScaleList } from './utils.js';

/** Options of {@link Resize} (mmdet keyword names). */
export interface ResizeConfig {
  /** One `(w, h)` scale or a list of them. */
  img_scale?: [number, number] | Array<[number, number]> | null;
  /** `range` (default): random long/short edge within the 2 scales; `value`: pick one scale. */
  multiscale_mode?: 'range' | 'value';
  /** `(min, max)` ratio applied to the single `img_scale`. */
  ratio_range?: [number, number] | null;
  /** Keep the aspect ratio (default true). */
  keep_ratio?: boolean;
  /** Clip boxes to the resized image (default true). */
  bbox_clip_border?: boolean;
  /** Only `cv2` semantics are implemented. */
  backend?: 'cv2';
  /** `bilinear` (default) or `nearest`. */
  interpolation?: Interpolation;
  /** Let a second Resize recompute the scale (DETR AutoAugment). */
  override?: boolean;
}

/** Resizes images, boxes, masks and maps; writes `scale, scale_idx, img_shape, pad_shape, scale_factor, keep_ratio`. */
export class Resize implements Transform {
  static readonly type = 'Resize';
  readonly img_scale: Array<[number, number]> | null;
  readonly multiscale_mode: 'range' | 'value';
  readonly ratio_range: [number, number] | null;
  readonly keep_ratio: boolean;
  readonly bbox_clip_border: boolean;
  readonly interpolation: Interpolation;
  readonly override: boolean;

  constructor(cfg: ResizeConfig = {}) {
    this.img_scale = cfg.img_scale === undefined || cfg.img_scale === null ? null : asScaleList(cfg.img_scale, 'img_scale');
    this.ratio_range = cfg.ratio_range ?? null;
    if (this.ratio_range !== null) {
      if (this.img_scale === null || this.img_scale.length !== 1) {
        throw new AssertionError_('DATA_BAD_RESIZE', 'Resize: ratio_range needs exactly one img_scale', { configPath: 'img_scale' });
      }
    }
    this.multiscale_mode = cfg.multiscale_mode ?? 'range';
    if (this.multiscale_mode !== 'range' && this.multiscale_mode !== 'value') {
      throw new AssertionError_('DATA_BAD_RESIZE', `Resize: multiscale_mode must be 'range' or 'value', got '${String(this.multiscale_mode)}'`, {
        configPath: 'multiscale_mode',
      });
    }
    if (cfg.backend !== undefined && cfg.backend !== 'cv2') throw new ValueError('DATA_BAD_RESIZE', `Resize: backend '${String(cfg.backend)}' is not supported (only 'cv2')`);
    this.keep_ratio = cfg.keep_ratio ?? true;
    this.bbox_clip_border = cfg.bbox_clip_border ?? true;
    this.interpolation = cfg.interpolation ?? 'bilinear';
    this.override = cfg.override ?? false;
  }

  /** mmdet `random_sample`: long edge and short edge drawn independently (inclusive ranges). */
  static randomSample(scales: Array<[number, number]>, ctx: TransformContext): [number, number] {
    const longs = scales.map((s) => Math.max(...s));
    const shorts = scales.map((s) => Math.min(...s));
    const longEdge = ctx.rng.randint(Math.min(...longs), Math.max(...longs) + 1);
    const shortEdge = ctx.rng.randint(Math.min(...shorts), Math.max(...shorts) + 1);
    return [longEdge, shortEdge];
  }

  /** mmdet `random_sample_ratio`: `int(scale * U(min, max))`. */
  static randomSampleRatio(scale: [number, number], ratio: [number, number], ctx: TransformContext): [number, number] {
    const r = ctx.rng.random() * (ratio[1] - ratio[0]) + ratio[0];
    return [Math.trunc(scale[0] * r), Math.trunc(scale[1] * r)];
  }

  private randomScale(results: Results, ctx: TransformContext): void {
    const scales = this.img_scale;
    if (scales === null) throw new ValueError('DATA_BAD_RESIZE', 'Resize: img_scale is None and results has no scale / scale_factor');
    if (this.ratio_range !== null) {
      results.scale = Resize.randomSampleRatio(scales[0]!, this.ratio_range, ctx);
      results.scale_idx = null;
    } else if (scales.length === 1) {
      results.scale = scales[0]!;
      results.scale_idx = 0;
    } else if (this.multiscale_mode === 'range') {
      results.scale = Resize.randomSample(scales, ctx);
      results.scale_idx = null;
    } else {
      const idx = ctx.rng.randint(scales.length);
      results.scale = scales[idx]!;
      results.scale_idx = idx;
    }
  }

  private resizeImage(img: Image, scale: [number, number], interp: Interpolation): Image {
    if (interp === 'bilinear') {
      // uint8 images are resized lazily (see ResizedImage: collate computes the rows).
      const [w, h] = this.keep_ratio ? rescaleSize(img.width, img.height, scale) : scale;
      return ResizedImage.resize(img, w, h);
    }
    return this.keep_ratio ? imrescale(img, scale, interp)[0] : imresize(img, scale[0], scale[1], interp);
  }

  apply(results: Results, ctx: TransformContext): Results {
    if (results.scale === undefined) {
      if (results.scale_factor !== undefined) {
        const sf = results.scale_factor;
        if (typeof sf !== 'number') throw new AssertionError_('DATA_BAD_RESIZE', 'Resize: a preset scale_factor must be a number');
        const img = results.img!;
        results.scale = [Math.trunc(img.width * sf), Math.trunc(img.height * sf)];
      } else {
        this.randomScale(results, ctx);
      }
    } else if (!this.override) {
      if (results.scale_factor !== undefined) throw new AssertionError_('DATA_BAD_RESIZE', 'scale and scale_factor cannot be both set.');
    } else {
      delete results.scale;
      delete results.scale_factor;
      this.randomScale(results, ctx);
    }
    const scale = results.scale!;
    // Images.
    let wScale = 1;
    let hScale = 1;
    for (const key of results.img_fields ?? ['img']) {
      const img = results[key] as Image;
      const out = this.resizeImage(img, scale, this.interpolation);
      wScale = out.width / img.width;
      hScale = out.height / img.height;
      results[key] = out;
      results.img_shape = [out.height, out.width, out.channels];
      // In case that there is no padding.
      results.pad_shape = [out.height, out.width, out.channels];
    }
    results.scale_factor = Float32Array.of(wScale, hScale, wScale, hScale);
    results.keep_ratio = this.keep_ratio;
    // Boxes.
    const [ih, iw] = results.img_shape!;
    const sf = results.scale_factor;
    for (const key of results.bbox_fields ?? []) {
      const b = (results[key] as Float32Array).slice();
      for (let i = 0; i < b.length; i++) {
        let v = b[i]! * sf[i % 4]!;
        if (this.bbox_clip_border) v = Math.min(Math.max(v, 0), i % 2 === 0 ? iw : ih);
        b[i] = v;
      }
      results[key] = b;
    }
    // Masks: keep_ratio rescales to the same size as the image, else resizes to img_shape.
    for (const key of results.mask_fields ?? []) {
      const m = results[key] as InstanceMasksLike | undefined;
      if (m === undefined) continue;
      if (this.keep_ratio) {
        const [nw, nh] = rescaleSize(m.width, m.height, scale);
        results[key] = resizeMasks(m, nh, nw);
      } else {
        results[key] = resizeMasks(m, ih, iw);
      }
    }
    // Segmentation maps.
    for (const key of results.seg_fields ?? []) results[key] = this.resizeImage(results[key] as Image, scale, 'nearest');
    return results;
  }

  toString(): string {
    return `Resize(img_scale=${JSON.stringify(this.img_scale)}, multiscale_mode=${this.multiscale_mode}, ratio_range=${JSON.stringify(this.ratio_range)}, keep_ratio=${this.keep_ratio}, bbox_clip_border=${this.bbox_clip_border})`;
  }
}
