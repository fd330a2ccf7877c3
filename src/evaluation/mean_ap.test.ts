import { describe, expect, it } from 'vitest';
import { getClasses } from './class_names.js';
import { averagePrecision, evalMap } from './mean_ap.js';
import { evalRecalls, recallEvaluate } from './recall.js';
import { vocEvaluate } from './voc_metric.js';
import type { MiddleAnnotation } from '../structures/evaluation_types.js';

const f = Math.fround;
const ann = (bboxes: number[][], ignore: number[][] = []): MiddleAnnotation => ({
  bboxes: Float32Array.from(bboxes.flat()),
  labels: new Int32Array(bboxes.length),
  bboxes_ignore: Float32Array.from(ignore.flat()),
  labels_ignore: new Int32Array(ignore.length),
});
const quiet = { log: 'silent' as const };

// small gt (area 100) and large gt (area 1600); dets: FP (.95), TP small (.9), TP large (.8)
const gts = ann([
  [0, 0, 10, 10],
  [20, 20, 60, 60],
]);
const dets = [[Float32Array.from([70, 70, 80, 80, 0.95, 0, 0, 10, 10, 0.9, 20, 20, 60, 60, 0.8])]];

describe('eval_map (hand-computed)', () => {
  it('area mode: recall [0, .5, 1], precision [0, .5, 2/3] → AP 2/3', () => {
    const { mean_ap, results } = evalMap(dets, [gts], quiet);
    expect(Array.from(results[0]!.recall)).toEqual([0, 0.5, 1]);
    expect(Array.from(results[0]!.precision)).toEqual([0, 0.5, f(2 / 3)]);
    expect(mean_ap).toBe(f(2 / 3));
  });
  it('11points mode (voc07)', () => {
    const { results } = evalMap(dets, [gts], { ...quiet, dataset: 'voc07' });
    let s = 0;
    for (let i = 0; i < 11; i++) s = f(s + f(2 / 3));
    expect(results[0]!.ap[0]).toBe(f(s / 11));
  });
  it('scale ranges: gts and unmatched dets outside a range are ignored', () => {
    const { mean_ap, results } = evalMap(dets, [gts], { ...quiet, scale_ranges: [[0, 32], [32, 1e5]] });
    expect(results[0]!.num_gts).toEqual([1, 1]);
    // small: FP, TP, (large-gt match ignored) → AP .5; large: FP det is small (not counted) → AP 1
    expect(mean_ap).toEqual([0.5, 1]);
  });
  it('ignored gts absorb their detection without TP or FP', () => {
    const { results } = evalMap([[Float32Array.from([0, 0, 10, 10, 0.9, 20, 20, 60, 60, 0.8])]], [ann([[20, 20, 60, 60]], [[0, 0, 10, 10]])], quiet);
    expect(results[0]!.num_gts[0]).toBe(1);
    expect(Array.from(results[0]!.precision)).toEqual([0, 1]);
    expect(results[0]!.ap[0]).toBe(1);
  });
  it('legacy coordinates add 1 to widths (IoU 36/81 < .5 becomes 50/100)', () => {
    const d = [[Float32Array.from([0, 0, 9, 4, 0.9])]];
    const g = [ann([[0, 0, 9, 9]])];
    expect(evalMap(d, g, quiet).mean_ap).toBe(0);
    expect(evalMap(d, g, { ...quiet, use_legacy_coordinate: true }).mean_ap).toBe(1);
  });
  it('classes without gt are left out of mAP; no gt at all gives 0', () => {
    const two = [[dets[0]![0]!, Float32Array.from([1, 1, 5, 5, 0.5])]];
    expect(evalMap(two, [gts], quiet).mean_ap).toBe(f(2 / 3));
    expect(evalMap([[new Float32Array(0)]], [ann([])], quiet).mean_ap).toBe(0);
  });
  it("names table rows by get_classes(dataset) for a dataset name", () => {
    const lines: string[] = [];
    evalMap(dets, [gts], { dataset: 'voc', log: (l) => lines.push(l) });
    expect(lines[0]).toContain('| aeroplane |');
    expect(getClasses('coco')).toHaveLength(80);
    expect(() => getClasses('nope')).toThrowError(expect.objectContaining({ code: 'UNKNOWN_DATASET_NAME' }));
  });
  it('average_precision rejects unknown modes', () => {
    expect(() => averagePrecision([1], [1], 'x' as 'area')).toThrowError(/Unrecognized mode/);
  });
});

describe('eval_recalls (hand-computed)', () => {
  const g = [Float32Array.from([0, 0, 10, 10, 20, 20, 30, 30])];
  // p1 covers gt1 exactly (score .5); p2 has IoU .8 with gt2 (score .9, so it comes first)
  const p = [Float32Array.from([0, 0, 10, 10, 0.5, 20, 20, 30, 28, 0.9])];
  it('greedy matching by global max IoU over the top-N proposals', () => {
    const lines: string[] = [];
    const r = evalRecalls(g, p, { proposal_nums: [1, 2], iou_thrs: [0.5, 0.9], log: (l) => lines.push(l) });
    expect(Array.from(r)).toEqual([0.5, 0, 1, 0.5]);
    expect(lines[0]).toBe(
      ['', '+---+-------+-------+', '|   | 0.5   | 0.9   |', '+---+-------+-------+', '| 1 | 0.500 | 0.000 |', '| 2 | 1.000 | 0.500 |', '+---+-------+-------+'].join('\n'),
    );
  });
  it('METRICS recall keys', () => {
    expect(recallEvaluate(g, p, { proposal_nums: [1, 2], iou_thrs: [0.5, 0.9], log: () => {} })).toEqual({
      'recall@1@0.5': 0.5,
      'recall@1@0.9': 0,
      'recall@2@0.5': 1,
      'recall@2@0.9': 0.5,
      'AR@1': 0.25,
      'AR@2': 0.75,
    });
  });
});

describe('vocEvaluate (VOCDataset.evaluate)', () => {
  it('AP per IoU threshold (3 digits) and their mean as mAP, first', () => {
    const out = vocEvaluate({ annotations: [gts], classes: ['a'] }, [{ bbox: dets[0]! }], { iou_thr: [0.5, 0.75], log: () => {} });
    expect(Object.keys(out)).toEqual(['mAP', 'AP50', 'AP75']);
    expect(out.AP50).toBe(0.667);
    expect(out.mAP).toBeCloseTo(f(2 / 3), 7);
  });
  it('recall metric and unsupported metrics', () => {
    const out = vocEvaluate({ annotations: [gts], classes: ['a'] }, [{ bbox: dets[0]! }], { metric: 'recall', proposal_nums: [3], iou_thr: 0.5, log: () => {} });
    expect(out).toEqual({ 'recall@3@0.5': 1 });
    expect(() => vocEvaluate({ annotations: [gts], classes: ['a'] }, [], { metric: 'bbox' })).toThrowError(expect.objectContaining({ code: 'VOC_UNSUPPORTED_METRIC' }));
  });
});
