/**
 * @module Port of `mmcv/runner/hooks/logger/text.py` @ v1.7.2 (`TextLoggerHook`).
 *
 * Console line (train, by epoch):
 * `Epoch [1][50/1000]\tlr: 1.978e-03, eta: 1:39:35, time: 0.500, data_time: 0.010, loss_cls: 0.3000, loss: 0.5000`
 * JSON line in `work_dir/<timestamp>.log.json`:
 * `{"mode": "train", "epoch": 1, "iter": 50, "lr": 0.00198, "data_time": 0.01, "loss_cls": 0.3, "loss": 0.5, "time": 0.5}`
 * The first JSON line is `runner.meta`.
 *
 * Porting note: mmcv adds `memory` (max CUDA MB) when CUDA is available; tfjs has no CUDA, so
 * there is no `memory` key, exactly as mmcv on a CPU machine.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pyExp, pyFixed, pyJsonDumps, pyRound, pyTimedelta } from '../../logging/py_format.js';
import type { RunnerLike } from '../../types.js';
import { LoggerHook, type LoggerHookConfig } from './base.js';

/** `log_config.hooks[i]` of type `TextLoggerHook`. */
export interface TextLoggerHookConfig extends LoggerHookConfig {
  /** Print `Exp name: <meta.exp_name>` every this many iterations (and at each epoch end). */
  interval_exp_name?: number;
  /** Copy the log files to `out_dir/<basename(work_dir)>` at the end of the run. */
  out_dir?: string | null;
  /** Suffixes of the work_dir files copied to `out_dir`. */
  out_suffix?: string | string[];
  /** Keep the local copies when `out_dir` is set. */
  keep_local?: boolean;
}

const INT_KEYS = new Set(['epoch', 'iter', 'memory']);
const SKIPPED = new Set(['mode', 'Epoch', 'iter', 'lr', 'time', 'data_time', 'memory', 'epoch']);

/** Logs buffer averages as text lines (console and `.log`) and JSON lines (`.log.json`). */
export class TextLoggerHook extends LoggerHook {
  static override readonly type: string = 'TextLoggerHook';
  readonly interval_exp_name: number;
  private readonly outDirOption: string | null;
  private readonly outSuffix: string[];
  private readonly keepLocal: boolean;
  private outDir: string | null = null;
  private start_iter = 0;
  private time_sec_tot = 0;
  /** Path of the JSON log (empty without a work_dir). */
  json_log_path = '';

  constructor(cfg: TextLoggerHookConfig = {}) {
    super(cfg);
    this.interval_exp_name = cfg.interval_exp_name ?? 1000;
    this.outDirOption = cfg.out_dir ?? null;
    const suf = cfg.out_suffix ?? ['.log.json', '.log', '.py'];
    this.outSuffix = typeof suf === 'string' ? [suf] : suf;
    this.keepLocal = cfg.keep_local ?? true;
  }

  override before_run(runner: RunnerLike): void {
    super.before_run(runner);
    if (this.outDirOption !== null && runner.work_dir !== '') {
      this.outDir = join(resolve(this.outDirOption), basename(runner.work_dir));
      runner.logger.info(`Text logs will be saved to ${this.outDir} by HardDiskBackend after the training process.`);
    }
    this.start_iter = runner.iter;
    if (runner.work_dir === '') return;
    this.json_log_path = join(runner.work_dir, `${runner.timestamp}.log.json`);
    this.dumpLog(runner.meta, true);
  }

  /** Formats and writes one record (console/`.log` via the runner logger, JSON line). */
  log(runner: RunnerLike): void {
    const output = runner.log_buffer.output as Record<string, unknown>;
    let curIter: number;
    if ('eval_iter_num' in output) {
      curIter = Number(output.eval_iter_num);
      delete output.eval_iter_num;
    } else {
      curIter = this.getIter(runner, true);
    }
    const record: Record<string, unknown> = { mode: this.getMode(runner), epoch: this.getEpoch(runner), iter: curIter };
    if (runner.optimizer !== null) record.lr = runner.current_lr()[0];
    for (const [k, v] of Object.entries(output)) record[k] = v;
    this.logInfo(record, runner);
    this.dumpLog(record, false);
  }

  private logInfo(rec: Record<string, unknown>, runner: RunnerLike): void {
    const exp = runner.meta.exp_name;
    if (exp !== undefined && (this.every_n_iters(runner, this.interval_exp_name) || (this.by_epoch && this.end_of_epoch(runner)))) {
      runner.logger.info(`Exp name: ${String(exp)}`);
    }
    let s: string;
    if (rec.mode === 'train') {
      s = this.by_epoch ? `Epoch [${rec.epoch}][${rec.iter}/${runner.data_loader?.length ?? 0}]\t` : `Iter [${rec.iter}/${runner.max_iters}]\t`;
      if (typeof rec.lr === 'number') s += `lr: ${pyExp(rec.lr, 3)}, `;
      if (typeof rec.time === 'number') {
        this.time_sec_tot += rec.time * this.interval;
        const avg = this.time_sec_tot / (runner.iter - this.start_iter + 1);
        const eta = avg * (runner.max_iters - runner.iter - 1);
        s += `eta: ${pyTimedelta(eta)}, `;
        s += `time: ${pyFixed(rec.time, 3)}, data_time: ${pyFixed(Number(rec.data_time ?? 0), 3)}, `;
      }
    } else {
      s = this.by_epoch ? `Epoch(val) [${rec.epoch}][${rec.iter}]\t` : `Iter(val) [${rec.iter}]\t`;
    }
    const items: string[] = [];
    for (const [k, v] of Object.entries(rec)) {
      if (SKIPPED.has(k)) continue;
      items.push(`${k}: ${typeof v === 'number' ? pyFixed(v, 4) : String(v)}`);
    }
    s += items.join(', ');
    runner.logger.info(s);
  }

  private dumpLog(rec: Record<string, unknown>, isMeta: boolean): void {
    if (this.json_log_path === '') return;
    const rounded: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      rounded[k] = typeof v === 'number' ? pyRound(v, 5) : Array.isArray(v) ? v.map((x: unknown) => (typeof x === 'number' ? pyRound(x, 5) : x)) : v;
    }
    // Porting note: JS numbers have no int/float split; in the meta line integers print as ints,
    // in records only epoch/iter/memory do (mmcv's buffer averages are always floats).
    const intKeys = isMeta ? 'all' : INT_KEYS;
    appendFileSync(this.json_log_path, `${pyJsonDumps(rounded, intKeys)}\n`);
  }

  override after_run(runner: RunnerLike): void {
    if (this.outDir === null || runner.work_dir === '') return;
    mkdirSync(this.outDir, { recursive: true });
    for (const name of readdirSync(runner.work_dir, { recursive: true }) as string[]) {
      if (!this.outSuffix.some((suf) => name.endsWith(suf))) continue;
      const src = join(runner.work_dir, name);
      if (!existsSync(src)) continue;
      cpSync(src, join(this.outDir, name));
      runner.logger.info(`The file ${src} has been uploaded to ${join(this.outDir, name)}.`);
      if (!this.keepLocal) {
        rmSync(src);
        runner.logger.info(`${src} was removed due to the \`keep_local=False\``);
      }
    }
  }
}
