/**
 * @module Port of `mmdet/datasets/voc.py` @ v2.28.2 (`VOCDataset`).
 */
import { ValueError } from '../utils/errors.js';
import { XMLDataset, type XMLDatasetConfig } from './xml_style.js';

/** The 20 Pascal VOC class names. */
export const VOC_CLASSES: readonly string[] = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable',
  'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** Pascal VOC 2007/2012; the year (from `img_prefix`) picks 11-point (2007) or area AP. */
export class VOCDataset extends XMLDataset {
  static override readonly type: string = 'VOCDataset';
  static override CLASSES: readonly string[] | null = VOC_CLASSES;
  declare year: 2007 | 2012;

  constructor(cfg: XMLDatasetConfig) {
    super(cfg);
    if (this.img_prefix.includes('VOC2007')) this.year = 2007;
    else if (this.img_prefix.includes('VOC2012')) this.year = 2012;
    else throw new ValueError('DATA_VOC_YEAR', `Cannot infer dataset year from img_prefix '${this.img_prefix}'`, { configPath: 'img_prefix' });
  }

  protected override evalDatasetName(): string | string[] {
    return this.year === 2007 ? 'voc07' : [...this.CLASSES];
  }
}
