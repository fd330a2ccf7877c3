/**
 * @module Port of mmdetection's `tools/analysis_tools/analyze_logs.py` @ v2.28.2: `.log.json`
 * parsing, `cal_train_time` and `plot_curve`.
 *
 * Porting note: plots are rendered with vega-lite → SVG → sharp (PNG) instead of matplotlib/seaborn;
 * the curves (x values, y values, legend labels) are the ones analyze_logs.py plots.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { FileNotFoundError, KeyError, ValueError } from '../utils/errors.js';

/** One epoch's records of a log: per key, the values in file order (mmdet `defaultdict(list)`). */
export type EpochLog = Map<string, unknown[]>;
/** A parsed `.log.json`: epoch → {@link EpochLog}, in first-seen order. */
export type LogDict = Map<number, EpochLog>;

/**
 * mmdet `load_json_logs`: skips the first line (env/meta info) and lines without `epoch`, and
 * gathers every other key's values by epoch.
 * @throws FileNotFoundError `LOG_NOT_FOUND`; ValueError `LOG_BAD_JSON` naming the file and line
 */
export function loadJsonLogs(files: readonly string[]): LogDict[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new FileNotFoundError('LOG_NOT_FOUND', `log file not found: ${file}`, { file, cause: err });
    }
    const dict: LogDict = new Map();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (i === 0 || line === '') continue;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new ValueError('LOG_BAD_JSON', `${file}:${i + 1} is not a JSON record: ${(err as Error).message}`, { file, cause: err });
      }
      if (!('epoch' in rec)) continue;
      const epoch = Number(rec.epoch);
      let e = dict.get(epoch);
      if (e === undefined) dict.set(epoch, (e = new Map()));
      for (const [k, v] of Object.entries(rec)) {
        if (k === 'epoch') continue;
        let vs = e.get(k);
        if (vs === undefined) e.set(k, (vs = []));
        vs.push(v);
      }
    }
    return dict;
  });
}

/** Train-time statistics of one log (mmdet `cal_train_time`). */
export interface TrainTimeStats {
  /** 1-based index of the slowest / fastest epoch (position in the log, as mmdet prints it). */
  slowest_epoch: number;
  slowest_time: number;
  fastest_epoch: number;
  fastest_time: number;
  /** Population standard deviation of the per-epoch mean times. */
  std_over_epochs: number;
  /** Mean of every counted `time` value (s/iter). */
  average_iter_time: number;
}

/**
 * mmdet `cal_train_time` for one log: per epoch the mean of its `time` values (the first one
 * dropped unless `includeOutliers`), then slowest/fastest epoch, std over epochs and the mean
 * over all values.
 * @throws KeyError `LOG_NO_TIMES` when no epoch has a timed iteration to count
 */
export function calTrainTime(log: LogDict, includeOutliers = false): TrainTimeStats {
  const all: number[][] = [];
  for (const e of log.values()) {
    const t = (e.get('time') ?? []).map(Number);
    all.push(includeOutliers ? t : t.slice(1));
  }
  if (all.length === 0 || all.every((t) => t.length === 0)) {
    throw new KeyError('LOG_NO_TIMES', 'Please reduce the log interval in the config so that interval is less than iterations of one epoch.');
  }
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const epochAve = all.map(mean);
  let slow = 0;
  let fast = 0;
  for (let i = 1; i < epochAve.length; i++) {
    if (epochAve[i]! > epochAve[slow]!) slow = i;
    if (epochAve[i]! < epochAve[fast]!) fast = i;
  }
  const m = mean(epochAve);
  const std = Math.sqrt(mean(epochAve.map((x) => (x - m) ** 2)));
  return {
    slowest_epoch: slow + 1,
    slowest_time: epochAve[slow]!,
    fastest_epoch: fast + 1,
    fastest_time: epochAve[fast]!,
    std_over_epochs: std,
    average_iter_time: mean(all.flat()),
  };
}

/** The lines analyze_logs.py prints for one log's {@link TrainTimeStats}. */
export function formatTrainTime(file: string, s: TrainTimeStats): string {
  return [
    `${'-'.repeat(5)}Analyze train time of ${file}${'-'.repeat(5)}`,
    `slowest epoch ${s.slowest_epoch}, average time is ${s.slowest_time.toFixed(4)}`,
    `fastest epoch ${s.fastest_epoch}, average time is ${s.fastest_time.toFixed(4)}`,
    `time std over epochs is ${s.std_over_epochs.toFixed(4)}`,
    `average iter time: ${s.average_iter_time.toFixed(4)} s/iter`,
    '',
  ].join('\n');
}

/** One plotted curve: `xs` (epoch for mAP keys, global iteration otherwise) against `ys`. */
export interface Curve {
  legend: string;
  metric: string;
  xLabel: 'epoch' | 'iter';
  xs: number[];
  ys: number[];
}

/**
 * The curves of mmdet `plot_curve`: for a key containing `mAP`, its values against the epochs that
 * have a `val` record; for other keys (losses, lr) their values against
 * `iter + (epoch − 1) × iters_per_epoch`, with `iters_per_epoch` the second-last logged `iter` of the
 * first epoch and an epoch's trailing val record left out.
 * @param legend one label per (log, key); default `<log>_<key>`
 * @throws KeyError `LOG_MISSING_METRIC` when a log lacks a key (mmdet's message and hint)
 */
export function curvesOf(files: readonly string[], logs: readonly LogDict[], keys: readonly string[], legend?: readonly string[], evalInterval = 1): Curve[] {
  const labels = legend ?? files.flatMap((f) => keys.map((k) => `${f}_${k}`));
  if (labels.length !== files.length * keys.length) {
    throw new ValueError('LOG_BAD_LEGEND', `--legend needs ${files.length * keys.length} labels (one per log and key), got ${labels.length}`);
  }
  const curves: Curve[] = [];
  logs.forEach((log, i) => {
    const epochs = [...log.keys()];
    keys.forEach((metric, j) => {
      const probe = log.get(epochs[evalInterval - 1]!);
      if (probe === undefined || !probe.has(metric)) {
        const hint = metric.includes('mAP')
          ? 'Please check if "--no-validate" is specified when you trained the model.'
          : 'Please reduce the log interval in the config so that interval is less than iterations of one epoch.';
        throw new KeyError('LOG_MISSING_METRIC', `${files[i]} does not contain metric ${metric}. ${hint}`, { file: files[i] });
      }
      const xs: number[] = [];
      const ys: number[] = [];
      if (metric.includes('mAP')) {
        for (const ep of epochs) {
          const e = log.get(ep)!;
          ys.push(...(e.get(metric) ?? []).map(Number));
          if ((e.get('mode') ?? []).includes('val')) xs.push(ep);
        }
        curves.push({ legend: labels[i * keys.length + j]!, metric, xLabel: 'epoch', xs, ys });
      } else {
        const first = log.get(epochs[0]!)!.get('iter') ?? [];
        const perEpoch = Number(first[first.length - 2] ?? first[first.length - 1] ?? 0);
        for (const ep of epochs) {
          const e = log.get(ep)!;
          let iters = (e.get('iter') ?? []).map(Number);
          const modes = e.get('mode') ?? [];
          if (modes[modes.length - 1] === 'val') iters = iters.slice(0, -1);
          const vals = (e.get(metric) ?? []).map(Number);
          for (let k = 0; k < iters.length && k < vals.length; k++) {
            xs.push(iters[k]! + (ep - 1) * perEpoch);
            ys.push(vals[k]!);
          }
        }
        curves.push({ legend: labels[i * keys.length + j]!, metric, xLabel: 'iter', xs, ys });
      }
    });
  });
  return curves;
}

/**
 * Renders curves as a PNG line chart (axes labelled, one coloured line per legend entry, mAP
 * curves with point markers).
 */
export async function plotCurves(curves: readonly Curve[], out: string, title?: string): Promise<void> {
  const values = curves.flatMap((c) => c.xs.map((x, k) => ({ x, y: c.ys[k], series: c.legend })));
  const xLabel = curves.every((c) => c.xLabel === 'epoch') ? 'epoch' : 'iter';
  const yLabel = [...new Set(curves.map((c) => c.metric))].join(', ');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(title === undefined ? {} : { title: { text: title, fontSize: 14 } }),
    background: 'white',
    padding: 12,
    width: 640,
    height: 360,
    data: { values },
    mark: { type: 'line', strokeWidth: curves.some((c) => c.xLabel === 'epoch') ? 2 : 1, point: xLabel === 'epoch' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel, axis: { format: '~g', tickMinStep: 1 } },
      y: { field: 'y', type: 'quantitative', title: yLabel, axis: { format: '~g' }, scale: { zero: false } },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: curves.map((c) => c.legend) },
        legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0, symbolStrokeWidth: 3 },
      },
    },
  } as unknown as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  await sharp(Buffer.from(svg), { density: 144 }).png().toFile(out);
}
