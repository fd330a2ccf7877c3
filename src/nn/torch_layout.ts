/**
 * @module Mapping between detkit's NHWC-friendly weight layouts and PyTorch's.
 *
 * detkit stores a conv filter as `[kh, kw, in/groups, out]` (what `tf.conv2d` takes) and a linear
 * weight as `[in, out]` (what `x @ W` takes); PyTorch stores `[out, in/groups, kh, kw]` and
 * `[out, in]`. State-dict *names* are identical; only these two kinds of tensor are transposed at
 * the boundary (checkpoint conversion, fan computation of initialisers).
 */
import { tf } from '../backend/index.js';
import type { Module, ParamLayout } from './module.js';

/**
 * The PyTorch shape of a tensor stored in `layout`.
 * @example torchShape([3, 3, 16, 32], 'conv2d') // [32, 16, 3, 3]
 */
export function torchShape(shape: readonly number[], layout: ParamLayout): number[] {
  if (layout === 'conv2d') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (layout === 'linear') return [shape[1]!, shape[0]!];
  return [...shape];
}

/**
 * Converts one detkit tensor to PyTorch's layout: conv `[kh,kw,in,out]` → `[out,in,kh,kw]`,
 * linear `[in,out]` → `[out,in]`, anything else unchanged (a clone). The result belongs to the caller.
 */
export function toTorchLayout(t: tf.Tensor, layout: ParamLayout): tf.Tensor {
  return tf.tidy(() => {
    if (layout === 'conv2d') return tf.transpose(t, [3, 2, 0, 1]);
    if (layout === 'linear') return tf.transpose(t, [1, 0]);
    return t.clone();
  });
}

/**
 * Converts one PyTorch tensor to detkit's layout: conv `[out,in,kh,kw]` → `[kh,kw,in,out]`,
 * linear `[out,in]` → `[in,out]`, anything else unchanged (a clone). The result belongs to the caller.
 */
export function fromTorchLayout(t: tf.Tensor, layout: ParamLayout): tf.Tensor {
  return tf.tidy(() => {
    if (layout === 'conv2d') return tf.transpose(t, [2, 3, 1, 0]);
    if (layout === 'linear') return tf.transpose(t, [1, 0]);
    return t.clone();
  });
}

/**
 * The module's state dict in PyTorch's layouts (new tensors, owned by the caller), e.g. to write an
 * mmdetection-compatible checkpoint.
 */
export function toTorchStateDict(module: Module): Map<string, tf.Tensor> {
  const layouts = module.paramLayouts();
  const out = new Map<string, tf.Tensor>();
  for (const [k, v] of module.stateDict()) out.set(k, toTorchLayout(v, layouts.get(k) ?? 'plain'));
  return out;
}

/**
 * Loads a state dict in PyTorch's layouts (e.g. converted from an mmdetection `.pth`) into `module`.
 * Keys unknown to the module are passed through untouched, so `loadStateDict` reports them.
 * @returns missing and unexpected keys, as {@link Module.loadStateDict}
 * @throws as {@link Module.loadStateDict}; shapes in the message are detkit's layouts
 */
export function loadTorchStateDict(module: Module, state: Map<string, tf.Tensor>, options: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
  const layouts = module.paramLayouts();
  const converted = new Map<string, tf.Tensor>();
  const made: tf.Tensor[] = [];
  for (const [k, t] of state) {
    const layout = layouts.get(k) ?? 'plain';
    const ok = (layout === 'conv2d' && t.rank === 4) || (layout === 'linear' && t.rank === 2);
    if (ok) {
      const c = fromTorchLayout(t, layout);
      made.push(c);
      converted.set(k, c);
    } else {
      converted.set(k, t);
    }
  }
  try {
    return module.loadStateDict(converted, options);
  } finally {
    for (const t of made) t.dispose();
  }
}
