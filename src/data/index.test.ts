import { describe, expect, it } from 'vitest';
import './index.js';
import { DATASETS, PIPELINES, SAMPLERS } from '../registry/root.js';

describe('data registrations', () => {
  it('registers the datasets and every pipeline transform under their mmdet names', () => {
    expect(DATASETS.keys()).toEqual(['CustomDataset', 'CocoDataset', 'XMLDataset', 'VOCDataset', 'RepeatDataset', 'ConcatDataset', 'ClassBalancedDataset', 'MultiImageMixDataset']);
    for (const name of ['LoadImageFromFile', 'LoadAnnotations', 'Resize', 'RandomFlip', 'Normalize', 'Pad', 'DefaultFormatBundle', 'Collect', 'ImageToTensor', 'MultiScaleFlipAug', 'Compose']) {
      expect(PIPELINES.has(name)).toBe(true);
    }
    for (const name of ['PhotoMetricDistortion', 'Expand', 'MinIoURandomCrop', 'RandomCrop', 'Mosaic', 'MixUp', 'RandomAffine', 'YOLOXHSVRandomAug', 'CutOut']) {
      expect(PIPELINES.has(name)).toBe(true);
    }
    expect(SAMPLERS.has('GroupSampler')).toBe(true);
  });
});
