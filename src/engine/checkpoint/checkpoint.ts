/**
 * @module Port of `mmcv/runner/checkpoint.py` @ v1.7.2 (`save_checkpoint`, `load_checkpoint`) and
 * mmdet's `find_latest_checkpoint`, on safetensors files (design.md §5).
 *
 * A checkpoint holds the model's state dict under mmdet's parameter names, optimizer state tensors
 * under `optimizer.<key>`, tensor states of hooks (EMA buffers `ema_*`), and in
 * `__metadata__.meta` the JSON meta: `epoch`, `iter` (completed counts), `config`, `CLASSES`,
 * `detkit_version`, `time`, `hook_msgs`, `hook_states`, `optimizer` (`type` + `param_groups`).
 */
import { copyFileSync, existsSync, linkSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tf } from '../../backend/index.js';
import { DetkitError } from '../../utils/errors.js';
import { detkitVersion } from '../../utils/env.js';
import type { Hook } from '../hooks/hook.js';
import { pyTimeAsctime } from '../logging/py_format.js';
import type { Optimizer, ParamGroup } from '../optim/types.js';
import type { LoggerLike, TrainableModel } from '../types.js';
import { collectHookStates, isTensorStateful, type TensorStatefulHook } from './hook_states.js';
import { readSafetensors, readSafetensorsMetadata, writeSafetensors, type SafeDtype, type SafeTensor } from './safetensors.js';

/** Name of the pointer file to the newest checkpoint. */
export const LATEST_NAME = 'latest.safetensors';
/** Prefix of optimizer state tensors. */
export const OPTIMIZER_PREFIX = 'optimizer.';

function toSafe(t: tf.Tensor): SafeTensor {
  const data = t.dataSync();
  const dtype: SafeDtype = t.dtype === 'float32' ? 'F32' : t.dtype === 'int32' ? 'I32' : t.dtype === 'bool' ? 'BOOL' : 'F32';
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') throw new DetkitError('CHECKPOINT_BAD_TENSOR', `cannot save a ${t.dtype} tensor`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { dtype, shape: [...t.shape], data: bytes };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Converts a stored tensor to tfjs: floats → float32, integers → int32, BOOL → bool. */
function fromSafe(t: SafeTensor): tf.Tensor {
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const n = t.shape.reduce((a, b) => a * b, 1);
  switch (t.dtype) {
    case 'F32':
      return tf.tensor(new Float32Array(t.data.buffer, t.data.byteOffset, n), t.shape, 'float32');
    case 'I32':
      return tf.tensor(new Int32Array(t.data.buffer, t.data.byteOffset, n), t.shape, 'int32');
    case 'BOOL':
      return tf.tensor(Uint8Array.from(t.data), t.shape, 'bool');
    default: {
      const isFloat = t.dtype === 'F64' || t.dtype === 'F16';
      const out = isFloat ? new Float32Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) {
        switch (t.dtype) {
          case 'F64': out[i] = dv.getFloat64(i * 8, true); break;
          case 'F16': out[i] = halfToFloat(dv.getUint16(i * 2, true)); break;
          case 'I64': out[i] = Number(dv.getBigInt64(i * 8, true)); break;
          case 'I16': out[i] = dv.getInt16(i * 2, true); break;
          case 'I8': out[i] = dv.getInt8(i); break;
          case 'U8': out[i] = dv.getUint8(i); break;
        }
      }
      return tf.tensor(out, t.shape, isFloat ? 'float32' : 'int32');
    }
  }
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Optimizer whose state is saved; `null` saves none (`save_optimizer=False`). */
  optimizer?: Optimizer | null;
  /** Run meta (epoch, iter, config, hook_msgs, ...). */
  meta?: Record<string, unknown>;
  /** Hooks whose states are saved (JSON in meta, tensors at top level). */
  hooks?: readonly Hook[];
  /** Also point `latest.safetensors` at this file. Default true. */
  latest?: boolean;
}

/**
 * Writes a checkpoint atomically (temp file, fsync, rename); then, if `latest`, replaces
 * `latest.safetensors` in the same folder by a hard link to it (a copy where links fail), also
 * via a temp name and a rename, so `latest` is always a complete file.
 */
export async function saveCheckpoint(model: TrainableModel, file: string, options: SaveCheckpointOptions = {}): Promise<void> {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, t] of model.stateDict()) tensors.set(name, toSafe(t));
  for (const hook of options.hooks ?? []) {
    if (isTensorStateful(hook)) for (const [name, t] of hook.tensorStateDict()) tensors.set(name, toSafe(t));
  }
  const meta: Record<string, unknown> = { ...(options.meta ?? {}), detkit_version: detkitVersion(), time: pyTimeAsctime() };
  const classes = (model as { CLASSES?: unknown }).CLASSES;
  if (classes !== undefined && classes !== null) meta.CLASSES = classes;
  if (options.hooks !== undefined) meta.hook_states = collectHookStates(options.hooks);
  const opt = options.optimizer ?? null;
  // `optimizer.stateDict()` returns fresh tensors owned by the caller (model.stateDict() returns
  // the live variables, which are not disposed here).
  const optState = opt === null ? null : opt.stateDict();
  try {
    if (opt !== null && optState !== null) {
      for (const [k, t] of optState.state) tensors.set(`${OPTIMIZER_PREFIX}${k}`, toSafe(t));
      meta.optimizer = { type: opt.type, param_groups: optState.param_groups };
    }
    writeSafetensors(file, tensors, { format: 'detkit', meta: JSON.stringify(meta) });
  } finally {
    for (const t of optState?.state.values() ?? []) t.dispose();
  }
  if (options.latest ?? true) pointLatest(file);
}

function pointLatest(file: string): void {
  const dir = dirname(file);
  const latest = join(dir, LATEST_NAME);
  if (basename(file) === LATEST_NAME) return;
  const tmp = join(dir, `.${LATEST_NAME}.tmp-${process.pid}`);
  rmSync(tmp, { force: true });
  try {
    linkSync(file, tmp);
  } catch {
    copyFileSync(file, tmp);
  }
  renameSync(tmp, latest);
}

/** A checkpoint read into tensors. Call `dispose()` when done with `optimizer`. */
export interface LoadedCheckpoint {
  meta: Record<string, unknown>;
  /** Model keys absent from the checkpoint (`num_batches_tracked` ignored). */
  missing: string[];
  /** Checkpoint keys the model does not have. */
  unexpected: string[];
  /** Optimizer state (tensors by key without the `optimizer.` prefix) and param groups, or null. */
  optimizer: { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] } | null;
  /** Frees the optimizer state tensors. */
  dispose(): void;
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** Throw on missing/unexpected keys or shape mismatches instead of warning. Default false. */
  strict?: boolean;
  /** `[regex, replacement]` applied to every key. Default strips a leading `module.`. */
  revise_keys?: ReadonlyArray<readonly [RegExp | string, string]>;
  logger?: LoggerLike;
  /** Keep the optimizer state in the result (resume). Default false. */
  keepOptimizer?: boolean;
  /** Tensor-stateful hooks (EMA) that take their tensors before the model is loaded. */
  hooks?: readonly Hook[];
}

/** Reads the meta of a checkpoint (validating the header only). */
export function readCheckpointMeta(file: string): Record<string, unknown> {
  const md = readSafetensorsMetadata(file);
  try {
    return md.meta === undefined ? {} : (JSON.parse(md.meta) as Record<string, unknown>);
  } catch (err) {
    throw new DetkitError('CHECKPOINT_BAD_HEADER', `${file}: __metadata__.meta is not valid JSON`, { file, cause: err });
  }
}

/**
 * Loads a checkpoint's weights into `model` (mmcv `load_checkpoint`): keys revised, shapes
 * checked, then a `The model and loaded state dict do not match exactly` report that is
 * thrown (`strict`) or logged as a warning.
 * @throws FileNotFoundError `CHECKPOINT_NOT_FOUND`; DetkitError `CHECKPOINT_*` for corrupt files;
 *   DetkitError `CHECKPOINT_STATE_MISMATCH` in strict mode
 */
export function loadCheckpoint(model: TrainableModel, file: string, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  const raw = readSafetensors(file);
  let meta: Record<string, unknown> = {};
  try {
    if (raw.metadata.meta !== undefined) meta = JSON.parse(raw.metadata.meta) as Record<string, unknown>;
  } catch (err) {
    throw new DetkitError('CHECKPOINT_BAD_HEADER', `${file}: __metadata__.meta is not valid JSON`, { file, cause: err });
  }
  const revise = options.revise_keys ?? [[/^module\./, '']];
  const weights = new Map<string, SafeTensor>();
  const optState = new Map<string, SafeTensor>();
  const hookTensors = new Map<string, SafeTensor>();
  const tensorHooks = (options.hooks ?? []).filter((h): h is Hook & TensorStatefulHook => isTensorStateful(h));
  for (const [name, t] of raw.tensors) {
    if (name.startsWith(OPTIMIZER_PREFIX) && meta.optimizer !== undefined) optState.set(name.slice(OPTIMIZER_PREFIX.length), t);
    else if (tensorHooks.some((h) => name.startsWith(h.tensorStatePrefix))) hookTensors.set(name, t);
    else {
      let key = name;
      for (const [re, rep] of revise) key = key.replace(typeof re === 'string' ? new RegExp(re) : re, rep);
      weights.set(key, t);
    }
  }
  const current = model.stateDict();
  const missing = [...current.keys()].filter((k) => !weights.has(k) && !k.includes('num_batches_tracked'));
  const unexpected = [...weights.keys()].filter((k) => !current.has(k));
  const shapeErrors: string[] = [];
  const toLoad = new Map<string, tf.Tensor>();
  try {
    for (const [k, t] of weights) {
      const cur = current.get(k);
      if (cur === undefined) continue;
      if (cur.shape.length !== t.shape.length || cur.shape.some((d, i) => d !== t.shape[i])) {
        shapeErrors.push(`size mismatch for ${k}: copying a param with shape [${t.shape.join(', ')}] from checkpoint, the shape in current model is [${cur.shape.join(', ')}].`);
        continue;
      }
      toLoad.set(k, fromSafe(t));
    }
    const errs: string[] = [];
    if (unexpected.length > 0) errs.push(`unexpected key in source state_dict: ${unexpected.join(', ')}\n`);
    if (missing.length > 0) errs.push(`missing keys in source state_dict: ${missing.join(', ')}\n`);
    if (errs.length + shapeErrors.length > 0) {
      const message = ['The model and loaded state dict do not match exactly\n', ...errs, ...shapeErrors].join('\n');
      if (options.strict === true) throw new DetkitError('CHECKPOINT_STATE_MISMATCH', message, { file });
      options.logger?.warn(message);
    }
    model.loadStateDict(toLoad, { strict: false });
  } finally {
    for (const t of toLoad.values()) t.dispose();
  }
  for (const h of tensorHooks) {
    const mine = new Map<string, tf.Tensor>();
    for (const [k, t] of hookTensors) if (k.startsWith(h.tensorStatePrefix)) mine.set(k, fromSafe(t));
    try {
      h.loadTensorStateDict(mine);
    } finally {
      for (const t of mine.values()) t.dispose();
    }
  }
  let optimizer: LoadedCheckpoint['optimizer'] = null;
  if (options.keepOptimizer === true && meta.optimizer !== undefined) {
    const state = new Map<string, tf.Tensor>();
    for (const [k, t] of optState) state.set(k, fromSafe(t));
    optimizer = { state, param_groups: ((meta.optimizer as { param_groups?: ParamGroup[] }).param_groups ?? []) };
  }
  return {
    meta,
    missing,
    unexpected,
    optimizer,
    dispose: () => {
      for (const t of optimizer?.state.values() ?? []) t.dispose();
    },
  };
}

const NUMBERED = /^(epoch|iter)_(\d+)\.safetensors$/;

/**
 * The newest COMPLETE checkpoint in `dir` (mmdet `find_latest_checkpoint` for `auto_resume`):
 * among `latest.safetensors` and `epoch_N`/`iter_N` files whose header validates against the file
 * size, the one with the highest recorded `iter` (then `epoch`); a numbered file wins a tie with
 * `latest`. Temp files of interrupted writes are never candidates.
 * @returns the path, or null when there is none
 */
export function findLatestCheckpoint(dir: string, logger?: LoggerLike): string | null {
  if (!existsSync(dir)) return null;
  let best: { path: string; iter: number; epoch: number; numbered: boolean } | null = null;
  for (const name of readdirSync(dir)) {
    const numbered = NUMBERED.test(name);
    if (!numbered && name !== LATEST_NAME) continue;
    const path = join(dir, name);
    let meta: Record<string, unknown>;
    try {
      meta = readCheckpointMeta(path);
    } catch (err) {
      logger?.warn(`skipping incomplete checkpoint ${path}: ${(err as Error).message}`);
      continue;
    }
    const cand = { path, iter: Number(meta.iter ?? 0), epoch: Number(meta.epoch ?? 0), numbered };
    if (
      best === null ||
      cand.iter > best.iter ||
      (cand.iter === best.iter && cand.epoch > best.epoch) ||
      (cand.iter === best.iter && cand.epoch === best.epoch && cand.numbered && !best.numbered)
    ) {
      best = cand;
    }
  }
  return best?.path ?? null;
}

/** Removes temp files left by interrupted checkpoint writes in `dir`. */
export function removeStaleTempFiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (/^\..+\.safetensors\.tmp-\d+$/.test(name)) rmSync(join(dir, name), { force: true });
}
