/**
 * @module Ports of `torch.nn.Sequential` and `torch.nn.ModuleList`: children named `0`, `1`, ...
 */
import { tf } from '../backend/index.js';
import { Module } from './module.js';

/** Anything with a one-tensor `forward`. */
export interface ForwardModule extends Module {
  forward(x: tf.Tensor4D): tf.Tensor4D;
}

/**
 * Children named `0..n-1` (state-dict `downsample.0.weight`), with no `forward` of its own.
 * Porting note: like torch's `nn.ModuleList`, mmcv's `init_weights` does not recurse into it.
 */
export class ModuleList<M extends Module = Module> extends Module {
  static override readonly torchName: string = 'ModuleList';
  private readonly items: M[] = [];

  constructor(modules: readonly M[] = []) {
    super();
    for (const m of modules) this.append(m);
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  /** Adds a module under the next index. */
  append(module: M): M {
    this.addModule(String(this.items.length), module);
    this.items.push(module);
    return module;
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at `index` (negative counts from the end, as Python). */
  at(index: number): M {
    const m = this.items.at(index);
    if (m === undefined) throw new RangeError(`ModuleList index ${index} out of range (length ${this.items.length})`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * Children named `0..n-1` applied in order (torch `nn.Sequential`): `forward(x)` chains them.
 * Porting note: like torch's `nn.Sequential`, mmcv's `init_weights` does not recurse into it;
 * mmcv's own `Sequential` (a `BaseModule`) is obtained by overriding {@link hasInitWeights}.
 */
export class Sequential extends ModuleList<ForwardModule> {
  static override readonly torchName: string = 'Sequential';

  /** @param x `[N, H, W, C]` @returns the last module's output (owned by the caller) */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let out = x;
      for (const m of this) out = m.forward(out);
      return out === x ? x.clone() : out;
    });
  }
}
