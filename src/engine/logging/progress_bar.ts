/**
 * @module Port of `mmcv/utils/progressbar.py` `ProgressBar` @ v1.7.2, for long val/test passes.
 *
 * On a TTY with a known width it draws a cli-progress bar; otherwise (CI, pipes, files) it
 * prints a plain line `[done/total] elapsed: Ns, ETA: Ns, R tasks/s` at most every
 * `min_interval` seconds and at the end (a redrawn bar would fill logs with control codes).
 */
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Stream written to. Default `process.stdout`. */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Seconds between plain lines (non-TTY). Default 10. */
  min_interval?: number;
  /** Label in front of plain lines. */
  label?: string;
}

/** Counts finished tasks out of `total` and shows progress. */
export class ProgressBar {
  readonly total: number;
  completed = 0;
  private readonly stream: NonNullable<ProgressBarOptions['stream']>;
  private readonly bar: cliProgress.SingleBar | null;
  private readonly minInterval: number;
  private readonly label: string;
  private readonly start = performance.now();
  private lastLine = -Infinity;

  constructor(total: number, options: ProgressBarOptions = {}) {
    this.total = total;
    this.stream = options.stream ?? process.stdout;
    this.minInterval = options.min_interval ?? 10;
    this.label = options.label ?? '';
    const tty = this.stream.isTTY === true && (this.stream.columns ?? 0) > 0;
    if (tty) {
      this.bar = new cliProgress.SingleBar(
        { stream: this.stream as NodeJS.WriteStream, format: `${this.label}[{bar}] {value}/{total}, {speed} task/s, elapsed: {duration}s, ETA: {eta}s`, hideCursor: false },
        cliProgress.Presets.legacy,
      );
      this.bar.start(total, 0, { speed: '0.0' });
    } else {
      this.bar = null;
    }
  }

  /** Marks `n` more tasks done. */
  update(n = 1): void {
    this.completed += n;
    const elapsed = (performance.now() - this.start) / 1000;
    const speed = elapsed > 0 ? this.completed / elapsed : 0;
    if (this.bar !== null) {
      this.bar.update(this.completed, { speed: speed.toFixed(1) });
      if (this.completed >= this.total) this.bar.stop();
      return;
    }
    const done = this.completed >= this.total;
    if (!done && elapsed - this.lastLine < this.minInterval) return;
    this.lastLine = elapsed;
    const eta = speed > 0 ? Math.max(0, (this.total - this.completed) / speed) : 0;
    this.stream.write(`${this.label}[${this.completed}/${this.total}] elapsed: ${Math.round(elapsed)}s, ETA: ${Math.round(eta)}s, ${speed.toFixed(1)} tasks/s\n`);
  }
}
