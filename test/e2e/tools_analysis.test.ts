/**
 * The analysis tools on hand-checkable inputs: analyze_logs on the golden mmcv `.log.json`, the
 * confusion matrix on hand-made detections, and `showResult` pixels on the box outlines.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  analyzePerImgDets,
  calculateConfusionMatrix,
  calTrainTime,
  curvesOf,
  formatMetricDict,
  formatTrainTime,
  loadJsonLogs,
  loadResults,
  plotConfusionMatrix,
  plotCurves,
  showResult,
} from '../../src/apis/index.js';
import { imread } from '../../src/data/index.js';
import { rleEncode, toRleObject } from '../../src/evaluation/index.js';
import { DetkitError } from '../../src/utils/errors.js';

const GOLDEN = resolve(import.meta.dirname, '../../../shared/golden/logs');
const EPOCH_LOG = join(GOLDEN, 'epoch_runner.log.json');

describe('analyze_logs on the golden mmcv logs', () => {
  it('parses by epoch, skipping the first (meta) line', () => {
    const [log] = loadJsonLogs([EPOCH_LOG]);
    expect([...log!.keys()]).toEqual([1, 2]);
    expect(log!.get(1)!.get('mode')).toEqual(['train', 'train', 'train', 'val']);
    expect(log!.get(1)!.get('iter')).toEqual([2, 4, 6, 3]);
    expect(log!.get(2)!.get('loss_cls')).toEqual([0.09184, 0.07827, 0.05964, 0.13096]);
    expect(log!.get(1)!.has('exp_name')).toBe(false);
  });

  it('cal_train_time: per-epoch means without the first value, as analyze_logs.py', () => {
    const [log] = loadJsonLogs([EPOCH_LOG]);
    // By hand from the file: epoch 1 times (first dropped) 0.00074, 0.0008, 0.66701 -> 0.22285;
    // epoch 2: 0.00119, 0.00198, 0.66698 -> 0.2233833; std over the two = half their gap.
    const s = calTrainTime(log!);
    expect(s.slowest_epoch).toBe(2);
    expect(s.slowest_time).toBeCloseTo(0.2233833333, 9);
    expect(s.fastest_epoch).toBe(1);
    expect(s.fastest_time).toBeCloseTo(0.22285, 9);
    expect(s.std_over_epochs).toBeCloseTo(0.0002666667, 9);
    expect(s.average_iter_time).toBeCloseTo(0.2231166667, 9);
    expect(formatTrainTime('x.log.json', s)).toBe(
      [
        '-----Analyze train time of x.log.json-----',
        'slowest epoch 2, average time is 0.2234',
        'fastest epoch 1, average time is 0.2228',
        'time std over epochs is 0.0003',
        'average iter time: 0.2231 s/iter',
        '',
      ].join('\n'),
    );
    // --include-outliers keeps the first values (1.0042 and 1.00076).
    const o = calTrainTime(log!, true);
    expect(o.slowest_epoch).toBe(1);
    expect(o.slowest_time).toBeCloseTo(0.4181875, 9);
    expect(o.average_iter_time).toBeCloseTo(0.4179575, 9);
  });

  it('plot_curve: loss x = iter + (epoch-1)*iters_per_epoch without the val record; mAP per val epoch', () => {
    const [log] = loadJsonLogs([EPOCH_LOG]);
    const [c] = curvesOf(['a.json'], [log!], ['loss_cls']);
    expect(c!.legend).toBe('a.json_loss_cls');
    expect(c!.xLabel).toBe('iter');
    // iters_per_epoch = second-last logged iter of epoch 1 ([2, 4, 6, 3] -> 6).
    expect(c!.xs).toEqual([2, 4, 6, 8, 10, 12]);
    expect(c!.ys).toEqual([0.70846, 0.29711, 0.05523, 0.09184, 0.07827, 0.05964]);
    const mapLog = new Map([
      [1, new Map<string, unknown[]>([['mode', ['train', 'val']], ['iter', [5, 5]], ['bbox_mAP', [0.25]]])],
      [2, new Map<string, unknown[]>([['mode', ['train', 'val']], ['iter', [5, 5]], ['bbox_mAP', [0.5]]])],
    ]);
    const [m] = curvesOf(['b.json'], [mapLog], ['bbox_mAP'], ['run b']);
    expect(m).toMatchObject({ legend: 'run b', xLabel: 'epoch', xs: [1, 2], ys: [0.25, 0.5] });
  });

  it('plot_curve: a missing key is a KeyError with mmdet’s hint; the PNG is written', async () => {
    const [log] = loadJsonLogs([EPOCH_LOG]);
    let err: unknown;
    try {
      curvesOf(['a.json'], [log!], ['bbox_mAP']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as DetkitError).code).toBe('LOG_MISSING_METRIC');
    expect((err as DetkitError).message).toContain('Please check if "--no-validate" is specified');
    const out = join(mkdtempSync(join(tmpdir(), 'detkit-plot-')), 'curve.png');
    await plotCurves(curvesOf(['a.json'], [log!], ['loss_cls', 'loss_bbox']), out, 'losses');
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(600);
  });

  it('a missing log file is LOG_NOT_FOUND naming the file', () => {
    expect(() => loadJsonLogs(['/nonexistent/x.log.json'])).toThrow(expect.objectContaining({ code: 'LOG_NOT_FOUND', file: '/nonexistent/x.log.json' }));
  });
});

describe('confusion matrix (mmdet confusion_matrix.py counting)', () => {
  const f32 = (...rows: number[][]): Float32Array => Float32Array.from(rows.flat());

  it('counts TP, class confusion, background FP and FN on a hand-made image', () => {
    const m = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const gtBoxes = [0, 0, 10, 10, 20, 20, 30, 30];
    const gtLabels = [0, 1];
    analyzePerImgDets(
      m,
      gtBoxes,
      gtLabels,
      {
        bbox: [
          f32([0, 0, 10, 10, 0.9], [50, 50, 60, 60, 0.8], [0, 0, 10, 10, 0.1]), // TP, background FP, below thr
          f32([0, 0, 10, 10, 0.7]), // class 1 on the class-0 box
        ],
      },
      { score_thr: 0.3, tp_iou_thr: 0.5 },
    );
    // rows gt (0, 1, bg), columns prediction (0, 1, bg); gt 1 never matched -> FN.
    expect(m).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });

  it('a detection overlapping two gts counts for both; the gt without a same-class match is a FN', () => {
    const m = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    // IoU(det, gt0) = 100/105, IoU(det, gt1) = 105/110: both >= 0.5.
    analyzePerImgDets(m, [0, 0, 10, 10, 0, 0, 10, 11], [0, 1], { bbox: [f32(), f32([0, 0, 10, 10.5, 0.9])] }, { score_thr: 0.3 });
    expect(m).toEqual([
      [0, 1, 1],
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });

  it('nms_iou_thr suppresses duplicates before counting', () => {
    const m = [
      [0, 0],
      [0, 0],
    ];
    const dets = { bbox: [f32([0, 0, 10, 10, 0.9], [0, 0, 10, 9, 0.8], [40, 40, 50, 50, 0.2])] };
    analyzePerImgDets(m, [0, 0, 10, 10], [0], dets, { score_thr: 0.3, nms_iou_thr: 0.5 });
    expect(m).toEqual([
      [1, 0],
      [0, 0],
    ]);
  });

  it('over a dataset, from a saved results file, and as a PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detkit-cm-'));
    const file = join(dir, 'results.json');
    writeFileSync(file, JSON.stringify([{ bbox: [[[0, 0, 10, 10, 0.9]], []] }, { bbox: [[], [[5, 5, 15, 15, 0.5]]] }]));
    const results = loadResults(file);
    const ds = {
      length: 2,
      CLASSES: ['a', 'b'],
      get_ann_info: (i: number) => (i === 0 ? { bboxes: [0, 0, 10, 10], labels: [0] } : { bboxes: [5, 5, 15, 15], labels: [0] }),
    };
    const m = calculateConfusionMatrix(ds, results, { score_thr: 0.3 });
    expect(m).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const png = await plotConfusionMatrix(m, ['a', 'b', 'background'], dir);
    expect((await sharp(png).metadata()).format).toBe('png');
    expect(() => calculateConfusionMatrix(ds, results.slice(1))).toThrow(expect.objectContaining({ code: 'CONFUSION_LENGTH_MISMATCH' }));
    writeFileSync(file, JSON.stringify([{ bbox: [[[0, 0, 10]]] }]));
    expect(() => loadResults(file)).toThrow(expect.objectContaining({ code: 'RESULTS_BAD_FORMAT', file }));
  });
});

describe('showResult draws on the box outlines', () => {
  it('paints box edges in the class colour, leaves the inside and low-score boxes alone', async () => {
    const w = 100;
    const h = 90;
    const grey = new Uint8Array(w * h * 3).fill(128);
    const img = { data: grey, height: h, width: w, channels: 3 };
    const dir = mkdtempSync(join(tmpdir(), 'detkit-show-'));
    const outFile = join(dir, 'out.png');
    // Class 2 box kept (0.9), class 0 box dropped by the 0.3 threshold.
    const result = { bbox: [Float32Array.from([5, 5, 30, 30, 0.2]), new Float32Array(0), Float32Array.from([20, 40, 80, 85, 0.9])] };
    const drawn = await showResult(img, result, { classNames: ['a', 'b', 'c'], scoreThr: 0.3, outFile });
    // Palette colour 2 is RGB (0, 130, 200); the image is BGR.
    const px = (x: number, y: number): number[] => Array.from(drawn.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    const BGR = [200, 130, 0];
    expect(px(20, 60)).toEqual(BGR); // left edge
    expect(px(80, 60)).toEqual(BGR); // right edge
    expect(px(50, 85)).toEqual(BGR); // bottom edge
    expect(px(50, 65)).toEqual([128, 128, 128]); // inside
    expect(px(5, 20)).toEqual([128, 128, 128]); // the low-score box's left edge is not drawn
    // The written PNG holds the same pixels (read back as BGR).
    const back = await imread(outFile);
    expect(Array.from(back.data.subarray((85 * w + 50) * 3, (85 * w + 50) * 3 + 3))).toEqual(BGR);
    expect(readFileSync(outFile).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('detkit test output', () => {
  it('prints the metrics as Python 3.11 prints the OrderedDict that evaluate returns', () => {
    expect(formatMetricDict({ bbox_mAP: 0.023, bbox_mAP_75: 0, bbox_mAP_copypaste: '0.023 0.151' })).toBe(
      "OrderedDict([('bbox_mAP', 0.023), ('bbox_mAP_75', 0.0), ('bbox_mAP_copypaste', '0.023 0.151')])",
    );
  });
});

describe('showResult with masks', () => {
  it('blends an RLE mask (column-major, as pycocotools) where the mask is, and only there', async () => {
    const w = 60;
    const h = 60;
    const colMajor = new Uint8Array(w * h);
    for (let x = 10; x < 40; x++) for (let y = 30; y < 50; y++) colMajor[x * h + y] = 1; // a 30x20 block, not square
    const rle = toRleObject(rleEncode(colMajor, h, w));
    const img = { data: new Uint8Array(w * h * 3).fill(128), height: h, width: w, channels: 3 };
    const drawn = await showResult(img, { bbox: [Float32Array.from([10, 30, 40, 50, 0.9])], segm: [[rle]] }, { scoreThr: 0.3 });
    const px = (x: number, y: number): number[] => Array.from(drawn.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    // 50 % blend of grey 128 with palette colour 0, RGB (230, 25, 75) -> BGR (101, 76, 179).
    expect(px(25, 40)).toEqual([101, 76, 179]);
    expect(px(35, 45)).toEqual([101, 76, 179]);
    expect(px(50, 40)).toEqual([128, 128, 128]); // right of the mask and the box
    expect(px(5, 55)).toEqual([128, 128, 128]);
    // Mask R-CNN's uncompressed RLE (counts as numbers) draws the same.
    const raw = rleEncode(colMajor, h, w);
    const drawn2 = await showResult(img, { bbox: [Float32Array.from([10, 30, 40, 50, 0.9])], segm: [[{ size: [h, w], counts: Array.from(raw.cnts) }]] });
    expect(Array.from(drawn2.data)).toEqual(Array.from(drawn.data));
  });
});
