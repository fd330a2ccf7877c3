/**
 * @module Port of `mmdet/datasets/coco.py` @ v2.28.2 (`CocoDataset`, loading and evaluation).
 *
 * The COCO json is indexed directly (no pycocotools): class order is the json's category order
 * restricted to `classes` (pycocotools `getCatIds(catNms=...)`), image order is the json's.
 * Evaluation delegates to `METRICS.get('coco')` (registered by evaluation/).
 */
import { METRICS } from '../registry/root.js';
import type { DetResult } from '../structures/det_types.js';
import type { CocoEvaluateFn, CocoJson } from '../structures/evaluation_types.js';
import { KeyError, ValueError } from '../utils/errors.js';
import { CustomDataset, loadJson, type CustomDatasetConfig } from './custom.js';
import type { AnnInfo, ImgInfo } from './pipelines/types.js';
import { dataWarn } from './warnings.js';

/** The 80 COCO class names (mmdet `CocoDataset.CLASSES`). */
export const COCO_CLASSES: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard',
  'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
  'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
  'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard',
  'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

type CocoAnn = CocoJson['annotations'][number];

/** Options of {@link CocoDataset}: CustomDataset's. */
export type CocoDatasetConfig = CustomDatasetConfig;

/** A COCO-format detection / instance segmentation dataset. */
export class CocoDataset extends CustomDataset {
  static override readonly type: string = 'CocoDataset';
  static override CLASSES: readonly string[] | null = COCO_CLASSES;

  /** The parsed annotation file (what evaluation needs). */
  declare coco: CocoJson;
  /** Selected category ids, in json order; label `i` is `cat_ids[i]`. */
  declare cat_ids: number[];
  declare cat2label: Map<number, number>;
  declare img_ids: number[];
  declare imgToAnns: Map<number, CocoAnn[]>;

  constructor(cfg: CocoDatasetConfig) {
    super(cfg);
  }

  override load_annotations(annFile: string): ImgInfo[] {
    const raw = loadJson(annFile) as CocoJson;
    for (const k of ['images', 'annotations', 'categories'] as const) {
      if (!Array.isArray(raw?.[k])) throw new KeyError('DATA_BAD_COCO', `${annFile} is not a COCO file: '${k}' must be a list`, { file: annFile });
    }
    this.coco = raw;
    const catNames = new Set(this.CLASSES);
    this.cat_ids = raw.categories.filter((c) => catNames.has(c.name)).map((c) => c.id);
    const found = new Set(raw.categories.map((c) => c.name));
    const missing = this.CLASSES.filter((c) => !found.has(c));
    if (missing.length > 0) {
      dataWarn('DATA_CLASS_NOT_IN_JSON', `${annFile}: classes ${JSON.stringify(missing.slice(0, 5))}${missing.length > 5 ? '...' : ''} are not among its categories (set data.*.classes to the json's category names)`);
    }
    this.cat2label = new Map(this.cat_ids.map((id, i) => [id, i]));
    const allCats = new Set(raw.categories.map((c) => c.id));
    const imgIdSet = new Set(raw.images.map((im) => im.id));
    this.imgToAnns = new Map(raw.images.map((im) => [im.id, [] as CocoAnn[]]));
    const annIds = new Set<number>();
    let unknownCats = 0;
    for (const ann of raw.annotations) {
      if (annIds.has(ann.id)) throw new ValueError('DATA_BAD_COCO', `Annotation ids in '${annFile}' are not unique! (id ${ann.id})`, { file: annFile });
      annIds.add(ann.id);
      if (!allCats.has(ann.category_id) && unknownCats++ === 0) {
        dataWarn('DATA_UNKNOWN_CATEGORY', `${annFile}: annotation ${ann.id} (image ${ann.image_id}) has category_id ${ann.category_id}, which is not in its categories list; such annotations are skipped`);
      }
      if (!imgIdSet.has(ann.image_id)) {
        dataWarn('DATA_UNKNOWN_IMAGE', `${annFile}: annotation ${ann.id} refers to image_id ${ann.image_id}, which is not in its images list`);
        continue;
      }
      const b = ann.bbox;
      if (!Array.isArray(b) || b.length !== 4) throw new ValueError('DATA_BAD_COCO', `${annFile}: annotation ${ann.id} has no [x, y, w, h] bbox`, { file: annFile });
      if (b[2] < 0 || b[3] < 0) {
        dataWarn('DATA_BAD_BOX', `${annFile}: annotation ${ann.id} (image ${ann.image_id}) has a negative width/height bbox ${JSON.stringify(b)} (x2 < x1); it is skipped`);
      }
      this.imgToAnns.get(ann.image_id)!.push(ann);
    }
    if (unknownCats > 1) dataWarn('DATA_UNKNOWN_CATEGORY', `${annFile}: ${unknownCats} annotations in total have a category_id not in the categories list`);
    this.img_ids = raw.images.map((im) => im.id);
    return raw.images.map((im) => ({ ...im, filename: im.file_name }));
  }

  /** Annotations of image `idx` in json order (pycocotools `loadAnns(getAnnIds(imgIds=[id]))`). */
  private annsOf(idx: number): CocoAnn[] {
    return this.imgToAnns.get(this.data_infos[idx]!.id as number) ?? [];
  }

  override get_ann_info(idx: number): AnnInfo {
    return this._parse_ann_info(this.data_infos[idx]!, this.annsOf(idx));
  }

  /** COCO category ids of the annotations of image `idx`. */
  override get_cat_ids(idx: number): number[] {
    return this.annsOf(idx).map((a) => a.category_id);
  }

  override _filter_imgs(minSize = 32): number[] {
    const idsWithAnn = new Set(this.coco.annotations.map((a) => a.image_id));
    const selected = new Set(this.cat_ids);
    const idsInCat = new Set<number>();
    for (const a of this.coco.annotations) if (selected.has(a.category_id) && idsWithAnn.has(a.image_id)) idsInCat.add(a.image_id);
    const valid: number[] = [];
    const validIds: number[] = [];
    this.data_infos.forEach((info, i) => {
      const id = this.img_ids[i]!;
      if (this.filter_empty_gt && !idsInCat.has(id)) return;
      if (Math.min(info.width, info.height) >= minSize) {
        valid.push(i);
        validIds.push(id);
      }
    });
    this.img_ids = validIds;
    return valid;
  }

  /** mmdet `_parse_ann_info`: the rules of `mmdet-spec.md` §4.2. */
  _parse_ann_info(info: ImgInfo, anns: CocoAnn[]): AnnInfo {
    const boxes: number[] = [];
    const labels: number[] = [];
    const ignore: number[] = [];
    const masks: unknown[] = [];
    for (const ann of anns) {
      if (ann.ignore) continue;
      const [x1, y1, w, h] = ann.bbox;
      const interW = Math.max(0, Math.min(x1 + w, info.width) - Math.max(x1, 0));
      const interH = Math.max(0, Math.min(y1 + h, info.height) - Math.max(y1, 0));
      if (interW * interH === 0) continue;
      if (ann.area <= 0 || w < 1 || h < 1) continue;
      const label = this.cat2label.get(ann.category_id);
      if (label === undefined) continue;
      const box = [x1, y1, x1 + w, y1 + h];
      if (ann.iscrowd) ignore.push(...box);
      else {
        boxes.push(...box);
        labels.push(label);
        masks.push(ann.segmentation ?? null);
      }
    }
    const dot = info.filename.lastIndexOf('.');
    return {
      bboxes: Float32Array.from(boxes),
      labels: Int32Array.from(labels),
      bboxes_ignore: Float32Array.from(ignore),
      masks,
      seg_map: (dot < 0 ? info.filename : info.filename.slice(0, dot)) + this.seg_suffix,
    };
  }

  /**
   * mmdet `CocoDataset.evaluate` through `METRICS.get('coco')`.
   * @param options mmdet keywords: `metric` (`bbox`, `segm`, `proposal`, `proposal_fast`), `classwise`,
   *   `proposal_nums`, `iou_thrs`, `metric_items`, `jsonfile_prefix`
   * @returns mmdet's keys (`bbox_mAP`, `bbox_mAP_50`, ..., `bbox_mAP_copypaste`)
   */
  override evaluate(results: unknown[], options: Record<string, unknown> = {}): Record<string, number> {
    const fn = METRICS.get('coco') as CocoEvaluateFn | undefined;
    if (fn === undefined) {
      throw new KeyError('DATA_NO_EVALUATOR', "no 'coco' evaluator is registered in METRICS", { hint: "import 'detkit/register_all' (evaluation/ registers it)" });
    }
    if (results.length !== this.length) {
      throw new ValueError('DATA_BAD_RESULTS', `The length of results is not equal to the dataset len: ${results.length} != ${this.length}`);
    }
    const metric = (options.metric as string | string[] | undefined) ?? 'bbox';
    const allowed = ['bbox', 'segm', 'proposal', 'proposal_fast'];
    for (const m of Array.isArray(metric) ? metric : [metric]) {
      if (!allowed.includes(m)) throw new KeyError('DATA_BAD_METRIC', `metric ${m} is not supported`, { configPath: 'evaluation.metric' });
    }
    return fn({ coco: this.coco, catIds: this.cat_ids, imgIds: this.img_ids, classes: [...this.CLASSES] }, results as DetResult[], {
      ...options,
      metric,
    }) as Record<string, number>;
  }
}
