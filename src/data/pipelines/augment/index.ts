/**
 * @module The augmentation transforms of `mmdet/datasets/pipelines/transforms.py` @ v2.28.2
 * (one per file) and their registration in PIPELINES under their mmdet names.
 */
import type { Registrable, Registry } from '../../../registry/registry.js';
import { CutOut, type CutOutConfig } from './cut_out.js';
import { Expand, type ExpandConfig } from './expand.js';
import { MinIoURandomCrop, type MinIoURandomCropConfig } from './min_iou_random_crop.js';
import { MixUp, type MixUpConfig } from './mix_up.js';
import { Mosaic, type MosaicConfig } from './mosaic.js';
import { PhotoMetricDistortion, type PhotoMetricDistortionConfig } from './photo_metric_distortion.js';
import { RandomAffine, type RandomAffineConfig } from './random_affine.js';
import { RandomCrop, type RandomCropConfig } from './random_crop.js';
import { YOLOXHSVRandomAug, type YOLOXHSVRandomAugConfig } from './yolox_hsv_random_aug.js';

declare module '../../../registry/root.js' {
  interface PipelineTypes {
    PhotoMetricDistortion: PhotoMetricDistortionConfig;
    Expand: ExpandConfig;
    MinIoURandomCrop: MinIoURandomCropConfig;
    RandomCrop: RandomCropConfig;
    Mosaic: MosaicConfig;
    MixUp: MixUpConfig;
    RandomAffine: RandomAffineConfig;
    YOLOXHSVRandomAug: YOLOXHSVRandomAugConfig;
    CutOut: CutOutConfig;
  }
}

/** Every augmentation transform class; each has `static readonly type` = its mmdet name. */
export const AUGMENT_TRANSFORMS: ReadonlyArray<Registrable & { readonly type: string }> = [
  PhotoMetricDistortion,
  Expand,
  MinIoURandomCrop,
  RandomCrop,
  Mosaic,
  MixUp,
  RandomAffine,
  YOLOXHSVRandomAug,
  CutOut,
];

/** Registers {@link AUGMENT_TRANSFORMS} in `registry` (the PIPELINES registry) by their `type`. */
export function registerAugmentTransforms(registry: Registry): void {
  for (const cls of AUGMENT_TRANSFORMS) registry.register(cls.type, cls);
}

export { CutOut, Expand, MinIoURandomCrop, MixUp, Mosaic, PhotoMetricDistortion, RandomAffine, RandomCrop, YOLOXHSVRandomAug };
export type {
  CutOutConfig,
  ExpandConfig,
  MinIoURandomCropConfig,
  MixUpConfig,
  MosaicConfig,
  PhotoMetricDistortionConfig,
  RandomAffineConfig,
  RandomCropConfig,
  YOLOXHSVRandomAugConfig,
};
export type { CropType } from './random_crop.js';
