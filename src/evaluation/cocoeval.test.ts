import { describe, expect, it } from 'vitest';
import type { CocoJson } from '../structures/evaluation_types.js';
import { COCO } from './coco.js';
import { COCOeval } from './cocoeval.js';

type Ann = Partial<CocoJson['annotations'][number]> & { bbox: [number, number, number, number] };
type Det = { image_id: number; category_id: number; bbox?: number[]; score: number; segmentation?: unknown };

function gtOf(anns: Ann[], images = [1]): COCO {
  return new COCO({
    images: images.map((id) => ({ id, file_name: `${id}.jpg`, width: 100, height: 100 })),
    categories: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ],
    annotations: anns.map((a, i) => ({ id: i + 1, image_id: 1, category_id: 1, area: a.bbox[2] * a.bbox[3], iscrowd: 0, ...a })),
  });
}

function run(gt: COCO, dets: Det[], setup?: (E: COCOeval) => void): COCOeval {
  const E = new COCOeval(gt, gt.loadRes(dets), 'bbox');
  setup?.(E);
  E.evaluate();
  E.accumulate();
  E.summarize(() => {});
  return E;
}

const det = (bbox: number[], score: number, extra: Partial<Det> = {}): Det => ({ image_id: 1, category_id: 1, bbox, score, ...extra });

describe('COCOeval matching semantics (hand-computed)', () => {
  // gt [0,0,10,10]; A is exact (IoU 1), B has IoU 100/192 ≈ 0.52 (a match only at IoU .50)
  const A = [0, 0, 10, 10];
  const B = [0, 0, 10, 19.2];

  it('exact match first: AP 1 at every threshold', () => {
    const E = run(gtOf([{ bbox: [0, 0, 10, 10] }]), [det(A, 0.9), det(B, 0.9)]);
    expect(E.stats[0]).toBeCloseTo(1, 12);
    expect(E.stats[6]).toBeCloseTo(1, 12); // AR@1
  });

  it('score ties keep results-file order (stable sort): B first halves AP above IoU .50', () => {
    const E = run(gtOf([{ bbox: [0, 0, 10, 10] }]), [det(B, 0.9), det(A, 0.9)]);
    // IoU .50: B is TP → AP 1. IoU ≥ .55: B FP then A TP → interpolated precision 0.5 everywhere.
    expect(E.stats[0]).toBeCloseTo((1 + 9 * 0.5) / 10, 12);
    expect(E.stats[1]).toBeCloseTo(1, 12);
    expect(E.stats[2]).toBeCloseTo(0.5, 12);
    // AR@1 keeps only B: recall 1 at IoU .50, 0 elsewhere
    expect(E.stats[6]).toBeCloseTo(0.1, 12);
    // area 100 is "small"; there is nothing medium or large
    expect(E.stats[3]).toBeCloseTo(E.stats[0]!, 12);
    expect(E.stats[4]).toBe(-1);
    expect(E.stats[5]).toBe(-1);
  });

  it('keeps only the top maxDets[-1] = 100 detections per image and category', () => {
    const junk = Array.from({ length: 149 }, (_, i) => det([50 + (i % 10) * 4, 50 + Math.floor(i / 10) * 3, 2, 2], 0.99 - i * 0.001));
    const late = run(gtOf([{ bbox: [0, 0, 10, 10] }]), [...junk, det(A, 0.5)]);
    expect(late.stats[0]).toBe(0);
    expect(late.stats[8]).toBe(0);
    const atRank100 = run(gtOf([{ bbox: [0, 0, 10, 10] }]), [...junk, det(A, 0.8915)]);
    // score 0.8915 sits between junk[98] and junk[99]: the TP is the 100th detection, precision 1/100
    expect(atRank100.stats[0]).toBeCloseTo(0.01, 12);
    expect(atRank100.stats[8]).toBeCloseTo(1, 12);
  });

  it('a detection inside a crowd region is ignored, not a false positive (IoF matching)', () => {
    const gt = gtOf([{ bbox: [0, 0, 10, 10] }, { bbox: [50, 50, 40, 40], iscrowd: 1 }]);
    // C sits inside the crowd box (IoF 1, IoU 0.0625) with the top score; A is a TP.
    const E = run(gt, [det([60, 60, 10, 10], 0.95), det(A, 0.9), det([0, 80, 5, 5], 0.1)]);
    expect(E.stats[0]).toBeCloseTo(1, 12);
    // the same detection against a non-crowd gt of that box is a false positive first
    const F = run(gtOf([{ bbox: [0, 0, 10, 10] }, { bbox: [50, 50, 40, 40] }]), [det([60, 60, 10, 10], 0.95), det(A, 0.9)]);
    // AP50: FP then TP of 2 gts → precision .5 for the 51 recall points ≤ .5, 0 beyond
    expect(F.stats[1]).toBeCloseTo((51 * 0.5) / 101, 12);
  });

  it("the gt 'ignore' field is overwritten by iscrowd (pycocotools quirk)", () => {
    const E = run(gtOf([{ bbox: [0, 0, 10, 10] }, { bbox: [20, 20, 10, 10], ignore: 1 }]), [det(A, 0.9)]);
    expect(E.stats[8]).toBeCloseTo(0.5, 12); // 1 of 2 gts found
  });

  it('categories without gt are left out of the means (precision −1)', () => {
    const E = run(gtOf([{ bbox: [0, 0, 10, 10] }]), [det(A, 0.9), det(A, 0.95, { category_id: 2 })]);
    expect(E.stats[0]).toBeCloseTo(1, 12);
    const [T, R, K, A_, M] = E.eval!.dims;
    expect([T, R, K, A_, M]).toEqual([10, 101, 2, 4, 3]);
    expect(E.eval!.precision[(0 * R + 0) * K * A_ * M + (1 * A_ + 0) * M + 2]).toBe(-1);
  });

  it('useCats = false matches across categories (mmdet proposal metric)', () => {
    const gt = gtOf([{ bbox: [0, 0, 10, 10] }]);
    const dets = [det(A, 0.9, { category_id: 2 })];
    expect(run(gt, dets).stats[0]).toBe(0);
    expect(run(gt, dets, (E) => (E.params.useCats = false)).stats[0]).toBeCloseTo(1, 12);
  });

  it('a gt with id 0 never counts as matched (pycocotools stores matches as gt ids)', () => {
    const gt = new COCO({
      images: [{ id: 1, file_name: '1.jpg', width: 100, height: 100 }],
      categories: [{ id: 1, name: 'a' }],
      annotations: [{ id: 0, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }],
    });
    expect(run(gt, [det(A, 0.9)]).stats[0]).toBe(0);
  });

  it("mmdet's params: iouThrs [0.5] and maxDets [100, 300, 1000] (summary lines and −1 for IoU .75)", () => {
    const gt = gtOf([{ bbox: [0, 0, 10, 10] }]);
    const E = new COCOeval(gt, gt.loadRes([det(A, 0.9)]), 'bbox');
    E.params.iouThrs = [0.5];
    E.params.maxDets = [100, 300, 1000];
    E.evaluate();
    E.accumulate();
    const lines: string[] = [];
    const stats = E.summarize((l) => lines.push(l));
    expect(stats[0]).toBeCloseTo(1, 12);
    expect(stats[2]).toBe(-1);
    expect(lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.50 | area=   all | maxDets=100 ] = 1.000');
    expect(lines[1]).toBe(' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=1000 ] = 1.000');
    expect(lines[2]).toBe(' Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=1000 ] = -1.000');
  });

  it('restricts evaluation to params.imgIds; images without gt or dets do not count', () => {
    const gt = new COCO({
      images: [1, 2, 3].map((id) => ({ id, file_name: `${id}.jpg`, width: 100, height: 100 })),
      categories: [{ id: 1, name: 'a' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
      ],
    });
    const dets = [det(A, 0.9)];
    expect(run(gt, dets).stats[8]).toBeCloseTo(0.5, 12);
    expect(run(gt, dets, (E) => (E.params.imgIds = [1, 3])).stats[8]).toBeCloseTo(1, 12);
  });

  it('summarize before accumulate is an error with a code', () => {
    const gt = gtOf([{ bbox: [0, 0, 10, 10] }]);
    const E = new COCOeval(gt, gt.loadRes([det(A, 0.9)]));
    expect(() => E.summarize(() => {})).toThrowError(expect.objectContaining({ code: 'COCO_EVAL_ORDER' }));
  });
});

describe('loadRes validation (pycocotools asserts; detkit names the entry)', () => {
  const gt = gtOf([{ bbox: [0, 0, 10, 10] }]);
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown image id', [det(A0(), 0.5), { ...det(A0(), 0.5), image_id: 7 }], 'COCO_RESULT_UNKNOWN_IMAGE', /result \[1\] has image_id 7/],
    ['unknown category id', [{ ...det(A0(), 0.5), category_id: 9 }], 'COCO_RESULT_UNKNOWN_CATEGORY', /result \[0\] has category_id 9/],
    ['NaN score', [det(A0(), Number.NaN)], 'COCO_RESULT_BAD_SCORE', /result \[0\] has score NaN/],
    ['negative width', [det([10, 10, -5, 4], 0.5)], 'COCO_RESULT_BAD_BBOX', /result \[0\] has a box of negative width/],
    ['missing bbox', [det(A0(), 0.5), { image_id: 1, category_id: 1, score: 0.3 }], 'COCO_RESULT_BAD_BBOX', /result \[1\] has bbox undefined/],
    ['not a list', { image_id: 1 }, 'COCO_RESULTS_NOT_LIST', /not an array/],
    ['empty list', [], 'COCO_RESULTS_EMPTY', /empty/],
  ];
  for (const [what, res, code, msg] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        gt.loadRes(res, 'dt.json');
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code, file: 'dt.json' });
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).toContain('dt.json');
    });
  }
  it('box results: area = w*h, segm results: area and box from the mask', () => {
    const d = gt.loadRes([det([1, 2, 3, 4], 0.5)]);
    expect(d.area[0]).toBe(12);
    const s = gt.loadRes([{ image_id: 1, category_id: 1, score: 0.5, segmentation: { size: [100, 100], counts: [205, 3, 97, 3, 9692] } }]);
    expect(s.area[0]).toBe(6);
    expect(Array.from(s.bbox)).toEqual([2, 5, 2, 3]);
  });
});

function A0(): number[] {
  return [0, 0, 10, 10];
}
