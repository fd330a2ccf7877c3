/**
 * End to end: a tiny RetinaNet trained for one epoch, then `testFromConfig` (detkit test) on the same
 * images reproduces the bbox_mAP that the training run's EvalHook logged; `--out` reloads; `--show-dir`
 * and `--format-only` write files; `initDetector`/`inferenceDetector` errors are clear DetkitErrors;
 * `benchmark` runs; the CLI prints one JSON document with `--json`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import '../../src/register_all.js';
import { benchmark, inferenceDetector, initDetector, loadResults, testFromConfig, trainFromConfig } from '../../src/apis/index.js';
import { tf } from '../../src/backend/index.js';
import { main } from '../../src/cli/main.js';
import { imread } from '../../src/data/index.js';
import { DetkitError } from '../../src/utils/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');

function tinyConfig(dir: string, name: string, channels = 16): string {
  const file = join(dir, `${name}.json`);
  const shapes = { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 4, val: 3, seed: 1, size: 64 } };
  const cfg = {
    _base_: join(ROOT, 'configs/shapes/retinanet_r18_fpn_shapes.ts'),
    gpu_ids: [0], // one device: the shapes config trains on two
    model: {
      backbone: { base_channels: 8 },
      neck: { in_channels: [16, 32, 64], out_channels: channels },
      bbox_head: { in_channels: channels, feat_channels: channels, stacked_convs: 1, norm_cfg: { type: 'GN', num_groups: 4, requires_grad: true } },
      test_cfg: { score_thr: 0.0 },
    },
    data: { samples_per_gpu: 2, workers_per_gpu: 0, train: shapes, val: shapes, test: shapes },
    lr_config: { warmup_iters: 2 },
    runner: { max_epochs: 1 },
    log_config: { interval: 1 },
  };
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

function codeOf(fn: () => unknown): Promise<DetkitError> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => {
        throw new Error('expected a DetkitError');
      },
      (err: unknown) => {
        expect(err).toBeInstanceOf(DetkitError);
        return err as DetkitError;
      },
    );
}

describe('detkit test / infer / benchmark (tiny shapes RetinaNet)', () => {
  let dir: string;
  let config: string;
  let ckpt: string;
  let loggedMap: Record<string, unknown>;
  const quiet = { log: () => {}, progressStream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'detkit-tools-'));
    config = tinyConfig(dir, 'tiny');
    const workDir = join(dir, 'work');
    await trainFromConfig({ config, work_dir: workDir, seed: 0 });
    ckpt = join(workDir, 'epoch_1.safetensors');
    const log = readdirSync(workDir).find((f) => f.endsWith('.log.json'))!;
    const records = readFileSync(join(workDir, log), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    loggedMap = records.find((r) => r.mode === 'val')!;
  }, 300_000);

  it('reproduces the mAP the training EvalHook logged for that epoch', async () => {
    const out = join(dir, 'results.json');
    const { metrics, results } = await testFromConfig({ config, checkpoint: ckpt, eval: ['bbox'], out, ...quiet });
    expect(metrics).not.toBeNull();
    expect(loggedMap.bbox_mAP_50 as number).toBeGreaterThan(0); // a non-trivial number to reproduce
    for (const k of ['bbox_mAP', 'bbox_mAP_50', 'bbox_mAP_75', 'bbox_mAP_s']) expect(metrics![k]).toBe(loggedMap[k]);
    expect(metrics!.bbox_mAP_copypaste).toBe(loggedMap.bbox_mAP_copypaste);
    // --out reloads to the same per-image, per-class arrays.
    const back = loadResults(out);
    expect(back).toHaveLength(3);
    expect(back.map((r) => r.bbox.map((c) => Array.from(c)))).toEqual(results.map((r) => r.bbox.map((c) => Array.from(c))));
  }, 120_000);

  it('--show-dir draws every image and --format-only writes COCO json', async () => {
    const showDir = join(dir, 'show');
    const prefix = join(dir, 'fmt', 'res');
    const { formatted, metrics } = await testFromConfig({ config, checkpoint: ckpt, format_only: true, show_dir: showDir, eval_options: [`jsonfile_prefix=${prefix}`], ...quiet });
    expect(metrics).toBeNull();
    expect(formatted).toEqual({ bbox: `${prefix}.bbox.json`, proposal: `${prefix}.bbox.json` }); // mmdet results2json names both
    const recs = JSON.parse(readFileSync(`${prefix}.bbox.json`, 'utf8')) as Array<{ image_id: number; bbox: number[]; score: number; category_id: number }>;
    expect(recs.length).toBeGreaterThan(0);
    expect(Object.keys(recs[0]!).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score']);
    expect(readdirSync(showDir).sort()).toEqual(['000000.jpg', '000001.jpg', '000002.jpg']);
  }, 120_000);

  it('refuses a run with nothing to do, or --eval with --format-only', async () => {
    expect((await codeOf(() => testFromConfig({ config, checkpoint: ckpt }))).code).toBe('CLI_USAGE');
    expect((await codeOf(() => testFromConfig({ config, checkpoint: ckpt, eval: ['bbox'], format_only: true }))).code).toBe('CLI_USAGE');
  });

  it('inferenceDetector gives the same detections for a path and a decoded image, without leaking tensors', async () => {
    const model = await initDetector(config, ckpt);
    try {
      expect(model.CLASSES).toEqual(['circle', 'square', 'triangle', 'star', 'hexagon']);
      const file = join(dir, 'shapes/val/000000.jpg');
      const a = await inferenceDetector(model, file);
      const before = tf.memory().numTensors;
      const [b] = await inferenceDetector(model, [await imread(file)]);
      await inferenceDetector(model, file);
      expect(tf.memory().numTensors).toBe(before);
      expect(b!.bbox.map((c) => Array.from(c))).toEqual(a.bbox.map((c) => Array.from(c)));
      expect(a.bbox).toHaveLength(5);
      // Rescaled to the original 64x64 image.
      for (const c of a.bbox) for (let i = 0; i < c.length; i += 5) expect(c[i + 2]!).toBeLessThanOrEqual(64);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('errors: missing checkpoint, another architecture, undecodable image', async () => {
    const missing = await codeOf(() => initDetector(config, join(dir, 'nope.safetensors')));
    expect(missing.code).toBe('CHECKPOINT_NOT_FOUND');
    expect(missing.file).toBe(join(dir, 'nope.safetensors'));

    const other = await codeOf(() => initDetector(tinyConfig(dir, 'wide', 24), ckpt));
    expect(other.code).toBe('CHECKPOINT_STATE_MISMATCH');
    expect(other.file).toBe(ckpt);
    expect(other.message).toContain(
      'size mismatch for neck.lateral_convs.0.conv.weight: copying a param with shape [1, 1, 16, 16] from checkpoint, the shape in current model is [1, 1, 16, 24].',
    );

    const bad = join(dir, 'bad.jpg');
    writeFileSync(bad, 'this is not an image');
    const model = await initDetector(config, ckpt);
    try {
      const err = await codeOf(() => inferenceDetector(model, bad));
      expect(err.code).toBe('DATA_PIPELINE_FAILED');
      expect(err.message).toContain(bad);
      const cause = err.cause as DetkitError;
      expect(cause.code).toBe('DATA_IMAGE_DECODE');
      expect(cause.file).toBe(bad);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('benchmark times the model call after 5 warm-up iterations', async () => {
    const lines: string[] = [];
    const res = await benchmark({ config, checkpoint: ckpt, max_iter: 8, log_interval: 4, log: (l) => lines.push(l) });
    expect(res.timed_iters).toBe(3);
    expect(res.fps).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^Done image \[8  \/ 8\], fps: [\d.]+ img \/ s, times per image: [\d.]+ ms \/ img$/);
    expect(lines[1]).toMatch(/^Overall fps: [\d.]+ img \/ s/);
  }, 60_000);

  it('the CLI prints the metrics as one JSON document with --json', () => {
    const stdout = execFileSync(process.execPath, [join(ROOT, 'bin/detkit.mjs'), 'test', config, ckpt, '--eval', 'bbox', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const metrics = JSON.parse(stdout) as Record<string, unknown>;
    expect(metrics.bbox_mAP).toBe(loggedMap.bbox_mAP);
    expect(existsSync(ckpt)).toBe(true);
  }, 120_000);

  it('detkit infer and detkit confusion-matrix (in process) write their files', async () => {
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      const outDir = join(dir, 'infer');
      const img = join(dir, 'shapes/val/000001.jpg');
      expect(await main(['infer', config, ckpt, img, '--out-dir', outDir, '--score-thr', '0.01'])).toBe(0);
      const det = JSON.parse(readFileSync(join(outDir, 'detections.json'), 'utf8')) as Array<{ file: string; drawing: string; detections: Array<{ label: number; class_name: string; score: number; bbox: number[] }> }>;
      expect(det).toHaveLength(1);
      expect(det[0]!.file).toBe(img);
      expect(existsSync(det[0]!.drawing)).toBe(true);
      const scores = det[0]!.detections.map((d) => d.score);
      expect(scores.every((s) => s >= 0.01)).toBe(true);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const d of det[0]!.detections) expect(d.class_name).toBe(['circle', 'square', 'triangle', 'star', 'hexagon'][d.label]);

      const results = join(dir, 'cm_results.json');
      await testFromConfig({ config, checkpoint: ckpt, out: results, ...quiet });
      const cmDir = join(dir, 'cm');
      expect(await main(['confusion-matrix', config, results, cmDir, '--score-thr', '0.01'])).toBe(0);
      expect(existsSync(join(cmDir, 'confusion_matrix.png'))).toBe(true);
      expect(logs.some((l) => l.startsWith('gt \\ pred') && l.includes('background'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
