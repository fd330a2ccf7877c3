/**
 * @module Stateful hooks in checkpoints: JSON states under `meta.hook_states`, tensor states
 * (EMA buffers) as top-level tensors.
 *
 * A hook's JSON state is keyed by its `type`; a second hook of the same type gets `<type>#1`, and so on.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Hook } from '../hooks/hook.js';

/** A hook whose state includes tensors (mmcv EMAHook keeps its buffers in the model state dict). */
export interface TensorStatefulHook {
  /** Names this hook's tensors carry in checkpoints start with this prefix (e.g. `ema_`). */
  readonly tensorStatePrefix: string;
  /** The tensors to save, by their checkpoint names (live references; not disposed by the caller). */
  tensorStateDict(): Map<string, tf.Tensor>;
  /** Restores the tensors (the hook copies what it keeps; the caller disposes `state`). */
  loadTensorStateDict(state: Map<string, tf.Tensor>): void;
}

/** Whether `hook` implements {@link TensorStatefulHook}. */
export function isTensorStateful(hook: unknown): hook is TensorStatefulHook {
  const h = hook as Partial<TensorStatefulHook>;
  return typeof h.tensorStatePrefix === 'string' && typeof h.tensorStateDict === 'function' && typeof h.loadTensorStateDict === 'function';
}

function keyedHooks(hooks: readonly Hook[]): Array<[string, Hook]> {
  const seen = new Map<string, number>();
  return hooks.map((h) => {
    const n = seen.get(h.typeName) ?? 0;
    seen.set(h.typeName, n + 1);
    return [n === 0 ? h.typeName : `${h.typeName}#${n}`, h];
  });
}

/** JSON states of every stateful hook, keyed as described in the module doc. */
export function collectHookStates(hooks: readonly Hook[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, hook] of keyedHooks(hooks)) {
    const s = hook.stateDict();
    if (s !== undefined) out[key] = s;
  }
  return out;
}

/** Hands each hook its saved JSON state (hooks absent from `states` are left as they are). */
export function restoreHookStates(hooks: readonly Hook[], states: Record<string, unknown>): void {
  for (const [key, hook] of keyedHooks(hooks)) {
    const s = states[key];
    if (s !== undefined && s !== null && typeof s === 'object') hook.loadStateDict(s as Record<string, unknown>);
  }
}
