/**
 * @module Port of mmdetection's `tools/test.py` `main()` @ v2.28.2 as a function, so the CLI and
 * tests share it: config → test dataset (`test_mode`) → detector with the checkpoint (strict) →
 * `single_gpu_test` → `--out` / `--format-only` / `--eval` / `--show-dir`.
 *
 * Porting notes:
 * - `--out` is JSON (`.json`), not a pickle: a list with one `{bbox: [[x1, y1, x2, y2, score], ...]
 *   per class, segm?}` per image, in dataset order; {@link loadResults} reads it back.
 * - `--show-dir` draws on the original image file (mmdet un-normalises the batch tensor and resizes
 *   it back to `ori_shape`, which gives the same picture up to resampling).
 * - Single process only (no `--launcher`, `--gpu-collect`, `--tmpdir`, `--fuse-conv-bn`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCfgOptions } from '../config/index.js';
import { pyNumberRepr, pyRepr, pyStrRepr } from '../config/py_repr.js';
import { buildDataloader, buildDataset, CocoDataset, type DetDataset } from '../data/index.js';
import { ProgressBar } from '../engine/index.js';
import { pyTimestamp } from '../engine/logging/py_format.js';
import { formatResults } from '../evaluation/index.js';
import type { DetResult } from '../structures/det_types.js';
import { DetkitError, FileNotFoundError, UsageError, ValueError } from '../utils/errors.js';
import { initDetector, loadConfig, type InitializedDetector } from './inference.js';
import { showResult } from './show_result.js';
import { singleGpuTest } from './test.js';

/** Options of {@link testFromConfig}: tools/test.py's command-line options (snake_case as there). */
export interface TestMainOptions {
  config: string;
  checkpoint: string;
  /** Write the raw results here (`.json`). */
  out?: string | undefined;
  /** Metrics for `dataset.evaluate` (`bbox`, `segm`, `proposal`, `mAP`, `recall`, ...). */
  eval?: string[] | undefined;
  /** Only `format_results` (COCO json files), no evaluation. */
  format_only?: boolean | undefined;
  /** Save drawn images to this folder (`<dir>/<ori_filename>`). */
  show_dir?: string | undefined;
  /** Score threshold for drawing. Default 0.3. */
  show_score_thr?: number | undefined;
  /** If set, dumps `eval_<timestamp>.json` = `{config, metric}` here. */
  work_dir?: string | undefined;
  /** `--cfg-options` tokens. */
  cfg_options?: string[] | undefined;
  /** `--eval-options` tokens (kwargs of `evaluate` / `format_results`). */
  eval_options?: string[] | undefined;
  /** Where progress and evaluation lines go. Default: stdout. */
  log?: ((line: string) => void) | undefined;
  /** Stream of the progress bar. Default: stdout. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What {@link testFromConfig} produced. */
export interface TestMainResult {
  results: DetResult[];
  /** `dataset.evaluate` output when `eval` was given. */
  metrics: Record<string, number | string> | null;
  /** Files written by `--format-only` (`{bbox: '<prefix>.bbox.json', ...}`). */
  formatted: Record<string, string> | null;
}

/** Keys of `cfg.evaluation` that only configure EvalHook (dropped before `evaluate`, as tools/test.py). */
const HOOK_ONLY_KEYS = ['interval', 'tmpdir', 'start', 'gpu_collect', 'save_best', 'rule', 'dynamic_intervals', 'by_epoch', 'greater_keys', 'less_keys', 'out_dir'];

/** Serialises results for `--out`: one `{bbox, segm?}` per image with plain-number rows. */
export function resultsToJson(results: readonly DetResult[]): unknown[] {
  return results.map((r) => {
    const bbox = r.bbox.map((c) => {
      const rows: number[][] = [];
      for (let i = 0; i < c.length; i += 5) rows.push(Array.from(c.subarray(i, i + 5)));
      return rows;
    });
    return r.segm === undefined ? { bbox } : { bbox, segm: r.segm };
  });
}

/** Writes `--out` results (JSON). */
export function dumpResults(results: readonly DetResult[], file: string): void {
  writeFileSync(file, JSON.stringify(resultsToJson(results)));
}

/**
 * Reads results written by `detkit test --out` (mmdet's results pickle, as JSON).
 * @throws FileNotFoundError `RESULTS_NOT_FOUND`; ValueError `RESULTS_BAD_FORMAT` naming the image index
 */
export function loadResults(file: string): DetResult[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError('RESULTS_NOT_FOUND', `results file not found: ${file}`, { file, cause: err });
    throw new ValueError('RESULTS_BAD_FORMAT', `${file} is not a JSON results file: ${(err as Error).message}`, { file, cause: err });
  }
  const bad = (i: number, why: string): never => {
    throw new ValueError('RESULTS_BAD_FORMAT', `${file}: result ${i} ${why}`, { file, hint: 'write it with `detkit test CONFIG CHECKPOINT --out results.json`' });
  };
  if (!Array.isArray(raw)) return bad(0, 'expected a list with one result per image');
  return raw.map((r: unknown, i) => {
    const bbox = (r as { bbox?: unknown }).bbox;
    if (typeof r !== 'object' || r === null || !Array.isArray(bbox)) return bad(i, 'has no `bbox` list (one list of [x1, y1, x2, y2, score] rows per class)');
    const out: DetResult = {
      bbox: bbox.map((rows: unknown) => {
        if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row) || row.length !== 5)) return bad(i, 'has a class whose rows are not [x1, y1, x2, y2, score]');
        return Float32Array.from((rows as number[][]).flat());
      }),
    };
    const segm = (r as { segm?: unknown }).segm;
    if (segm !== undefined) out.segm = segm as NonNullable<DetResult['segm']>;
    return out;
  });
}

/**
 * The metric dict as tools/test.py prints it: mmdet's `evaluate` returns an `OrderedDict`, whose
 * Python 3.11 repr is `OrderedDict([('bbox_mAP', 0.5), ..., ('bbox_mAP_copypaste', '0.500 ...')])`.
 */
export function formatMetricDict(metrics: Record<string, number | string>): string {
  const parts = Object.entries(metrics).map(([k, v]) => `(${pyStrRepr(k)}, ${typeof v === 'number' ? pyNumberRepr(v, true) : pyRepr(v)})`);
  return `OrderedDict([${parts.join(', ')}])`;
}

function parseOptions(tokens: readonly string[] | undefined): Record<string, unknown> {
  return tokens === undefined || tokens.length === 0 ? {} : (parseCfgOptions(tokens) as Record<string, unknown>);
}

/**
 * Runs `python tools/test.py CONFIG CHECKPOINT [options]`.
 * @throws UsageError when no operation is given or `eval` and `format_only` are combined
 */
export async function testFromConfig(opts: TestMainOptions): Promise<TestMainResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const evalMetrics = opts.eval ?? [];
  if (opts.out === undefined && evalMetrics.length === 0 && opts.format_only !== true && opts.show_dir === undefined) {
    throw new UsageError('Please specify at least one operation (save/eval/format/show the results / save the results) with the argument "--out", "--eval", "--format-only" or "--show-dir"');
  }
  if (evalMetrics.length > 0 && opts.format_only === true) throw new UsageError('--eval and --format_only cannot be both specified');
  if (opts.out !== undefined && !opts.out.endsWith('.json')) throw new UsageError(`The output file must be a json file (detkit writes JSON, not pickle), got '${opts.out}'`);

  const cfgObj = await loadConfig(opts.config, parseOptions(opts.cfg_options));
  const evalOptions = parseOptions(opts.eval_options);
  const cfg = cfgObj.toDict() as Record<string, unknown>;
  const data = (cfg.data ?? {}) as Record<string, unknown>;
  if (data.test === undefined || data.test === null) throw new DetkitError('CONFIG_MISSING_KEY', 'testing needs data.test', { configPath: 'data.test', file: opts.config });

  const model: InitializedDetector = await initDetector(cfgObj, opts.checkpoint);
  let dataset: DetDataset;
  try {
    dataset = buildDataset(data.test as never, { test_mode: true }, 'data.test');
  } catch (err) {
    model.dispose();
    throw err;
  }
  // tools/test.py: CLASSES from the checkpoint meta, else the dataset's.
  if (model.CLASSES === null) model.CLASSES = [...dataset.CLASSES];
  const loader = buildDataloader(dataset, {
    samples_per_gpu: 1,
    workers_per_gpu: (data.workers_per_gpu as number | undefined) ?? 2,
    shuffle: false,
    ...((data.test_dataloader as Record<string, unknown> | undefined) ?? {}),
  } as Parameters<typeof buildDataloader>[1]);
  const bar = new ProgressBar(dataset.length, { label: 'test ', ...(opts.progressStream === undefined ? {} : { stream: opts.progressStream as never }) });
  let results: DetResult[];
  try {
    results = await singleGpuTest(model, loader, {
      progress: false,
      onBatch: async (batch, res) => {
        if (opts.show_dir !== undefined) {
          for (let i = 0; i < res.length; i++) {
            const meta = batch.samples[i]!.meta;
            await showResult(meta.filename, res[i]!, {
              classNames: model.CLASSES ?? [],
              scoreThr: opts.show_score_thr ?? 0.3,
              outFile: join(opts.show_dir, meta.ori_filename),
            });
          }
        }
        bar.update(res.length);
      },
    });
  } finally {
    await loader.close();
    model.dispose();
  }

  if (opts.out !== undefined) {
    log(`\nwriting results to ${opts.out}`);
    dumpResults(results, opts.out);
  }
  let formatted: Record<string, string> | null = null;
  if (opts.format_only === true) {
    if (!(dataset instanceof CocoDataset)) {
      throw new DetkitError('FORMAT_UNSUPPORTED', `--format-only writes COCO json files; data.test is a ${(data.test as { type?: string }).type ?? 'dataset'}`, { configPath: 'data.test.type' });
    }
    const prefix = (evalOptions.jsonfile_prefix as string | undefined) ?? join(tmpdir(), `detkit_results_${process.pid}`, 'results');
    mkdirSync(resolve(prefix, '..'), { recursive: true });
    formatted = formatResults({ coco: dataset.coco, catIds: dataset.cat_ids, imgIds: dataset.img_ids, classes: [...dataset.CLASSES] }, results, prefix);
    for (const [k, f] of Object.entries(formatted)) log(`${k} results written to ${f}`);
  }
  let metrics: Record<string, number | string> | null = null;
  if (evalMetrics.length > 0) {
    if (dataset.evaluate === undefined) throw new DetkitError('EVAL_UNSUPPORTED', 'the test dataset has no evaluate()', { configPath: 'data.test.type' });
    const evalKwargs: Record<string, unknown> = { ...((cfg.evaluation as Record<string, unknown> | undefined) ?? {}) };
    for (const k of HOOK_ONLY_KEYS) delete evalKwargs[k];
    Object.assign(evalKwargs, { metric: evalMetrics.length === 1 ? evalMetrics[0] : evalMetrics }, evalOptions, { log });
    metrics = dataset.evaluate(results, evalKwargs);
    log(formatMetricDict(metrics));
    if (opts.work_dir !== undefined) {
      mkdirSync(opts.work_dir, { recursive: true });
      writeFileSync(join(opts.work_dir, `eval_${pyTimestamp()}.json`), JSON.stringify({ config: opts.config, metric: metrics }, null, 4));
    }
  }
  return { results, metrics, formatted };
}
