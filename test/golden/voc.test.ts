/**
 * Golden parity with mmdetection 2.x `eval_map` (`/work/shared/golden/voc/`): mAP, per-class AP,
 * num_gts, num_dets, recall and precision curves, and the printed summary table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalMap } from '../../src/evaluation/mean_ap.js';
import { vocEvaluate } from '../../src/evaluation/voc_metric.js';
import type { MiddleAnnotation } from '../../src/structures/evaluation_types.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const GOLDEN = path.resolve(repoRoot, '../shared/golden/voc');
/** Row names of the voc07 case's table (mmdet `get_classes('voc07')`), written out here as the gold file shows them. */
const VOC_CLASSES = ['aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus'];

interface VocCase {
  params: { scale_ranges: Array<[number, number]> | null; iou_thr: number; dataset: string | null; use_legacy_coordinate: boolean };
  det_results: number[][][][];
  annotations: Array<{ bboxes: number[][]; labels: number[]; bboxes_ignore?: number[][]; labels_ignore?: number[] }>;
}
/** With `scale_ranges`, mmdet returns per-scale lists (`mean_ap`, `ap`, `num_gts`) and 2-D curves. */
interface VocGold {
  mean_ap: number | number[];
  classes: Array<{ ap: number | number[]; num_gts: number | number[]; num_dets: number; recall: number[] | number[][]; precision: number[] | number[][] }>;
  summary_table: string;
}

const list = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);
const round6 = (v: ArrayLike<number>): number[] => Array.from(v, (x) => Number(x.toFixed(6)));

function load(name: string): { c: VocCase; g: VocGold; dets: Float32Array[][]; anns: MiddleAnnotation[] } {
  const c = JSON.parse(readFileSync(path.join(GOLDEN, 'cases', name), 'utf8')) as VocCase;
  const g = JSON.parse(readFileSync(path.join(GOLDEN, 'gold', name), 'utf8')) as VocGold;
  const dets = c.det_results.map((img) => img.map((cls) => Float32Array.from(cls.flat())));
  const anns = c.annotations.map((a) => ({
    bboxes: Float32Array.from(a.bboxes.flat()),
    labels: Int32Array.from(a.labels),
    bboxes_ignore: Float32Array.from((a.bboxes_ignore ?? []).flat()),
    labels_ignore: Int32Array.from(a.labels_ignore ?? []),
  }));
  return { c, g, dets, anns };
}

const names = readdirSync(path.join(GOLDEN, 'cases')).filter((f) => f.endsWith('.json'));

describe('eval_map vs mmdet golden', () => {
  it('finds the cases', () => expect(names.length).toBeGreaterThan(0));
  for (const name of names) {
    it(name, () => {
      const { c, g, dets, anns } = load(name);
      const lines: string[] = [];
      const { mean_ap, results } = evalMap(dets, anns, {
        scale_ranges: c.params.scale_ranges,
        iou_thr: c.params.iou_thr,
        dataset: c.params.dataset,
        use_legacy_coordinate: c.params.use_legacy_coordinate,
        log: (l) => lines.push(l),
      });
      const wantMean = list(g.mean_ap);
      list(mean_ap).forEach((m, i) => expect(m, `mean_ap[${i}]`).toBeCloseTo(wantMean[i]!, 6));
      expect(list(mean_ap).length).toBe(wantMean.length);
      expect(results.length).toBe(g.classes.length);
      results.forEach((r, k) => {
        const want = g.classes[k]!;
        const wantAp = list(want.ap);
        r.ap.forEach((ap, i) => expect(ap, `class ${k} ap[${i}]`).toBeCloseTo(wantAp[i]!, 6));
        expect(r.num_gts).toEqual(list(want.num_gts));
        expect(r.num_dets).toBe(want.num_dets);
        expect(round6(r.recall)).toEqual(round6(want.recall.flat()));
        expect(round6(r.precision)).toEqual(round6(want.precision.flat()));
      });
      // gold captured print(), which ends the text with a newline
      expect(`${lines.join('\n')}\n`).toBe(g.summary_table);
    });
  }

  it('vocEvaluate returns mmdet VOCDataset.evaluate keys (mAP first, AP50 rounded to 3 digits)', () => {
    const { c, g, dets, anns } = load('v03_11points_ignore.json');
    const out = vocEvaluate({ annotations: anns, classes: VOC_CLASSES }, dets.map((bbox) => ({ bbox })), {
      dataset: c.params.dataset!,
      use_legacy_coordinate: true,
      iou_thr: 0.5,
      log: () => {},
    });
    expect(Object.keys(out)).toEqual(['mAP', 'AP50']);
    const want = g.mean_ap as number;
    expect(out.mAP).toBeCloseTo(want, 6);
    expect(out.AP50).toBe(Math.round(want * 1000) / 1000);
  });
});
