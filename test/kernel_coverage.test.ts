/**
 * Every registered detector's training step runs on kernels the wasm backend has (tfjs throws
 * rather than falling back when one is missing): one train_step per detector, under `tf.profile`,
 * with small variants of the configs under `configs/`.
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register_all.js';
import { assertKernelsOnWasm, initBackend } from '../src/backend/index.js';
import { Config, parseCfgOptions } from '../src/config/index.js';
import { DETECTORS } from '../src/registry/root.js';
import { BaseDetector } from '../src/models/detectors/base.js';
import type { DetBatch, ImageMeta } from '../src/structures/det_types.js';
import { Rng } from '../src/utils/rng.js';

const CONFIGS = resolve(import.meta.dirname, '../configs');
const R18 = ['model.backbone.init_cfg=None', 'model.backbone.depth=18', 'model.backbone.base_channels=8', 'model.backbone.style=pytorch', 'model.backbone.norm_cfg.requires_grad=True'];

/** Detector type → config and options making it small. */
const CASES: Record<string, { file: string; options: string[] }> = {
  RetinaNet: { file: 'shapes/retinanet_r18_fpn_shapes.ts', options: ['model.backbone.base_channels=8', 'model.neck.in_channels=[16,32,64]'] },
  FCOS: { file: 'fcos/fcos_r50_caffe_fpn_gn-head_1x_coco.ts', options: [...R18, 'model.neck.in_channels=[8,16,32,64]', 'model.neck.out_channels=32', 'model.bbox_head.in_channels=32', 'model.bbox_head.feat_channels=32', 'model.bbox_head.stacked_convs=1'] },
  ATSS: { file: 'atss/atss_r50_fpn_1x_coco.ts', options: [...R18, 'model.neck.in_channels=[8,16,32,64]', 'model.neck.out_channels=32', 'model.bbox_head.in_channels=32', 'model.bbox_head.feat_channels=32', 'model.bbox_head.stacked_convs=1'] },
  FasterRCNN: { file: 'shapes/faster_rcnn_r18_fpn_shapes.ts', options: [] },
  MaskRCNN: { file: 'shapes/mask_rcnn_r18_fpn_shapes.ts', options: [] },
};

/** A `s × s` bitmap with the rectangle [x1, x2) × [y1, y2) set. */
function box(x1: number, y1: number, x2: number, y2: number, s = 96): Uint8Array {
  const m = new Uint8Array(s * s);
  for (let y = y1; y < y2; y++) m.fill(1, y * s + x1, y * s + x2);
  return m;
}

function batch(): DetBatch {
  const s = 96;
  const rng = new Rng(0);
  const img = new Float32Array(2 * s * s * 3).map(() => rng.normal());
  const meta: ImageMeta = {
    filename: 'x.png', ori_filename: 'x.png', ori_shape: [s, s, 3], img_shape: [s, s, 3], pad_shape: [s, s, 3],
    scale_factor: [1, 1, 1, 1], flip: false, flip_direction: null,
  };
  const sample = {
    meta,
    gt_bboxes: Float32Array.from([8, 10, 60, 70, 40, 40, 90, 90]),
    gt_labels: Int32Array.from([1, 0]),
    gt_masks: { kind: 'bitmap' as const, height: s, width: s, masks: [box(8, 10, 60, 70), box(40, 40, 90, 90)] },
  };
  return { img, imgShape: [2, s, s, 3], samples: [sample, sample] };
}

const detectorTypes = DETECTORS.keys().filter((k) => {
  const cls = DETECTORS.get(k) as { prototype?: unknown };
  return cls.prototype instanceof BaseDetector && k !== 'SingleStageDetector' && k !== 'TwoStageDetector' && k !== 'RPN';
});

beforeAll(async () => {
  await initBackend('wasm');
});

describe('kernel coverage on wasm', () => {
  it('covers every registered detector', () => {
    expect(detectorTypes.filter((t) => CASES[t] === undefined)).toEqual([]);
  });
  it.each(detectorTypes)('%s: one train_step uses only kernels wasm has', async (type) => {
    const c = CASES[type];
    const cfgObj = await Config.fromFile(join(CONFIGS, c.file));
    if (c.options.length > 0) cfgObj.mergeFromDict(parseCfgOptions(c.options));
    const cfg = cfgObj.toDict() as { model: { type: string } };
    expect(cfg.model.type).toBe(type);
    const model = DETECTORS.build<BaseDetector>(cfg.model, undefined, { path: 'model' });
    model.initWeights(new Rng(0));
    const data = batch();
    try {
      await assertKernelsOnWasm(() => {
        const out = model.train_step(data);
        for (const g of out.grads?.values() ?? []) g.dispose();
        return [];
      });
    } finally {
      model.dispose();
    }
  });
});
