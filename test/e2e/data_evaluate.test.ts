/**
 * The data ↔ evaluation contract end to end: datasets call the evaluators registered in METRICS
 * (COCO and VOC) with mmdet's keywords and get mmdet's keys back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/data/index.js';
import '../../src/evaluation/index.js';
import { buildDataset } from '../../src/data/index.js';
import type { DetDataset } from '../../src/data/index.js';
import type { DetResult } from '../../src/structures/det_types.js';
import { tempDir, writeTinyCoco } from '../../src/testing/data.js';

describe('dataset.evaluate', () => {
  it('CocoDataset: perfect detections give bbox_mAP 1 with mmdet keys', async () => {
    const dir = tempDir();
    const c = await writeTinyCoco(dir, [
      { w: 64, h: 48, objects: [{ cls: 0, bbox: [4, 4, 20, 16] }, { cls: 1, bbox: [30, 10, 24, 30] }] },
      { w: 48, h: 64, objects: [{ cls: 1, bbox: [2, 30, 40, 20] }] },
    ]);
    const ds = buildDataset({ type: 'CocoDataset', ann_file: c.annFile, img_prefix: c.imgPrefix, classes: c.classes, pipeline: [], test_mode: true }) as DetDataset;
    const det = (boxes: number[][]): Float32Array => Float32Array.from(boxes.flatMap((b) => [b[0]!, b[1]!, b[0]! + b[2]!, b[1]! + b[3]!, 0.9]));
    const results: DetResult[] = [
      { bbox: [det([[4, 4, 20, 16]]), det([[30, 10, 24, 30]])] },
      { bbox: [det([]), det([[2, 30, 40, 20]])] },
    ];
    const out = ds.evaluate!(results, { metric: 'bbox', log: () => undefined });
    expect(out.bbox_mAP).toBeCloseTo(1, 6);
    expect(out.bbox_mAP_50).toBeCloseTo(1, 6);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['bbox_mAP', 'bbox_mAP_50', 'bbox_mAP_75', 'bbox_mAP_s', 'bbox_mAP_m', 'bbox_mAP_l', 'bbox_mAP_copypaste']));
  });

  it('VOCDataset (2007): a missed object halves one class AP', () => {
    const root = join(tempDir(), 'VOC2007');
    mkdirSync(join(root, 'Annotations'), { recursive: true });
    const obj = (n: string, b: number[]) => `<object><name>${n}</name><difficult>0</difficult><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;
    const size = '<size><width>100</width><height>80</height></size>';
    writeFileSync(join(root, 'Annotations', 'a.xml'), `<annotation>${size}${obj('dog', [11, 11, 40, 40])}${obj('cat', [51, 11, 90, 60])}</annotation>`);
    writeFileSync(join(root, 'Annotations', 'b.xml'), `<annotation>${size}${obj('dog', [21, 21, 60, 70])}</annotation>`);
    writeFileSync(join(root, 'ids.txt'), 'a\nb\n');
    const ds = buildDataset({ type: 'VOCDataset', ann_file: join(root, 'ids.txt'), img_prefix: root, pipeline: [], test_mode: true }) as DetDataset;
    const nc = 20;
    const empty = () => Array.from({ length: nc }, () => new Float32Array(0));
    const ra = empty();
    // VOC coordinates are 1-based; the dataset stores them − 1.
    ra[11] = Float32Array.from([10, 10, 39, 39, 0.9]); // dog found
    ra[7] = Float32Array.from([50, 10, 89, 59, 0.8]); // cat found
    const rb = empty(); // dog in b missed
    const out = ds.evaluate!([{ bbox: ra }, { bbox: rb }], { metric: 'mAP', log: () => undefined });
    // cat AP 1, dog AP (11-point, recall 0.5 at precision 1) = 6/11; mAP over the 2 classes with gts
    expect(out.mAP).toBeCloseTo((1 + 6 / 11) / 2, 5);
    expect(out.AP50).toBe(0.773); // mmdet rounds the per-threshold key to 3 decimals
  });
});
