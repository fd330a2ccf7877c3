/**
 * @module Port of `mmcv/runner/log_buffer.py` @ v1.7.2: the per-phase buffer of logged scalars.
 */
import { ValueError } from '../utils/errors.js';
import type { LogBufferLike } from './types.js';

/**
 * Keeps every logged value with its weight (`count`, the batch size) and averages the last `n`
 * entries on demand. Hooks read {@link LogBuffer.output} after {@link LogBuffer.average}.
 *
 * @example
 * const buf = new LogBuffer();
 * buf.update({ loss: 1 }, 2); buf.update({ loss: 2 }, 2); buf.update({ loss: 3 }, 4);
 * buf.average(2); // buf.output.loss === 16 / 6
 */
export class LogBuffer implements LogBufferLike {
  /** name → values in update order (keys keep first-insertion order). */
  readonly val_history = new Map<string, number[]>();
  /** name → counts parallel to {@link val_history}. */
  readonly n_history = new Map<string, number[]>();
  /** name → averaged value (also written directly by EvalHook). */
  output: Record<string, number> = {};
  /** True once `average()` ran (or a hook put results into `output`). */
  ready = false;

  /** Clears histories and output. */
  clear(): void {
    this.val_history.clear();
    this.n_history.clear();
    this.clear_output();
  }

  /** Clears the output only; histories are kept. */
  clear_output(): void {
    this.output = {};
    this.ready = false;
  }

  /**
   * Appends each value with weight `count`.
   * @param vars name → plain number (a loss term, a time in seconds, ...)
   * @param count weight of these values in later averages (mmdet: the batch size)
   */
  update(vars: Record<string, number>, count = 1): void {
    for (const [key, value] of Object.entries(vars)) {
      let vals = this.val_history.get(key);
      let ns = this.n_history.get(key);
      if (vals === undefined || ns === undefined) {
        vals = [];
        ns = [];
        this.val_history.set(key, vals);
        this.n_history.set(key, ns);
      }
      vals.push(value);
      ns.push(count);
    }
  }

  /**
   * Writes the count-weighted mean of the last `n` entries of every key into `output`
   * (`n = 0`: all entries, as Python's `list[-0:]`), and sets `ready`.
   */
  average(n = 0): void {
    if (!Number.isInteger(n) || n < 0) throw new ValueError('LOG_BUFFER_BAD_N', `n must be a non-negative integer, got ${n}`);
    for (const [key, vals] of this.val_history) {
      const ns = this.n_history.get(key) ?? [];
      const start = n === 0 ? 0 : Math.max(0, vals.length - n);
      let sum = 0;
      let cnt = 0;
      for (let i = start; i < vals.length; i++) {
        sum += vals[i]! * ns[i]!;
        cnt += ns[i]!;
      }
      this.output[key] = sum / cnt;
    }
    this.ready = true;
  }
}
