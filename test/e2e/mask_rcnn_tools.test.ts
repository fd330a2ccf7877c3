/**
 * Issue #9's Mask R-CNN acceptance, end to end on a tiny shapes Mask R-CNN trained from polygon
 * masks (`LoadAnnotations(with_mask=True, poly2mask=False)`) for two iterations:
 * - `detkit test CONFIG CKPT --eval bbox segm` prints both COCO summaries and `segm_*` metrics;
 * - `detkit infer` draws each detection's mask: the PNG changes inside the mask and nowhere away
 *   from the drawn boxes;
 * - proposals per image, sampled RoIs per image and their positive share follow the config.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import '../../src/register_all.js';
import { buildDetector, inferenceDetector, initDetector, loadConfig, trainFromConfig, type InitializedDetector } from '../../src/apis/index.js';
import { main } from '../../src/cli/main.js';
import { imread } from '../../src/data/index.js';
import type { StandardRoIHead } from '../../src/models/roi_heads/standard_roi_head.js';
import type { SamplingResult } from '../../src/models/task_modules/samplers/sampling_result.js';
import type { DetBatch } from '../../src/structures/det_types.js';
import { rleFromObject } from '../../src/structures/mask.js';
import { rleToBitmap } from '../../src/structures/mask_structures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NORM = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true };
const RPN_MAX = 60;
const RCNN_NUM = 16;
const POS_FRACTION = 0.25;

/** The shapes Mask R-CNN config at toy widths and 64-px images, polygons kept as polygons. */
function tinyMaskRcnnConfig(dir: string): string {
  const file = join(dir, 'tiny_mask_rcnn.json');
  const shapes = { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 4, val: 3, seed: 1, size: 64 } };
  const train_pipeline = [
    { type: 'LoadImageFromFile' },
    { type: 'LoadAnnotations', with_bbox: true, with_mask: true, poly2mask: false },
    { type: 'Resize', img_scale: [64, 64], keep_ratio: true },
    { type: 'RandomFlip', flip_ratio: 0.5 },
    { type: 'Normalize', ...NORM },
    { type: 'Pad', size_divisor: 32 },
    { type: 'DefaultFormatBundle' },
    { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels', 'gt_masks'] },
  ];
  const test_pipeline = [
    { type: 'LoadImageFromFile' },
    {
      type: 'MultiScaleFlipAug', img_scale: [64, 64], flip: false,
      transforms: [{ type: 'Resize', keep_ratio: true }, { type: 'RandomFlip' }, { type: 'Normalize', ...NORM }, { type: 'Pad', size_divisor: 32 }, { type: 'ImageToTensor', keys: ['img'] }, { type: 'Collect', keys: ['img'] }],
    },
  ];
  const extractor = (size: number) => ({ type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: size, sampling_ratio: 0 }, out_channels: 16, featmap_strides: [4, 8, 16, 32] });
  const cfg = {
    _base_: join(ROOT, 'configs/shapes/mask_rcnn_r18_fpn_shapes.ts'),
    gpu_ids: [0], // one device: the shapes config trains on two
    model: {
      backbone: { base_channels: 8 },
      neck: { in_channels: [8, 16, 32, 64], out_channels: 16 },
      rpn_head: { in_channels: 16, feat_channels: 16 },
      roi_head: {
        bbox_roi_extractor: extractor(7),
        bbox_head: { in_channels: 16, fc_out_channels: 32 },
        mask_roi_extractor: extractor(14),
        mask_head: { num_convs: 1, in_channels: 16, conv_out_channels: 16 },
      },
      train_cfg: {
        rpn_proposal: { nms_pre: 200, max_per_img: RPN_MAX },
        rcnn: { sampler: { num: RCNN_NUM, pos_fraction: POS_FRACTION } },
      },
      test_cfg: { rpn: { nms_pre: 100, max_per_img: 50 }, rcnn: { score_thr: 0.0, max_per_img: 20 } },
    },
    data: { samples_per_gpu: 2, workers_per_gpu: 0, train: { ...shapes, pipeline: train_pipeline }, val: { ...shapes, pipeline: test_pipeline }, test: { ...shapes, pipeline: test_pipeline } },
    lr_config: { warmup_iters: 2 },
    runner: { max_epochs: 1 },
    evaluation: { interval: 1, metric: ['bbox', 'segm'] },
    log_config: { interval: 1 },
  };
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

/** Runs the CLI in process and returns its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  try {
    const code = await main(args);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}

/** IoU of `[4]` boxes `a` and `b` (x1, y1, x2, y2). */
function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const iw = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const ih = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const i = iw * ih;
  return i / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - i);
}

describe('Mask R-CNN on shapes: detkit test --eval bbox segm, detkit infer, proposal and RoI counts', () => {
  let dir: string;
  let config: string;
  let ckpt: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'detkit-mask-rcnn-'));
    config = tinyMaskRcnnConfig(dir);
    const workDir = join(dir, 'work');
    await trainFromConfig({ config, work_dir: workDir, seed: 0, no_validate: true });
    ckpt = join(workDir, 'epoch_1.safetensors');
  }, 300_000);

  it('trained from polygon gt masks: the log has loss_mask', () => {
    const work = join(dir, 'work');
    const log = readFileSync(join(work, readdirSync(work).find((f) => f.endsWith('.log.json'))!), 'utf8');
    const train = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.mode === 'train');
    expect(train.length).toBe(2);
    for (const r of train) expect(Number.isFinite(r.loss_mask)).toBe(true);
  });

  it('detkit test --eval bbox segm prints both COCO summaries and the segm metrics', async () => {
    const { code, out } = await cli(['test', config, ckpt, '--eval', 'bbox', 'segm']);
    expect(code).toBe(0);
    const bbox = out.indexOf('Evaluating bbox...');
    const segm = out.indexOf('Evaluating segm...');
    expect(bbox).toBeGreaterThanOrEqual(0);
    expect(segm).toBeGreaterThan(bbox);
    // each evaluation prints pycocotools' 12-line summary
    const summaries = out.split('Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]').length - 1;
    expect(summaries).toBe(2);
    // and the metric dict (mmdet prints its OrderedDict) has both families
    for (const k of ['bbox_mAP', 'bbox_mAP_50', 'segm_mAP', 'segm_mAP_50', 'segm_mAP_75', 'segm_mAP_s', 'segm_mAP_m', 'segm_mAP_l', 'segm_mAP_copypaste']) expect(out).toContain(`('${k}', `);

    const json = await cli(['test', config, ckpt, '--eval', 'bbox', 'segm', '--json']);
    const start = json.out.lastIndexOf('\n{');
    const metrics = JSON.parse(json.out.slice(start < 0 ? json.out.indexOf('{') : start)) as Record<string, unknown>;
    for (const k of ['segm_mAP', 'segm_mAP_50']) {
      expect(typeof metrics[k]).toBe('number');
      expect(metrics[k] as number).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);

  it('detkit infer draws the masks: changed pixels inside a detected mask, none away from the boxes', async () => {
    const img = join(dir, 'shapes/val/000001.jpg');
    // keep only the best detection (the drawing's threshold), with its mask thresholded low so it is not empty
    const opts = ['--cfg-options', 'model.test_cfg.rcnn.mask_thr_binary=0.05'];
    const model: InitializedDetector = await initDetector(config, ckpt, { cfgOptions: ['model.test_cfg.rcnn.mask_thr_binary=0.05'] });
    const result = await inferenceDetector(model, img);
    model.dispose();
    let best = { score: -1, label: -1, row: -1 };
    result.bbox.forEach((rows, label) => {
      for (let r = 0; r < rows.length / 5; r++) if (rows[5 * r + 4]! > best.score) best = { score: rows[5 * r + 4]!, label, row: r };
    });
    expect(best.label).toBeGreaterThanOrEqual(0);
    const box = result.bbox[best.label]!.subarray(5 * best.row, 5 * best.row + 4);
    const mask = rleToBitmap(rleFromObject(result.segm![best.label]![best.row]!));

    const outDir = join(dir, 'infer');
    const { code } = await cli(['infer', config, ckpt, img, '--out-dir', outDir, '--score-thr', String(best.score), ...opts]);
    expect(code).toBe(0);
    const before = await imread(img);
    const after = await imread(join(outDir, '000001.png'));
    const { width: w, height: h } = before;
    const px = (im: typeof before, p: number): string => Array.from(im.data.subarray(3 * p, 3 * p + 3)).join(',');
    // away from the box outline (2 px wide) and its label: 13 px font + 3, above the box when it fits
    // (visualization.ts), else inside it at the top edge
    const labelTop = box[1]! - 16 >= 0 ? box[1]! - 16 : box[1]!;
    const nearBox = (x: number, y: number): boolean =>
      (x >= box[0]! - 3 && x <= box[2]! + 3 && y >= box[1]! - 3 && y <= box[3]! + 3 &&
        (x <= box[0]! + 3 || x >= box[2]! - 3 || y <= box[1]! + 3 || y >= box[3]! - 3)) ||
      (y >= labelTop - 2 && y <= labelTop + 18 && x >= box[0]! - 2);
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (nearBox(x, y)) continue;
        const p = y * w + x;
        if (mask[p]) {
          inside++;
          expect(px(after, p), `mask pixel (${x}, ${y})`).not.toBe(px(before, p));
        } else {
          outside++;
          expect(px(after, p), `background pixel (${x}, ${y})`).toBe(px(before, p));
        }
      }
    }
    expect(inside, `box ${Array.from(box).join(',')}`).toBeGreaterThan(0);
    expect(outside).toBeGreaterThan(0);
  }, 120_000);

  it('proposals per image = rpn_proposal.max_per_img; sampled RoIs = num; positives = min(num * pos_fraction, available)', async () => {
    // random weights, train_cfg kept (init_detector would drop it)
    const cfg = (await loadConfig(config)).toDict() as { model: Record<string, unknown> };
    const model = buildDetector(cfg.model, 0);
    const roiHead = (model as unknown as { roi_head: StandardRoIHead }).roi_head;
    const seen: Array<{ proposals: Float32Array[]; results: SamplingResult[] }> = [];
    const orig = roiHead.sampleRois.bind(roiHead);
    const spy = vi.spyOn(roiHead, 'sampleRois').mockImplementation((proposals, samples) => {
      const results = orig(proposals, samples);
      seen.push({ proposals, results });
      return results;
    });
    // two 64x64 images: one with three objects, one with one
    const rows = [[4, 4, 30, 30], [34, 8, 60, 28], [10, 36, 40, 60]];
    const batch: DetBatch = {
      img: Float32Array.from({ length: 2 * 64 * 64 * 3 }, (_, i) => Math.sin(i * 0.37)),
      imgShape: [2, 64, 64, 3],
      samples: [3, 1].map((n) => ({
        meta: { filename: 'x', ori_filename: 'x', ori_shape: [64, 64, 3], img_shape: [64, 64, 3], pad_shape: [64, 64, 3], scale_factor: [1, 1, 1, 1], flip: false, flip_direction: null },
        gt_bboxes: Float32Array.from(rows.slice(0, n).flat()),
        gt_labels: Int32Array.from(rows.slice(0, n).map((_, i) => i)),
        gt_masks: { kind: 'polygon' as const, height: 64, width: 64, polygons: rows.slice(0, n).map(([a, b, c, d]) => [Float64Array.from([a!, b!, c!, b!, c!, d!, a!, d!])]) },
      })),
    };
    model.train();
    const out = model.train_step(batch);
    out.grads?.forEach((g) => g.dispose());
    spy.mockRestore();
    model.dispose();
    expect(seen).toHaveLength(1);
    const { proposals, results } = seen[0]!;
    const capped: boolean[] = [];
    for (const [b, sample] of batch.samples.entries()) {
      expect(proposals[b]!.length / 5, `image ${b} proposals`).toBe(RPN_MAX);
      const r = results[b]!;
      expect(r.posInds.length + r.negInds.length, `image ${b} sampled RoIs`).toBe(RCNN_NUM);
      // available positives: the gts themselves (add_gt_as_proposals) and proposals with IoU >= 0.5 to a gt
      const gts = sample.gt_bboxes!;
      let available = gts.length / 4;
      for (let i = 0; i < proposals[b]!.length / 5; i++) {
        let m = 0;
        for (let g = 0; g < gts.length / 4; g++) m = Math.max(m, iou(proposals[b]!.subarray(5 * i, 5 * i + 4), gts.subarray(4 * g, 4 * g + 4)));
        if (m >= 0.5) available++;
      }
      expect(r.posInds.length, `image ${b} positives`).toBe(Math.min(RCNN_NUM * POS_FRACTION, available));
      capped.push(available > RCNN_NUM * POS_FRACTION);
    }
    // the case covers both regimes: more positives than the cap, and fewer
    expect(capped).toEqual([true, false]);
  }, 120_000);
});
