/**
 * @module Port of `mmdet/core/evaluation/class_names.py` @ v2.28.2 (VOC and COCO): `get_classes`, which
 * names the rows of `eval_map`'s table when `dataset` is a dataset name.
 *
 * Porting note: ImageNet DET/VID, WIDER Face, Cityscapes, OpenImages and objects365 names are not
 * ported; asking for them is an error.
 */
import { ValueError } from '../utils/errors.js';

/** mmdet `voc_classes()`. */
export const VOC_CLASSES: readonly string[] = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
  'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** mmdet `coco_classes()` (note mmdet's spellings `traffic_light`, `fire_hydrant`, ...). */
export const COCO_CLASSES: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic_light', 'fire_hydrant',
  'stop_sign', 'parking_meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra',
  'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports_ball', 'kite',
  'baseball_bat', 'baseball_glove', 'skateboard', 'surfboard', 'tennis_racket', 'bottle', 'wine_glass', 'cup', 'fork',
  'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot_dog', 'pizza', 'donut',
  'cake', 'chair', 'couch', 'potted_plant', 'bed', 'dining_table', 'toilet', 'tv', 'laptop', 'mouse', 'remote',
  'keyboard', 'cell_phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy_bear', 'hair_drier', 'toothbrush',
];

const ALIASES: Record<string, readonly string[]> = {
  voc: VOC_CLASSES,
  pascal_voc: VOC_CLASSES,
  voc07: VOC_CLASSES,
  voc12: VOC_CLASSES,
  coco: COCO_CLASSES,
  mscoco: COCO_CLASSES,
  ms_coco: COCO_CLASSES,
};

/**
 * mmdet `get_classes(dataset)`: class names of a dataset by name or alias.
 * @throws ValueError `UNKNOWN_DATASET_NAME` for other names
 */
export function getClasses(dataset: string): readonly string[] {
  const names = ALIASES[dataset];
  if (names === undefined) throw new ValueError('UNKNOWN_DATASET_NAME', `Unrecognized dataset: ${dataset}`, { hint: `known: ${Object.keys(ALIASES).join(', ')}` });
  return names;
}
