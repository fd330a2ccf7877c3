import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../registry/root.js';
import type { CocoJson } from '../structures/evaluation_types.js';
import type { DetResult } from '../structures/det_types.js';
import { cocoEvaluate } from './coco_metric.js';
import { rleFrBbox, toRleObject } from '../structures/mask.js';
import './index.js';

const coco: CocoJson = {
  images: [{ id: 1, file_name: '1.jpg', width: 100, height: 100 }],
  categories: [
    { id: 1, name: 'a' },
    { id: 2, name: 'b' },
  ],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, segmentation: [[0, 0, 0, 10, 10, 10, 10, 0]] }],
};
const dataset = { coco, catIds: [1, 2], imgIds: [1], classes: ['a', 'b'] };
// Class 0: B (IoU 100/190, a match only at IoU .50) then A (exact), equal scores → B ranks first.
const results: DetResult[] = [{ bbox: [Float32Array.from([0, 0, 10, 19, 0.9, 0, 0, 10, 10, 0.9]), new Float32Array(0)] }];

describe('cocoEvaluate (mmdet CocoDataset.evaluate)', () => {
  it('is registered as METRICS coco', () => {
    expect(METRICS.get('coco')).toBe(cocoEvaluate);
    expect(METRICS.get('voc')).toBeTypeOf('function');
    expect(METRICS.get('recall')).toBeTypeOf('function');
  });

  it("returns mmdet's bbox keys rounded to 3 digits and the copypaste string", () => {
    const lines: string[] = [];
    const out = cocoEvaluate(dataset, results, { metric: 'bbox', log: (l) => lines.push(l) });
    // IoU .50: AP 1; IoU ≥ .55: FP then TP → 0.5. mAP = (1 + 9 * .5) / 10.
    expect(out).toEqual({
      bbox_mAP: 0.55,
      bbox_mAP_50: 1,
      bbox_mAP_75: 0.5,
      bbox_mAP_s: 0.55,
      bbox_mAP_m: -1,
      bbox_mAP_l: -1,
      bbox_mAP_copypaste: '0.550 1.000 0.500 0.550 -1.000 -1.000',
    });
    expect(lines[0]).toBe('Evaluating bbox...');
    // pycocotools' summary with mmdet's maxDets [100, 300, 1000]
    expect(lines[1]).toContain(' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=1000 ] = 1.000');
    expect(lines[1]).toContain(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=300 ] = 1.000');
  });

  it('prints the classwise table (nan for a category without gt)', () => {
    const lines: string[] = [];
    cocoEvaluate(dataset, results, { classwise: true, log: (l) => lines.push(l) });
    expect(lines).toContain(
      [
        '',
        '+----------+-------+----------+-----+',
        '| category | AP    | category | AP  |',
        '+----------+-------+----------+-----+',
        '| a        | 0.550 | b        | nan |',
        '+----------+-------+----------+-----+',
      ].join('\n'),
    );
  });

  it('metric_items, iou_thrs, proposal and proposal_fast', () => {
    const quiet = { log: () => {} };
    expect(cocoEvaluate(dataset, results, { metric_items: 'AR@100', ...quiet })).toEqual({
      'bbox_AR@100': 1,
      bbox_mAP_copypaste: '0.550 1.000 0.500 0.550 -1.000 -1.000',
    });
    const at50 = cocoEvaluate(dataset, results, { iou_thrs: [0.5], ...quiet });
    expect(at50.bbox_mAP).toBe(1);
    expect(at50.bbox_mAP_75).toBe(-1);
    expect(cocoEvaluate(dataset, results, { metric: 'proposal', ...quiet })).toEqual({
      'AR@100': 1,
      'AR@300': 1,
      'AR@1000': 1,
      'AR_s@1000': 1,
      'AR_m@1000': -1,
      'AR_l@1000': -1,
    });
    // mmdet quirk kept: the first metric's default items carry over to the next metric
    expect(Object.keys(cocoEvaluate(dataset, results, { metric: ['bbox', 'proposal'], ...quiet }))).toContain('mAP_50');
    // proposal_fast: the exact box covers the gt at every IoU threshold
    expect(cocoEvaluate(dataset, results, { metric: 'proposal_fast', ...quiet })).toEqual({ 'AR@100': 1, 'AR@300': 1, 'AR@1000': 1 });
  });

  it('segm: masks are evaluated without their boxes', () => {
    const mask = toRleObject(rleFrBbox([0, 0, 10, 10], 100, 100));
    const withSegm: DetResult[] = [{ bbox: [Float32Array.from([0, 0, 10, 10, 0.9]), new Float32Array(0)], segm: [[mask], []] }];
    const out = cocoEvaluate(dataset, withSegm, { metric: ['bbox', 'segm'], log: () => {} });
    expect(out.bbox_mAP).toBe(1);
    expect(out.segm_mAP).toBe(1);
    expect(out.segm_mAP_copypaste).toBe('1.000 1.000 1.000 1.000 -1.000 -1.000');
  });

  it('jsonfile_prefix writes <prefix>.bbox.json (xywh boxes, float scores, category ids)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'detkit-coco-'));
    try {
      cocoEvaluate(dataset, results, { jsonfile_prefix: path.join(dir, 'res'), log: () => {} });
      const recs = JSON.parse(readFileSync(path.join(dir, 'res.bbox.json'), 'utf8')) as unknown[];
      expect(recs).toEqual([
        { image_id: 1, bbox: [0, 0, 10, 19], score: Math.fround(0.9), category_id: 1 },
        { image_id: 1, bbox: [0, 0, 10, 10], score: Math.fround(0.9), category_id: 1 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('empty results: logs as mmdet and returns no metrics', () => {
    const lines: string[] = [];
    const out = cocoEvaluate(dataset, [{ bbox: [new Float32Array(0), new Float32Array(0)] }], { log: (l) => lines.push(l) });
    expect(out).toEqual({});
    expect(lines).toContain('The testing results of the whole dataset is empty.');
  });

  it('bad options and results are errors with codes', () => {
    expect(() => cocoEvaluate(dataset, results, { metric: 'mAP' })).toThrowError(expect.objectContaining({ code: 'COCO_UNSUPPORTED_METRIC' }));
    expect(() => cocoEvaluate(dataset, results, { metric_items: ['mAP_x'] })).toThrowError(/metric item mAP_x is not supported/);
    expect(() => cocoEvaluate(dataset, [], {})).toThrowError(/The length of results is not equal to the dataset len: 0 != 1/);
  });
});
