/**
 * @module Port of `mmdet/datasets/xml_style.py` @ v2.28.2 (`XMLDataset`).
 *
 * `ann_file` lists image ids; annotations are `<img_prefix>/<ann_subdir>/<id>.xml`, read with the
 * small reader of `xml_reader.ts`. When an XML has no `<size>`, the image header gives the size
 * (as mmdet opens the image with PIL).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssertionError_, FileNotFoundError, ValueError } from '../utils/errors.js';
import { CustomDataset, type CustomDatasetConfig } from './custom.js';
import { imageSize } from './image_size.js';
import type { AnnInfo, ImgInfo } from './pipelines/types.js';
import { parseXml, xmlFind, xmlFindAll, type XmlElement } from './xml_reader.js';

/** Options of {@link XMLDataset} (mmdet keyword names). */
export interface XMLDatasetConfig extends CustomDatasetConfig {
  /** Boxes with a side below this go to the ignore set (train only). */
  min_size?: number | null;
  img_subdir?: string;
  ann_subdir?: string;
}

/** A dataset of Pascal-VOC-style XML annotations. */
export class XMLDataset extends CustomDataset {
  static override readonly type: string = 'XMLDataset';
  declare cat2label: Map<string, number>;
  declare min_size: number | null;
  private declare xmlCache: Map<string, XmlElement>;

  constructor(cfg: XMLDatasetConfig) {
    const own = (new.target as typeof CustomDataset).CLASSES;
    if ((own === null || own.length === 0) && (cfg.classes === undefined || cfg.classes === null)) {
      throw new AssertionError_('DATA_BAD_CLASSES', 'CLASSES in `XMLDataset` can not be None.', { configPath: 'classes' });
    }
    super(cfg);
    this.cat2label = new Map(this.CLASSES.map((c, i) => [c, i]));
    this.min_size = cfg.min_size ?? null;
  }

  private get imgSubdir(): string {
    return (this.options.img_subdir as string | undefined) ?? 'JPEGImages';
  }

  private get annSubdir(): string {
    return (this.options.ann_subdir as string | undefined) ?? 'Annotations';
  }

  /** Parsed XML of image `imgId` (cached). */
  xmlOf(imgId: string): XmlElement {
    this.xmlCache ??= new Map();
    const hit = this.xmlCache.get(imgId);
    if (hit !== undefined) return hit;
    const file = join(this.img_prefix, this.annSubdir, `${imgId}.xml`);
    if (!existsSync(file)) throw new FileNotFoundError('DATA_ANN_NOT_FOUND', `annotation file not found: ${file}`, { file });
    const root = parseXml(readFileSync(file, 'utf8'), file);
    this.xmlCache.set(imgId, root);
    return root;
  }

  override load_annotations(annFile: string): ImgInfo[] {
    if (!existsSync(annFile)) throw new FileNotFoundError('DATA_ANN_NOT_FOUND', `image id list not found: ${annFile}`, { file: annFile });
    const ids = readFileSync(annFile, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s !== '');
    return ids.map((id) => {
      const filename = join(this.imgSubdir, `${id}.jpg`);
      const root = this.xmlOf(id);
      const size = xmlFind(root, 'size');
      const xmlFile = join(this.img_prefix, this.annSubdir, `${id}.xml`);
      if (size === undefined) {
        const img = join(this.img_prefix, filename);
        if (!existsSync(img)) throw new FileNotFoundError('DATA_IMAGE_NOT_FOUND', `${xmlFile} has no <size> and its image ${img} does not exist`, { file: img });
        const [width, height] = imageSize(img);
        return { id, filename, width, height };
      }
      const width = parseInt(xmlFind(size, 'width')?.text ?? '', 10);
      const height = parseInt(xmlFind(size, 'height')?.text ?? '', 10);
      if (!Number.isFinite(width) || !Number.isFinite(height)) throw new ValueError('DATA_BAD_XML', `${xmlFile}: <size> needs integer <width> and <height>`, { file: xmlFile });
      return { id, filename, width, height };
    });
  }

  override _filter_imgs(minSize = 32): number[] {
    const valid: number[] = [];
    this.data_infos.forEach((info, i) => {
      if (Math.min(info.width, info.height) < minSize) return;
      if (this.filter_empty_gt) {
        const names = xmlFindAll(this.xmlOf(String(info.id)), 'object').map((o) => xmlFind(o, 'name')?.text ?? '');
        if (names.some((n) => this.CLASSES.includes(n))) valid.push(i);
      } else {
        valid.push(i);
      }
    });
    return valid;
  }

  override get_ann_info(idx: number): AnnInfo {
    const id = String(this.data_infos[idx]!.id);
    const xmlFile = join(this.img_prefix, this.annSubdir, `${id}.xml`);
    const bboxes: number[] = [];
    const labels: number[] = [];
    const ign: number[] = [];
    const ignLabels: number[] = [];
    for (const obj of xmlFindAll(this.xmlOf(id), 'object')) {
      const name = xmlFind(obj, 'name')?.text ?? '';
      const label = this.cat2label?.get(name) ?? this.CLASSES.indexOf(name);
      if (label < 0) continue;
      const d = xmlFind(obj, 'difficult');
      const difficult = d === undefined ? 0 : parseInt(d.text, 10);
      const bnd = xmlFind(obj, 'bndbox');
      const coord = (k: string): number => {
        const v = Math.trunc(parseFloat(bnd === undefined ? '' : (xmlFind(bnd, k)?.text ?? '')));
        if (!Number.isFinite(v)) throw new ValueError('DATA_BAD_XML', `${xmlFile}: object '${name}' has no numeric <bndbox><${k}>`, { file: xmlFile });
        return v;
      };
      const box = [coord('xmin'), coord('ymin'), coord('xmax'), coord('ymax')];
      if (box[2]! < box[0]! || box[3]! < box[1]!) {
        throw new ValueError('DATA_BAD_BOX', `${xmlFile}: object '${name}' has xmax < xmin or ymax < ymin (${box.join(', ')})`, { file: xmlFile });
      }
      let ignore = false;
      if (this.min_size) {
        if (this.test_mode) throw new AssertionError_('DATA_BAD_XML', 'min_size is only valid in training (test_mode=False)', { configPath: 'min_size' });
        if (box[2]! - box[0]! < this.min_size || box[3]! - box[1]! < this.min_size) ignore = true;
      }
      // mmdet converts VOC's 1-based coordinates to 0-based.
      const b0 = box.map((v) => v - 1);
      if (difficult || ignore) {
        ign.push(...b0);
        ignLabels.push(label);
      } else {
        bboxes.push(...b0);
        labels.push(label);
      }
    }
    return {
      bboxes: Float32Array.from(bboxes),
      labels: Int32Array.from(labels),
      bboxes_ignore: Float32Array.from(ign),
      labels_ignore: Int32Array.from(ignLabels),
    };
  }

  override get_cat_ids(idx: number): number[] {
    const id = String(this.data_infos[idx]!.id);
    return xmlFindAll(this.xmlOf(id), 'object')
      .map((o) => this.cat2label.get(xmlFind(o, 'name')?.text ?? ''))
      .filter((l): l is number => l !== undefined);
  }
}
