/**
 * @module Registers this folder's components (one explicit list) and re-exports its public API.
 *
 * DATASETS: CustomDataset, CocoDataset, XMLDataset, VOCDataset and the wrappers.
 * PIPELINES: the core transforms below; augmentation transforms (`pipelines/augment/`) are added
 * to the same list.
 */
import { DATASETS, PIPELINES, SAMPLERS } from '../registry/root.js';
import type { Registrable } from '../registry/registry.js';
import { CocoDataset, type CocoDatasetConfig } from './coco.js';
import { CustomDataset, type CustomDatasetConfig } from './custom.js';
import { ClassBalancedDataset } from './dataset_wrappers/class_balanced_dataset.js';
import { ConcatDataset } from './dataset_wrappers/concat_dataset.js';
import { MultiImageMixDataset } from './dataset_wrappers/multi_image_mix_dataset.js';
import { RepeatDataset } from './dataset_wrappers/repeat_dataset.js';
import { Collect, type CollectConfig } from './pipelines/collect.js';
import { Compose } from './pipelines/compose.js';
import { DefaultFormatBundle, type DefaultFormatBundleConfig } from './pipelines/default_format_bundle.js';
import { ImageToTensor, type ImageToTensorConfig } from './pipelines/image_to_tensor.js';
import { LoadAnnotations, type LoadAnnotationsConfig } from './pipelines/load_annotations.js';
import { LoadImageFromFile, type LoadImageFromFileConfig } from './pipelines/load_image_from_file.js';
import { MultiScaleFlipAug, type MultiScaleFlipAugConfig } from './pipelines/multi_scale_flip_aug.js';
import { Normalize, type NormalizeConfig } from './pipelines/normalize.js';
import { Pad, type PadConfig } from './pipelines/pad.js';
import { RandomFlip, type RandomFlipConfig } from './pipelines/random_flip.js';
import { Resize, type ResizeConfig } from './pipelines/resize.js';
import { AUGMENT_TRANSFORMS } from './pipelines/augment/index.js';
import { GroupSampler } from './samplers/group_sampler.js';
import { VOCDataset } from './voc.js';
import { XMLDataset, type XMLDatasetConfig } from './xml_style.js';

declare module '../registry/root.js' {
  interface DatasetTypes {
    CustomDataset: Omit<CustomDatasetConfig, 'pipeline'> & { pipeline: PipelineConfig[] };
    CocoDataset: Omit<CocoDatasetConfig, 'pipeline'> & { pipeline: PipelineConfig[] };
    XMLDataset: Omit<XMLDatasetConfig, 'pipeline'> & { pipeline: PipelineConfig[] };
    VOCDataset: Omit<XMLDatasetConfig, 'pipeline'> & { pipeline: PipelineConfig[] };
    RepeatDataset: { times: number; dataset: DatasetConfigUnion };
    ConcatDataset: { datasets: DatasetConfigUnion[]; separate_eval?: boolean };
    ClassBalancedDataset: { oversample_thr: number; dataset: DatasetConfigUnion; filter_empty_gt?: boolean };
    MultiImageMixDataset: { dataset: DatasetConfigUnion; pipeline: PipelineConfig[]; skip_type_keys?: string[] | null; max_refetch?: number };
  }
  interface PipelineTypes {
    LoadImageFromFile: LoadImageFromFileConfig;
    LoadAnnotations: LoadAnnotationsConfig;
    Resize: ResizeConfig;
    RandomFlip: RandomFlipConfig;
    Normalize: NormalizeConfig;
    Pad: PadConfig;
    DefaultFormatBundle: DefaultFormatBundleConfig;
    Collect: CollectConfig;
    ImageToTensor: ImageToTensorConfig;
    MultiScaleFlipAug: Omit<MultiScaleFlipAugConfig, 'transforms'> & { transforms: PipelineConfig[] };
  }
}
/** A pipeline transform config (`{type, ...options}`). */
export type PipelineConfig = { type: string; [key: string]: unknown };
/** A dataset config (`{type, ...options}`). */
export type DatasetConfigUnion = { type: string; [key: string]: unknown };

/** The datasets of this folder, registered in DATASETS by their mmdet names. */
const DATASET_LIST: Array<[string, Registrable]> = [
  ['CustomDataset', CustomDataset],
  ['CocoDataset', CocoDataset],
  ['XMLDataset', XMLDataset],
  ['VOCDataset', VOCDataset],
  ['RepeatDataset', RepeatDataset],
  ['ConcatDataset', ConcatDataset],
  ['ClassBalancedDataset', ClassBalancedDataset],
  ['MultiImageMixDataset', MultiImageMixDataset],
];

/** The pipeline transforms, registered in PIPELINES (augmentations from `pipelines/augment/` go here too). */
const PIPELINE_LIST: Array<[string, Registrable]> = [
  ['Compose', Compose],
  ['LoadImageFromFile', LoadImageFromFile],
  ['LoadAnnotations', LoadAnnotations],
  ['Resize', Resize],
  ['RandomFlip', RandomFlip],
  ['Normalize', Normalize],
  ['Pad', Pad],
  ['DefaultFormatBundle', DefaultFormatBundle],
  ['Collect', Collect],
  ['ImageToTensor', ImageToTensor],
  ['MultiScaleFlipAug', MultiScaleFlipAug],
  // PhotoMetricDistortion, Expand, MinIoURandomCrop, RandomCrop, Mosaic, MixUp, RandomAffine,
  // YOLOXHSVRandomAug, CutOut (their list lives in pipelines/augment/index.ts).
  ...AUGMENT_TRANSFORMS.map((cls): [string, Registrable] => [cls.type, cls]),
];

for (const [name, cls] of DATASET_LIST) DATASETS.register(name, cls);
for (const [name, cls] of PIPELINE_LIST) PIPELINES.register(name, cls);
SAMPLERS.register('GroupSampler', GroupSampler);

export { CustomDataset, CocoDataset, XMLDataset, VOCDataset, RepeatDataset, ConcatDataset, ClassBalancedDataset, MultiImageMixDataset };
export { Compose, LoadImageFromFile, LoadAnnotations, Resize, RandomFlip, Normalize, Pad, DefaultFormatBundle, Collect, ImageToTensor, MultiScaleFlipAug };
export { GroupSampler };
export * from './pipelines/augment/index.js';
export { COCO_CLASSES } from './coco.js';
export { VOC_CLASSES } from './voc.js';
export { buildDataset, datasetConfigOf, type DatasetConfig } from './builder.js';
export { DataLoader, buildDataloader, type DataLoaderOptions } from './data_loader.js';
export { collate } from './collate.js';
export type { DetDataset } from './types.js';
export type { Image, Results, Transform, TransformContext, MixTransform } from './pipelines/types.js';
export { ensureShapesDataset, SHAPES_CLASSES, type ShapesOptions } from './shapes.js';
export { imshowDetBboxes, type ImshowDetBboxesOptions } from './visualization.js';
export { imread, imfrombytes, imencode } from './pipelines/image_io.js';
