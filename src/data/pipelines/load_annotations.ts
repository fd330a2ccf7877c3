/**
 * @module Port of `LoadAnnotations` from `mmdet/datasets/pipelines/loading.py` @ v2.28.2.
 *
 * Masks: `poly2mask=true` rasterises COCO polygons / RLE into {@link BitmapMasks} exactly as
 * pycocotools; `false` keeps {@link PolygonMasks}. Semantic maps are read as `unchanged` (1 channel).
 */
import { join } from 'node:path';
import type { BitmapMasks, PolygonMasks } from '../../structures/det_types.js';
import { ValueError } from '../../utils/errors.js';
import { imread } from './image_io.js';
import { poly2mask, processPolygons } from './mask_ops.js';
import type { Results, Transform } from './types.js';

/** Options of {@link LoadAnnotations} (mmdet keyword names). */
export interface LoadAnnotationsConfig {
  with_bbox?: boolean;
  with_label?: boolean;
  with_mask?: boolean;
  with_seg?: boolean;
  /** Rasterise polygons to bitmaps (default true). */
  poly2mask?: boolean;
  /** Boxes are relative (0..1): multiply by image width/height. */
  denorm_bbox?: boolean;
  file_client_args?: { backend: string };
}

/** Copies `ann_info` into `gt_bboxes`, `gt_bboxes_ignore`, `gt_labels`, `gt_masks`, `gt_semantic_seg`. */
export class LoadAnnotations implements Transform {
  static readonly type = 'LoadAnnotations';
  readonly with_bbox: boolean;
  readonly with_label: boolean;
  readonly with_mask: boolean;
  readonly with_seg: boolean;
  readonly poly2mask: boolean;
  readonly denorm_bbox: boolean;

  constructor(cfg: LoadAnnotationsConfig = {}) {
    this.with_bbox = cfg.with_bbox ?? true;
    this.with_label = cfg.with_label ?? true;
    this.with_mask = cfg.with_mask ?? false;
    this.with_seg = cfg.with_seg ?? false;
    this.poly2mask = cfg.poly2mask ?? true;
    this.denorm_bbox = cfg.denorm_bbox ?? false;
  }

  private annInfo(results: Results) {
    if (results.ann_info === undefined) throw new ValueError('DATA_MISSING_KEY', "LoadAnnotations needs results['ann_info'] (a train-mode dataset)");
    return results.ann_info;
  }

  async apply(results: Results): Promise<Results | null> {
    const ann = this.annInfo(results);
    results.bbox_fields ??= [];
    results.mask_fields ??= [];
    results.seg_fields ??= [];
    if (this.with_bbox) {
      const b = ann.bboxes.slice();
      if (this.denorm_bbox && b.length > 0) {
        const [h, w] = results.img_shape ?? [results.img_info?.height ?? 1, results.img_info?.width ?? 1];
        for (let i = 0; i < b.length; i += 4) {
          b[i] = b[i]! * w;
          b[i + 1] = b[i + 1]! * h;
          b[i + 2] = b[i + 2]! * w;
          b[i + 3] = b[i + 3]! * h;
        }
      }
      results.gt_bboxes = b;
      if (ann.bboxes_ignore !== undefined) {
        results.gt_bboxes_ignore = ann.bboxes_ignore.slice();
        results.bbox_fields.push('gt_bboxes_ignore');
      }
      results.bbox_fields.push('gt_bboxes');
    }
    if (this.with_label) results.gt_labels = ann.labels.slice();
    if (this.with_mask) {
      const h = results.img_info!.height;
      const w = results.img_info!.width;
      const raw = ann.masks ?? [];
      if (this.poly2mask) {
        const masks: BitmapMasks = { kind: 'bitmap', height: h, width: w, masks: raw.map((m) => poly2mask(m, h, w)) };
        results.gt_masks = masks;
      } else {
        const masks: PolygonMasks = { kind: 'polygon', height: h, width: w, polygons: raw.map((p) => processPolygons(p)) };
        results.gt_masks = masks;
      }
      results.mask_fields.push('gt_masks');
    }
    if (this.with_seg) {
      if (ann.seg_map === undefined) throw new ValueError('DATA_MISSING_KEY', 'with_seg=True needs ann_info.seg_map');
      const file = join(results.seg_prefix ?? '', ann.seg_map);
      const seg = await imread(file, 'unchanged');
      results.gt_semantic_seg = seg.channels === 1 ? seg : { ...seg, data: seg.data.filter((_, i) => i % seg.channels === 0), channels: 1 };
      results.seg_fields.push('gt_semantic_seg');
    }
    return results;
  }

  toString(): string {
    return `LoadAnnotations(with_bbox=${this.with_bbox}, with_label=${this.with_label}, with_mask=${this.with_mask}, with_seg=${this.with_seg}, poly2mask=${this.poly2mask})`;
  }
}
