/**
 * @module Toy model, data loader and optimizer for engine tests (mmengine `RunnerTestCase`'s
 * ToyModel/ToyDataset). Test-only: never imported by `src/`.
 *
 * The model is one linear layer `fc` (4 → 3) on plain `tf.Variable`s: outputs 0–1 are class
 * logits (`loss_cls`, softmax cross-entropy; `acc` in %), output 2 a regression (`loss_bbox`, L1).
 */
import { tf } from '../backend/index.js';
import type { Optimizer, ParamGroup } from '../engine/optim/types.js';
import type { DataLoaderLike, StepOutputs, TrainableModel } from '../engine/types.js';
import { Rng } from '../utils/rng.js';

/** One batch: `x` [n, 4] row-major, `label` [n] in {0, 1}, `target` [n]. */
export interface ToyBatch {
  x: Float32Array;
  label: Int32Array;
  target: Float32Array;
  n: number;
}

let modelCount = 0;

/** A 4 → 3 linear model with mmdet-like loss names. */
export class ToyModel implements TrainableModel {
  readonly CLASSES = ['neg', 'pos'];
  readonly params = new Map<string, tf.Variable>();
  training = true;
  /** Calls of each step method (for tests). */
  readonly calls = { train_step: 0, val_step: 0 };
  private readonly varNames = new Map<string, string>();

  constructor(seed = 0) {
    const rng = new Rng(seed);
    const w = Float32Array.from({ length: 12 }, () => rng.normal(0, 0.1));
    const id = modelCount++;
    this.addParam('fc.weight', tf.tensor2d(w, [4, 3]), id);
    this.addParam('fc.bias', tf.zeros([3]), id);
  }

  private addParam(name: string, init: tf.Tensor, id: number): void {
    const varName = `toy${id}_${name}`;
    this.params.set(name, tf.variable(init, true, varName));
    this.varNames.set(varName, name);
    init.dispose();
  }

  private losses(b: ToyBatch): { cls: tf.Scalar; bbox: tf.Scalar; acc: tf.Scalar } {
    const x = tf.tensor2d(b.x, [b.n, 4]);
    const out = tf.add(tf.matMul(x, this.params.get('fc.weight')!), this.params.get('fc.bias')!);
    const logits = tf.slice(out, [0, 0], [b.n, 2]);
    const reg = tf.reshape(tf.slice(out, [0, 2], [b.n, 1]), [b.n]);
    const onehot = tf.oneHot(tf.tensor1d(b.label, 'int32'), 2);
    const cls = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    const bbox = tf.mean(tf.abs(tf.sub(reg, tf.tensor1d(b.target)))) as tf.Scalar;
    const acc = tf.mul(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(b.label, 'int32')), 'float32')), 100) as tf.Scalar;
    return { cls, bbox, acc };
  }

  train_step(data: unknown, _optimizer: unknown): StepOutputs {
    this.calls.train_step++;
    const b = data as ToyBatch;
    const vals = { loss_cls: 0, loss_bbox: 0, acc: 0 };
    const { value, grads } = tf.variableGrads(() => {
      const { cls, bbox, acc } = this.losses(b);
      vals.loss_cls = cls.dataSync()[0]!;
      vals.loss_bbox = bbox.dataSync()[0]!;
      vals.acc = acc.dataSync()[0]!;
      return tf.add(cls, bbox) as tf.Scalar;
    }, [...this.params.values()]);
    const loss = value.dataSync()[0]!;
    value.dispose();
    const named = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) named.set(this.varNames.get(varName)!, g);
    return { loss, log_vars: { loss_cls: vals.loss_cls, loss_bbox: vals.loss_bbox, loss, acc: vals.acc }, num_samples: b.n, grads: named };
  }

  val_step(data: unknown): StepOutputs {
    this.calls.val_step++;
    const b = data as ToyBatch;
    const [c, bb, a] = tf.tidy(() => {
      const { cls, bbox, acc } = this.losses(b);
      return [cls.dataSync()[0]!, bbox.dataSync()[0]!, acc.dataSync()[0]!];
    });
    return { loss: c + bb, log_vars: { loss_cls: c, loss_bbox: bb, loss: c + bb, acc: a }, num_samples: b.n };
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }
  eval(): this {
    this.training = false;
    return this;
  }
  namedParameters(): Map<string, tf.Variable> {
    return new Map(this.params);
  }
  stateDict(): Map<string, tf.Tensor> {
    return new Map(this.params);
  }
  loadStateDict(state: Map<string, tf.Tensor>): { missing: string[]; unexpected: string[] } {
    for (const [k, t] of state) this.params.get(k)?.assign(t);
    return { missing: [...this.params.keys()].filter((k) => !state.has(k)), unexpected: [...state.keys()].filter((k) => !this.params.has(k)) };
  }
  /** Parameter values as plain arrays (for comparisons). */
  snapshot(): Record<string, number[]> {
    return Object.fromEntries([...this.params].map(([k, v]) => [k, [...v.dataSync()]]));
  }
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** Options of {@link ToyLoader}. */
export interface ToyLoaderOptions {
  /** Batches per epoch. */
  length: number;
  batchSize?: number;
  seed?: number;
  /** Reshuffle per `setEpoch` (as a seeded sampler). Default true. */
  shuffle?: boolean;
}

/** A deterministic, re-iterable loader of {@link ToyBatch}es: `y = x·w* + noise`, label = `y > 0`. */
export class ToyLoader implements DataLoaderLike<ToyBatch> {
  readonly length: number;
  private readonly batches: ToyBatch[] = [];
  private epoch = 0;
  private readonly shuffle: boolean;
  private readonly seed: number;
  /** Epochs passed to `setEpoch`, in order (for tests). */
  readonly epochsSet: number[] = [];

  constructor(options: ToyLoaderOptions) {
    this.length = options.length;
    this.seed = options.seed ?? 0;
    this.shuffle = options.shuffle ?? true;
    const bs = options.batchSize ?? 4;
    const rng = new Rng(this.seed);
    const wStar = [0.5, -1, 0.25, 2];
    for (let i = 0; i < this.length; i++) {
      const x = Float32Array.from({ length: bs * 4 }, () => rng.normal());
      const target = new Float32Array(bs);
      const label = new Int32Array(bs);
      for (let r = 0; r < bs; r++) {
        let y = 0;
        for (let c = 0; c < 4; c++) y += x[r * 4 + c]! * wStar[c]!;
        target[r] = y + rng.normal(0, 0.05);
        label[r] = y > 0 ? 1 : 0;
      }
      this.batches.push({ x, label, target, n: bs });
    }
  }

  setEpoch(epoch: number): void {
    this.epoch = epoch;
    this.epochsSet.push(epoch);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ToyBatch> {
    const order = this.shuffle ? new Rng(this.seed * 1000 + this.epoch + 1).permutation(this.length) : [...Array(this.length).keys()];
    for (const i of order) yield this.batches[i]!;
  }
}

/** Options of {@link ToySGD}. */
export interface ToySGDOptions {
  lr: number;
  momentum?: number;
  weight_decay?: number;
}

/** Plain SGD with momentum (PyTorch semantics) satisfying the engine's `Optimizer` contract. */
export class ToySGD implements Optimizer {
  readonly type = 'SGD';
  readonly paramGroups: ParamGroup[];
  private readonly buffers = new Map<string, tf.Tensor>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    options: ToySGDOptions,
  ) {
    this.paramGroups = [{ params: [...params.keys()], lr: options.lr, momentum: options.momentum ?? 0, weight_decay: options.weight_decay ?? 0 }];
  }

  step(grads: Map<string, tf.Tensor>): void {
    for (const group of this.paramGroups) {
      for (const name of group.params) {
        const g = grads.get(name);
        const p = this.params.get(name);
        if (g === undefined || p === undefined) continue;
        const mom = group.momentum ?? 0;
        tf.tidy(() => {
          let d: tf.Tensor = group.weight_decay !== 0 ? tf.add(g, tf.mul(p, group.weight_decay)) : g;
          if (mom !== 0) {
            const prev = this.buffers.get(name);
            const buf = prev === undefined ? tf.clone(d) : tf.add(tf.mul(prev, mom), d);
            prev?.dispose();
            this.buffers.set(name, tf.keep(buf));
            d = buf;
          }
          p.assign(tf.sub(p, tf.mul(d, group.lr)));
        });
      }
    }
  }

  /** State as fresh tensors owned by the caller (as the engine's real optimizers return it). */
  stateDict(): { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] } {
    const state = new Map<string, tf.Tensor>();
    for (const [k, t] of this.buffers) state.set(`${k}.momentum_buffer`, tf.clone(t));
    return { state, param_groups: this.paramGroups.map((g) => ({ ...g, params: [...g.params] })) };
  }

  loadStateDict(sd: { state: Map<string, tf.Tensor>; param_groups: ParamGroup[] }): void {
    for (const t of this.buffers.values()) t.dispose();
    this.buffers.clear();
    for (const [k, t] of sd.state) this.buffers.set(k.replace(/\.momentum_buffer$/, ''), tf.clone(t));
    sd.param_groups.forEach((g, i) => {
      if (this.paramGroups[i] !== undefined) Object.assign(this.paramGroups[i], { ...g, params: this.paramGroups[i].params });
    });
  }

  dispose(): void {
    for (const t of this.buffers.values()) t.dispose();
    this.buffers.clear();
  }
}
