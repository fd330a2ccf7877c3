/**
 * Golden parity with pycocotools (`/work/shared/golden/coco/`): the 12 stats, the printed summary
 * lines and per-category precision/recall of `COCOeval` with default params, on every case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COCO } from '../../src/evaluation/coco.js';
import { COCOeval } from '../../src/evaluation/cocoeval.js';
import { perCategoryMetrics } from '../../src/evaluation/coco_metric.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const GOLDEN = path.resolve(repoRoot, '../shared/golden/coco');

interface GoldCase {
  iouType: 'bbox' | 'segm';
  stats: number[];
  summary: string[];
  catIds: number[];
  per_category: Record<string, { ap: number | null; ap50: number | null; ap75: number | null; ar100: number | null; recall50: number | null; precision50: Array<number | null> }>;
}

// Python's json writes NaN (e.g. np.mean of nothing) as a bare token; read it as null.
const gold = JSON.parse(readFileSync(path.join(GOLDEN, 'gold.json'), 'utf8').replace(/\bNaN\b/g, 'null')) as { cases: Record<string, GoldCase> };

/** A per-category number: a category without gt is −1 here; gold may say −1, NaN or null. */
function expectSame(got: number, want: number | null, what: string): void {
  if (want === null || want === -1) expect(got, what).toBe(-1);
  else expect(got, what).toBeCloseTo(want, 9);
}
const cases = readdirSync(GOLDEN).filter((d) => d.startsWith('case'));

describe('COCOeval vs pycocotools golden', () => {
  it('has a gold entry for every case folder', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(gold.cases[c], c).toBeDefined();
  });
  for (const name of cases) {
    it(name, () => {
      const g = gold.cases[name]!;
      const gt = COCO.fromFile(path.join(GOLDEN, name, 'gt.json'));
      const dtJson = JSON.parse(readFileSync(path.join(GOLDEN, name, 'dt.json'), 'utf8')) as unknown;
      const E = new COCOeval(gt, gt.loadRes(dtJson), g.iouType);
      E.evaluate();
      E.accumulate();
      const lines: string[] = [];
      const stats = E.summarize((l) => lines.push(l));
      expect(stats.length).toBe(12);
      stats.forEach((s, i) => expect(s, `stat ${i}`).toBeCloseTo(g.stats[i]!, 9));
      expect(lines).toEqual(g.summary);
      const per = perCategoryMetrics(E);
      expect(Object.keys(per).map(Number)).toEqual(g.catIds);
      for (const [cat, want] of Object.entries(g.per_category)) {
        const got = per[Number(cat)]!;
        expectSame(got.ap, want.ap, `cat ${cat} ap`);
        expectSame(got.ap50, want.ap50, `cat ${cat} ap50`);
        expectSame(got.ap75, want.ap75, `cat ${cat} ap75`);
        expectSame(got.ar100, want.ar100, `cat ${cat} ar100`);
        expectSame(got.recall50, want.recall50, `cat ${cat} recall50`);
        expect(got.precision50.length).toBe(101);
        got.precision50.forEach((v, r) => expectSame(v, want.precision50[r]!, `cat ${cat} precision50[${r}]`));
      }
    });
  }
});
