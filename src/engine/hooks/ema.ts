/**
 * @module Port of `mmcv/runner/hooks/ema.py` @ v1.7.2 (`EMAHook`).
 *
 * `ema = (1 - m) * ema + m * param` every `interval` iterations, with
 * `m = min(momentum ** interval, (1 + iter) / (warm_up + iter))`. EMA weights are swapped into the
 * model at `after_train_epoch` (so a later checkpoint/eval hook sees them — give this hook a higher
 * priority, e.g. 49) and swapped back at `before_train_epoch`.
 *
 * Porting note: mmcv registers the EMA tensors as model buffers named `ema_<name with . → _>`;
 * here the hook owns them and checkpoints store them under those same names.
 */
import { tf } from '../../backend/index.js';
import { ValueError } from '../../utils/errors.js';
import type { TensorStatefulHook } from '../checkpoint/hook_states.js';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';

/** `custom_hooks=[dict(type='EMAHook', ...)]`. */
export interface EMAHookConfig {
  /** Weight of the new parameter value, in (0, 1). */
  momentum?: number;
  /** Update every this many iterations. */
  interval?: number;
  /** Iterations over which the momentum warms up. */
  warm_up?: number;
  /** A checkpoint to resume at `before_run` (mmcv's late resume). */
  resume_from?: string | null;
}

/** The runner methods this hook calls beyond {@link RunnerLike}. */
interface ResumingRunner extends RunnerLike {
  resume(file: string): unknown;
}

/** Keeps an exponential moving average of the model parameters. */
export class EMAHook extends Hook implements TensorStatefulHook {
  static override readonly type: string = 'EMAHook';
  readonly tensorStatePrefix = 'ema_';
  readonly momentum: number;
  readonly interval: number;
  readonly warm_up: number;
  private readonly resumeFrom: string | null;
  /** parameter name → EMA buffer name. */
  private bufferNames = new Map<string, string>();
  private buffers = new Map<string, tf.Variable>();
  private params = new Map<string, tf.Variable>();
  /** Buffers read from a checkpoint before `before_run` created ours. */
  private pending: Map<string, tf.Tensor> | null = null;

  /** @throws ValueError `EMA_BAD_ARGS` for `interval` not a positive int or momentum outside (0, 1) */
  constructor(cfg: EMAHookConfig = {}) {
    super();
    const momentum = cfg.momentum ?? 0.0002;
    const interval = cfg.interval ?? 1;
    if (!Number.isInteger(interval) || interval <= 0) throw new ValueError('EMA_BAD_ARGS', `interval must be a positive integer, got ${interval}`, { configPath: 'interval' });
    if (!(momentum > 0 && momentum < 1)) throw new ValueError('EMA_BAD_ARGS', `momentum must be in (0, 1), got ${momentum}`, { configPath: 'momentum' });
    this.momentum = momentum ** interval;
    this.interval = interval;
    this.warm_up = cfg.warm_up ?? 100;
    this.resumeFrom = cfg.resume_from ?? null;
  }

  override before_run(runner: RunnerLike): void {
    this.disposeBuffers();
    this.params = runner.model.namedParameters();
    for (const [name, p] of this.params) {
      const bufName = `ema_${name.replaceAll('.', '_')}`;
      this.bufferNames.set(name, bufName);
      const saved = this.pending?.get(bufName);
      this.buffers.set(bufName, tf.variable(saved ?? p, false, `${bufName}_${p.id}`));
    }
    for (const t of this.pending?.values() ?? []) t.dispose();
    this.pending = null;
    if (this.resumeFrom !== null) (runner as ResumingRunner).resume(this.resumeFrom);
  }

  override after_train_iter(runner: RunnerLike): void {
    const step = runner.iter;
    const m = Math.min(this.momentum, (1 + step) / (this.warm_up + step));
    if (step % this.interval !== 0) return;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const buf = this.buffers.get(this.bufferNames.get(name)!)!;
        buf.assign(tf.add(tf.mul(buf, 1 - m), tf.mul(p, m)));
      }
    });
  }

  override after_train_epoch(_runner: RunnerLike): void {
    this.swap();
  }
  override before_train_epoch(_runner: RunnerLike): void {
    this.swap();
  }

  private swap(): void {
    for (const [name, p] of this.params) {
      const buf = this.buffers.get(this.bufferNames.get(name)!)!;
      const tmp = tf.clone(p);
      p.assign(buf);
      buf.assign(tmp);
      tmp.dispose();
    }
  }

  /** Frees the buffers (the model keeps the EMA weights swapped in by the last epoch). */
  override after_run(_runner: RunnerLike): void {
    this.dispose();
  }

  /** The EMA buffers by checkpoint name (live references). */
  tensorStateDict(): Map<string, tf.Tensor> {
    return new Map(this.buffers);
  }

  /** Copies saved buffers in (kept until `before_run` if the buffers do not exist yet). */
  loadTensorStateDict(state: Map<string, tf.Tensor>): void {
    if (this.buffers.size === 0) {
      for (const t of this.pending?.values() ?? []) t.dispose();
      this.pending = new Map([...state].map(([k, t]) => [k, tf.clone(t)]));
      return;
    }
    for (const [k, t] of state) this.buffers.get(k)?.assign(t);
  }

  /** Frees the EMA buffers. */
  dispose(): void {
    this.disposeBuffers();
    for (const t of this.pending?.values() ?? []) t.dispose();
    this.pending = null;
  }

  private disposeBuffers(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
    this.bufferNames.clear();
  }
}
