/**
 * @module Port of `pycocotools/coco.py` (cocodataset/cocoapi @ 8c9bcc3): the index over a COCO
 * annotation file and `loadRes`, which turns a results list into detections ready for `COCOeval`.
 *
 * Porting notes:
 * - `loadRes` returns typed arrays ({@link CocoDetections}) instead of a second COCO object, and it
 *   never mutates the results it is given.
 * - pycocotools asserts (or silently drops) on bad results; here every bad entry throws a
 *   {@link ValueError} naming the entry index and what is wrong: unknown `image_id` or
 *   `category_id`, a non-finite `score`, a box with a negative or non-finite size.
 */
import { readFileSync } from 'node:fs';
import { FileNotFoundError, IndexError, ValueError } from '../utils/errors.js';
import type { CocoJson } from '../structures/evaluation_types.js';
import { rleArea, rleToBbox, segmToRle, type RawRle } from '../structures/mask.js';

type CocoAnn = CocoJson['annotations'][number];

/** Detections of a results file, as `COCO.loadRes` prepares them (one entry per result, file order). */
export interface CocoDetections {
  /** Number of detections. */
  n: number;
  imageId: Float64Array;
  categoryId: Float64Array;
  score: Float64Array;
  /** `[n*4]` `x, y, w, h` in pixels (computed from the mask when a result has none). */
  bbox: Float64Array;
  /** Box area (`w*h`) or mask area, as pycocotools sets `area`. */
  area: Float64Array;
  /**
   * Masks for `segm` evaluation: the result's `segmentation` (any pycocotools form), or `null` where
   * pycocotools would make the box polygon.
   */
  segmentation: Array<unknown> | null;
}

/** The index over a COCO annotation file (pycocotools `COCO`). */
export class COCO {
  readonly dataset: CocoJson;
  /** Images by id. */
  readonly imgs = new Map<number, CocoJson['images'][number]>();
  /** Categories by id. */
  readonly cats = new Map<number, CocoJson['categories'][number]>();
  /** Annotations of each image, in file order. */
  readonly imgToAnns = new Map<number, CocoAnn[]>();
  /** File the dataset was read from, if any (for error messages). */
  readonly file: string | undefined;

  /**
   * @param dataset a parsed COCO annotation file
   * @param file where it came from (named in errors)
   * @throws ValueError `COCO_BAD_ANNOTATION_FILE` when `images`, `annotations` or `categories` is not a list
   */
  constructor(dataset: CocoJson, file?: string) {
    this.file = file;
    for (const key of ['images', 'annotations', 'categories'] as const) {
      if (dataset[key] !== undefined && !Array.isArray(dataset[key])) {
        throw new ValueError('COCO_BAD_ANNOTATION_FILE', `${file ?? 'annotation file'}: "${key}" must be a list`, { file });
      }
    }
    this.dataset = { ...dataset, images: dataset.images ?? [], annotations: dataset.annotations ?? [], categories: dataset.categories ?? [] };
    for (const img of this.dataset.images) this.imgs.set(img.id, img);
    for (const cat of this.dataset.categories) this.cats.set(cat.id, cat);
    this.dataset.annotations.forEach((ann, i) => {
      if (typeof ann !== 'object' || ann === null || typeof ann.image_id !== 'number' || typeof ann.category_id !== 'number') {
        throw new ValueError('COCO_BAD_ANNOTATION', `${file ?? 'annotation file'}: annotations[${i}] needs numeric image_id and category_id`, { file });
      }
      let list = this.imgToAnns.get(ann.image_id);
      if (list === undefined) this.imgToAnns.set(ann.image_id, (list = []));
      list.push(ann);
    });
  }

  /**
   * Reads and indexes a COCO annotation file.
   * @throws FileNotFoundError `FILE_NOT_FOUND`; ValueError `COCO_BAD_JSON`
   */
  static fromFile(file: string): COCO {
    return new COCO(readJson(file) as CocoJson, file);
  }

  /** Image ids, sorted ascending (what `COCOeval` takes as `params.imgIds`). */
  getImgIds(): number[] {
    return [...this.imgs.keys()].sort((a, b) => a - b);
  }

  /** Category ids, sorted ascending (`COCOeval`'s default `params.catIds`). */
  getCatIds(): number[] {
    return [...this.cats.keys()].sort((a, b) => a - b);
  }

  /**
   * mmdet's `get_cat_ids(cat_names=...)`: ids of the named categories, in file order.
   * @param names category names to select (all when empty)
   */
  getCatIdsByNames(names: readonly string[]): number[] {
    const want = new Set(names);
    return this.dataset.categories.filter((c) => names.length === 0 || want.has(c.name)).map((c) => c.id);
  }

  /** Image height and width, for masks (`annToRLE`). */
  imageSize(imageId: number): [number, number] {
    const img = this.imgs.get(imageId);
    if (img === undefined) throw new ValueError('COCO_UNKNOWN_IMAGE', `image id ${imageId} is not in ${this.file ?? 'the annotation file'}`, { file: this.file });
    return [img.height, img.width];
  }

  /**
   * Converts an annotation's `segmentation` to an RLE (pycocotools `annToRLE`).
   * @throws ValueError `MASK_BAD_SEGMENTATION`
   */
  annToRLE(imageId: number, segmentation: unknown): RawRle {
    const [h, w] = this.imageSize(imageId);
    return segmToRle(segmentation, h, w);
  }

  /**
   * Validates a results list and prepares it for `COCOeval` (pycocotools `loadRes`): `area` is
   * `w*h` of the box when the first result has a `bbox`, else the mask area (and the box is the mask's).
   * @param results a parsed results list (`[{image_id, category_id, bbox | segmentation, score}, ...]`)
   * @param file where it came from (named in errors)
   * @throws ValueError `COCO_RESULTS_NOT_LIST`, `COCO_RESULT_UNKNOWN_IMAGE`, `COCO_RESULT_UNKNOWN_CATEGORY`,
   *   `COCO_RESULT_BAD_SCORE`, `COCO_RESULT_BAD_BBOX`, `COCO_RESULT_BAD_SEGMENTATION`
   * @throws IndexError `COCO_RESULTS_EMPTY` for an empty list (pycocotools raises IndexError too)
   */
  loadRes(results: unknown, file?: string): CocoDetections {
    const where = file ?? 'results';
    if (!Array.isArray(results)) throw new ValueError('COCO_RESULTS_NOT_LIST', `${where}: results in not an array of objects`, { file });
    const n = results.length;
    if (n === 0) {
      throw new IndexError('COCO_RESULTS_EMPTY', `${where}: the results list is empty`, {
        file,
        hint: 'pycocotools cannot load an empty results list (mmdet: "The testing results of the whole dataset is empty.")',
      });
    }
    const first = results[0] as { bbox?: unknown; segmentation?: unknown };
    const boxMode = first !== null && typeof first === 'object' && Array.isArray(first.bbox) && first.bbox.length > 0;
    const dets: CocoDetections = {
      n,
      imageId: new Float64Array(n),
      categoryId: new Float64Array(n),
      score: new Float64Array(n),
      bbox: new Float64Array(n * 4),
      area: new Float64Array(n),
      segmentation: null,
    };
    const segs: unknown[] = new Array<unknown>(n).fill(null);
    let anySeg = false;
    for (let i = 0; i < n; i++) {
      const r = results[i] as ResultEntry;
      if (typeof r !== 'object' || r === null) badResult(where, file, i, r, 'COCO_RESULT_NOT_OBJECT', 'is not an object');
      if (typeof r.image_id !== 'number' || !this.imgs.has(r.image_id)) {
        badResult(where, file, i, r, 'COCO_RESULT_UNKNOWN_IMAGE', `has image_id ${JSON.stringify(r.image_id)}, which is not an image of the ground truth (Results do not correspond to current coco set)`);
      }
      if (typeof r.category_id !== 'number' || !this.cats.has(r.category_id)) {
        badResult(where, file, i, r, 'COCO_RESULT_UNKNOWN_CATEGORY', `has category_id ${JSON.stringify(r.category_id)}, which is not a category of the ground truth`);
      }
      if (typeof r.score !== 'number' || !Number.isFinite(r.score)) badResult(where, file, i, r, 'COCO_RESULT_BAD_SCORE', `has score ${typeof r.score === 'number' ? String(r.score) : JSON.stringify(r.score)}; a finite number is required`);
      const imageId = r.image_id as number;
      dets.imageId[i] = imageId;
      dets.categoryId[i] = r.category_id as number;
      dets.score[i] = r.score as number;
      if (r.segmentation !== undefined) {
        segs[i] = r.segmentation;
        anySeg = true;
      }
      if (boxMode) {
        const bb = r.bbox;
        if (!Array.isArray(bb) || bb.length !== 4 || !isFiniteNum(bb[0]) || !isFiniteNum(bb[1]) || !isFiniteNum(bb[2]) || !isFiniteNum(bb[3])) {
          badResult(where, file, i, r, 'COCO_RESULT_BAD_BBOX', `has bbox ${JSON.stringify(bb)}; [x, y, w, h] of 4 finite numbers is required`);
        }
        const [x, y, w, h] = bb as [number, number, number, number];
        if (w < 0 || h < 0) badResult(where, file, i, r, 'COCO_RESULT_BAD_BBOX', `has a box of negative ${w < 0 ? 'width' : 'height'} (bbox ${JSON.stringify(bb)}); COCO boxes are [x, y, w, h], not [x1, y1, x2, y2]`);
        dets.bbox[i * 4] = x;
        dets.bbox[i * 4 + 1] = y;
        dets.bbox[i * 4 + 2] = w;
        dets.bbox[i * 4 + 3] = h;
        dets.area[i] = w * h;
      } else {
        if (r.segmentation === undefined || r.segmentation === null) badResult(where, file, i, r, 'COCO_RESULT_BAD_SEGMENTATION', 'has neither a bbox nor a segmentation');
        let rle: RawRle;
        try {
          rle = this.annToRLE(imageId, r.segmentation);
        } catch (err) {
          throw new ValueError('COCO_RESULT_BAD_SEGMENTATION', `${where}: result [${i}] has an unreadable segmentation: ${(err as Error).message}`, { file, cause: err });
        }
        dets.area[i] = rleArea(rle);
        const bb = Array.isArray(r.bbox) && r.bbox.length === 4 ? (r.bbox as number[]) : rleToBbox(rle);
        dets.bbox.set(bb, i * 4);
        segs[i] = rle;
      }
    }
    if (anySeg || !boxMode) dets.segmentation = segs;
    return dets;
  }
}

/** One entry of a results list, before validation. */
interface ResultEntry {
  image_id?: unknown;
  category_id?: unknown;
  score?: unknown;
  bbox?: unknown;
  segmentation?: unknown;
}

function isFiniteNum(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Throws the error for a bad results entry, naming the file, the entry index and the entry. */
function badResult(where: string, file: string | undefined, i: number, r: unknown, code: string, what: string): never {
  throw new ValueError(code, `${where}: result [${i}] ${what}`, { file, hint: `entry: ${(JSON.stringify(r) ?? String(r)).slice(0, 200)}` });
}

/**
 * Reads a JSON file with errors that name it.
 * @throws FileNotFoundError `FILE_NOT_FOUND`; ValueError `COCO_BAD_JSON`
 */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileNotFoundError('FILE_NOT_FOUND', `No such file: ${file}`, { file, cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValueError('COCO_BAD_JSON', `${file} is not valid JSON: ${(err as Error).message}`, { file, cause: err });
  }
}
