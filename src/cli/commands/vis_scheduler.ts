/**
 * @module `detkit vis-scheduler`: port of mmdetection's `tools/analysis_tools/vis_scheduler.py`
 * (3.x; 2.x has none) for mmdet 2.x configs: the learning rate and momentum of param group 0 at
 * every training iteration under the config's `optimizer`, `lr_config`, `momentum_config`,
 * `runner` and `data.samples_per_gpu`, without training.
 *
 * Output: a summary (default), exactly one JSON document `{"lr": [...], "momentum": [...]}` with
 * `--json`, and/or a PNG chart with `--out` (vega-lite → SVG → sharp).
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Config, parseCfgOptions } from '../../config/index.js';
import { simulateSchedule, type ScheduleConfig, type ScheduleCurve } from '../../engine/optim/simulate_schedule.js';
import { DetkitError, UsageError } from '../../utils/errors.js';
import { collect, type CliCommand } from '../command.js';

interface VisSchedulerOptions {
  datasetSize?: string;
  json?: boolean;
  out?: string;
  cfgOptions?: string[];
}

/** At most `max` indices that keep every point where a series changes (plus both ends). */
export function keyIndices(series: readonly number[][], max = 4000): number[] {
  const n = series[0]?.length ?? 0;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const edge = i === 0 || i === n - 1 || series.some((s) => s[i] !== s[i - 1] || s[i] !== s[i + 1]);
    if (edge) keep.push(i);
  }
  if (keep.length <= max) return keep;
  const stride = keep.length / max;
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(keep[Math.floor(k * stride)]);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/**
 * Renders the curves as a PNG: learning rate on top, momentum below (when it changes).
 * @param title chart title (config name and schedule length)
 */
export async function renderSchedulePng(curve: ScheduleCurve, title: string, out: string): Promise<void> {
  const withMomentum = new Set(curve.momentum).size > 1;
  const idx = keyIndices(withMomentum ? [curve.lr, curve.momentum] : [curve.lr]);
  const values = idx.map((i) => ({ iteration: i, lr: curve.lr[i], momentum: curve.momentum[i] }));
  const panel = (field: 'lr' | 'momentum', label: string): vl.TopLevelSpec => ({
    width: 720,
    height: 260,
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration', scale: { domain: [0, Math.max(1, curve.lr.length - 1)] } },
      y: { field, type: 'quantitative', title: label, axis: { format: '~g' }, scale: { zero: false } },
    },
  }) as unknown as vl.TopLevelSpec;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, fontSize: 14 },
    background: 'white',
    padding: 12,
    data: { values },
    vconcat: withMomentum ? [panel('lr', 'learning rate'), panel('momentum', 'momentum')] : [panel('lr', 'learning rate')],
  } as unknown as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  await sharp(Buffer.from(svg), { density: 144 }).png().toFile(out);
}

/** A few lines describing the schedule (default output). */
function summary(curve: ScheduleCurve, itersPerEpoch: number, epochBased: boolean): string {
  const n = curve.lr.length;
  const fmt = (v: number): string => Number(v.toPrecision(6)).toString();
  const lines = [`iterations: ${n}${epochBased ? ` (${n / itersPerEpoch} epochs x ${itersPerEpoch} iterations)` : ''}`];
  // A loop, not Math.max(...lr): a COCO schedule has ~10^6 iterations, beyond the argument limit.
  const max = curve.lr.reduce((a, b) => (b > a ? b : a), -Infinity);
  const min = curve.lr.reduce((a, b) => (b < a ? b : a), Infinity);
  lines.push(`lr: first ${fmt(curve.lr[0] ?? 0)}, max ${fmt(max)}, min ${fmt(min)}, last ${fmt(curve.lr[n - 1] ?? 0)}`);
  const points = epochBased ? Array.from({ length: n / itersPerEpoch }, (_, e) => e * itersPerEpoch) : Array.from({ length: 11 }, (_, k) => Math.min(n - 1, Math.round((k * (n - 1)) / 10)));
  for (const i of points) {
    const where = epochBased ? `epoch ${i / itersPerEpoch + 1} (iter ${i})` : `iter ${i}`;
    lines.push(`  ${where}: lr ${fmt(curve.lr[i])}, momentum ${fmt(curve.momentum[i])}`);
  }
  return `${lines.join('\n')}\n`;
}

const command: CliCommand = {
  summary: 'show the learning rate / momentum of every training iteration of a config (no training)',
  configure(cmd: Command) {
    cmd
      .argument('[config]', 'config file')
      .option('--dataset-size <n>', 'number of training images (iterations per epoch = ceil(n / data.samples_per_gpu))')
      .option('--json', 'print exactly one JSON document {"lr": [...], "momentum": [...]}')
      .option('--out <file>', 'draw the curves into this PNG file')
      .option('--cfg-options <key=value...>', 'override settings, e.g. lr_config.step=[16,22] runner.max_epochs=24', collect)
      .action(async (config: string | undefined, opts: VisSchedulerOptions) => {
        if (config === undefined) throw new UsageError('missing config file: detkit vis-scheduler CONFIG --dataset-size N [--json] [--out lr.png]');
        if (opts.datasetSize === undefined) throw new UsageError('--dataset-size N is required (the number of training images)');
        const size = Number(opts.datasetSize);
        if (!Number.isInteger(size) || size <= 0) throw new UsageError(`--dataset-size must be a positive integer, got '${opts.datasetSize}'`);
        let options: Record<string, unknown>;
        try {
          options = parseCfgOptions(opts.cfgOptions ?? []);
        } catch (err) {
          if (err instanceof DetkitError) throw new UsageError(err.message, { cause: err, hint: err.hint });
          throw err;
        }
        const cfg = await Config.fromFile(config);
        if (Object.keys(options).length > 0) cfg.mergeFromDict(options);
        const dict = cfg.dict as unknown as ScheduleConfig;
        const curve = simulateSchedule(dict, size);
        const epochBased = (dict.runner?.type ?? 'EpochBasedRunner') === 'EpochBasedRunner';
        const itersPerEpoch = Math.ceil(size / ((dict.data?.samples_per_gpu as number) * (dict.gpu_ids?.length ?? 1)));
        if (opts.out !== undefined) {
          const length = epochBased ? `${curve.lr.length / itersPerEpoch} epochs x ${itersPerEpoch} iters` : `${curve.lr.length} iters`;
          await renderSchedulePng(curve, `${basename(config)}: ${String(dict.lr_config?.policy ?? 'fixed')} schedule, ${length}`, opts.out);
        }
        if (opts.json === true) process.stdout.write(`${JSON.stringify(curve)}\n`);
        else process.stdout.write(summary(curve, itersPerEpoch, epochBased) + (opts.out !== undefined ? `saved ${opts.out}\n` : ''));
      });
  },
};
export default command;
