/**
 * Every file under `configs/` loads (bases, merges) and the method configs hold mmdetection
 * 2.28's merged values (configs/_base_ and method .py files; mmdet-spec §2.2-2.6).
 * Building models from them is tested where the models live.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Config } from '../src/config/index.js';

const CONFIGS = resolve(import.meta.dirname, '../configs');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts|js|mjs|json|ya?ml)$/.test(f) ? [p] : [];
    });
}

const files = walk(CONFIGS);
const load = (rel: string): Promise<Config> => Config.fromFile(join(CONFIGS, rel));

/** Top-level key order of a method config built from model + coco dataset + schedule + runtime bases. */
const RUNTIME_KEYS = ['checkpoint_config', 'log_config', 'custom_hooks', 'dist_params', 'log_level', 'load_from', 'resume_from', 'workflow', 'opencv_num_threads', 'mp_start_method', 'auto_scale_lr'];
const DATASET_KEYS = ['dataset_type', 'data_root', 'img_norm_cfg', 'train_pipeline', 'test_pipeline', 'data', 'evaluation'];
const SCHEDULE_KEYS = ['optimizer', 'optimizer_config', 'lr_config', 'runner'];

describe('configs/', () => {
  it('has the mmdetection 2.28 files', () => {
    const rel = files.map((f) => relative(CONFIGS, f));
    for (const want of [
      '_base_/default_runtime.ts',
      '_base_/schedules/schedule_1x.ts',
      '_base_/schedules/schedule_2x.ts',
      '_base_/datasets/coco_detection.ts',
      '_base_/datasets/coco_instance.ts',
      '_base_/models/retinanet_r50_fpn.ts',
      '_base_/models/faster_rcnn_r50_fpn.ts',
      '_base_/models/mask_rcnn_r50_fpn.ts',
      'retinanet/retinanet_r50_fpn_1x_coco.ts',
      'fcos/fcos_r50_caffe_fpn_gn-head_1x_coco.ts',
      'atss/atss_r50_fpn_1x_coco.ts',
      'faster_rcnn/faster_rcnn_r50_fpn_1x_coco.ts',
      'mask_rcnn/mask_rcnn_r50_fpn_1x_coco.ts',
    ]) {
      expect(rel).toContain(want);
    }
  });

  it.each(files.map((f) => [relative(CONFIGS, f)]))('%s loads', async (rel) => {
    const cfg = await load(rel);
    expect(cfg.size).toBeGreaterThan(0);
    expect(cfg.has('_base_')).toBe(false);
    expect(JSON.stringify(cfg.toDict())).not.toContain('_delete_');
  });

  it('retinanet_r50_fpn_1x_coco: lr 0.01 over schedule_1x, 80 classes, mmcv key order', async () => {
    const cfg = await load('retinanet/retinanet_r50_fpn_1x_coco.ts');
    const d = cfg.toDict() as Record<string, any>;
    expect(d['model'].bbox_head.num_classes).toBe(80);
    expect(d['optimizer']).toEqual({ type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 });
    expect(d['lr_config'].step).toEqual([8, 11]);
    expect(d['runner']).toEqual({ type: 'EpochBasedRunner', max_epochs: 12 });
    expect(d['model'].neck.add_extra_convs).toBe('on_input');
    expect(d['data'].train.pipeline[4]).toEqual({ type: 'Normalize', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true });
    expect(d['workflow']).toEqual([['train', 1]]);
    expect(cfg.keys()).toEqual(['model', ...DATASET_KEYS, ...SCHEDULE_KEYS, ...RUNTIME_KEYS]);
  });

  it('faster_rcnn_r50_fpn_1x_coco: lr 0.02, RPN + shared 2-FC head', async () => {
    const d = (await load('faster_rcnn/faster_rcnn_r50_fpn_1x_coco.ts')).toDict() as Record<string, any>;
    expect(d['optimizer'].lr).toBe(0.02);
    expect(d['model'].roi_head.bbox_head.num_classes).toBe(80);
    expect(d['model'].roi_head.bbox_head.bbox_coder.target_stds).toEqual([0.1, 0.1, 0.2, 0.2]);
    expect(d['model'].train_cfg.rpn_proposal).toEqual({ nms_pre: 2000, max_per_img: 1000, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 });
    expect(d['model'].train_cfg.rcnn.assigner.match_low_quality).toBe(false);
    expect(d['evaluation']).toEqual({ interval: 1, metric: 'bbox' });
  });

  it('mask_rcnn_r50_fpn_1x_coco: mask branch, instance dataset, bbox+segm evaluation', async () => {
    const d = (await load('mask_rcnn/mask_rcnn_r50_fpn_1x_coco.ts')).toDict() as Record<string, any>;
    expect(d['model'].roi_head.mask_roi_extractor.roi_layer.output_size).toBe(14);
    expect(d['model'].roi_head.mask_head.num_classes).toBe(80);
    expect(d['model'].train_cfg.rcnn.mask_size).toBe(28);
    expect(d['model'].train_cfg.rcnn.assigner.match_low_quality).toBe(true);
    expect(d['model'].test_cfg.rcnn.mask_thr_binary).toBe(0.5);
    expect(d['data'].train.pipeline[1]).toEqual({ type: 'LoadAnnotations', with_bbox: true, with_mask: true });
    expect(d['data'].train.pipeline[7].keys).toEqual(['img', 'gt_bboxes', 'gt_labels', 'gt_masks']);
    // mmdet's coco_instance.py sets only `metric` (EvalHook's interval defaults to 1)
    expect(d['evaluation']).toEqual({ metric: ['bbox', 'segm'] });
  });

  it('fcos_r50_caffe_fpn_gn-head_1x_coco: caffe norm pipelines, merged optimizer, _delete_ on optimizer_config', async () => {
    const d = (await load('fcos/fcos_r50_caffe_fpn_gn-head_1x_coco.ts')).toDict() as Record<string, any>;
    expect(d['model'].type).toBe('FCOS');
    expect(d['model'].backbone.style).toBe('caffe');
    expect(d['optimizer']).toEqual({ type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001, paramwise_cfg: { bias_lr_mult: 2, bias_decay_mult: 0 } });
    expect(d['optimizer_config']).toEqual({ grad_clip: { max_norm: 35, norm_type: 2 } });
    expect(d['lr_config']).toEqual({ policy: 'step', warmup: 'constant', warmup_iters: 500, warmup_ratio: 1 / 3, step: [8, 11] });
    // data.train keeps the base's type/ann_file/img_prefix and takes the child's pipeline
    expect(d['data'].train.type).toBe('CocoDataset');
    expect(d['data'].train.ann_file).toBe('data/coco/annotations/instances_train2017.json');
    expect(d['data'].train.pipeline[4]).toEqual({ type: 'Normalize', mean: [102.9801, 115.9465, 122.7717], std: [1, 1, 1], to_rgb: false });
    expect(d['data'].test.pipeline[1].transforms[2].mean).toEqual([102.9801, 115.9465, 122.7717]);
    expect(d['img_norm_cfg'].to_rgb).toBe(false);
  });

  it('atss_r50_fpn_1x_coco: ATSS assigner, GIoU loss, lr 0.01', async () => {
    const d = (await load('atss/atss_r50_fpn_1x_coco.ts')).toDict() as Record<string, any>;
    expect(d['model'].train_cfg.assigner).toEqual({ type: 'ATSSAssigner', topk: 9 });
    expect(d['model'].bbox_head.loss_bbox).toEqual({ type: 'GIoULoss', loss_weight: 2 });
    expect(d['model'].test_cfg.nms.iou_threshold).toBe(0.6);
    expect(d['optimizer'].lr).toBe(0.01);
    expect(d['lr_config'].step).toEqual([8, 11]);
  });

  it('schedule_2x: 24 epochs, steps 16 and 22', async () => {
    const d = (await load('_base_/schedules/schedule_2x.ts')).toDict() as Record<string, any>;
    expect(d['lr_config'].step).toEqual([16, 22]);
    expect(d['runner'].max_epochs).toBe(24);
  });
});
