/**
 * @module A two-layer MLP regressor on plain `tf.Variable`s, trainable by detkit's engine
 * (it satisfies `TrainableModel` structurally; nothing detection-specific).
 */
import { tf } from '../../src/backend/index.js';
import type { StepOutputs, TrainableModel } from '../../src/engine/types.js';
import { Rng } from '../../src/utils/rng.js';
import type { RegressionBatch } from './data.js';

/** `model` node of the config. */
export interface MLPConfig {
  in_features: number;
  hidden: number;
  seed: number;
}

/** `fc1` (in → hidden, ReLU) → `fc2` (hidden → 1); weights `[out, in]` as torch `Linear`. */
export class MLPRegressor implements TrainableModel {
  private readonly params = new Map<string, tf.Variable>();
  private readonly byVarName = new Map<string, string>();

  constructor(cfg: MLPConfig) {
    const rng = new Rng(cfg.seed);
    const init = (name: string, shape: number[], fanIn: number): void => {
      const bound = 1 / Math.sqrt(fanIn);
      const n = shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(Float32Array.from({ length: n }, () => rng.uniform(-bound, bound)), shape);
      const v = tf.variable(t, true, `mlp_${name}_${t.id}`);
      t.dispose();
      this.params.set(name, v);
      this.byVarName.set(v.name, name);
    };
    init('fc1.weight', [cfg.hidden, cfg.in_features], cfg.in_features);
    init('fc1.bias', [cfg.hidden], cfg.in_features);
    init('fc2.weight', [1, cfg.hidden], cfg.hidden);
    init('fc2.bias', [1], cfg.hidden);
  }

  /** Predictions `[n]` for inputs `[n, in]`. */
  forward(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const p = (k: string): tf.Variable => this.params.get(k)!;
      const h = tf.relu(tf.add(tf.matMul(x, p('fc1.weight'), false, true), p('fc1.bias')));
      return tf.reshape(tf.add(tf.matMul(h, p('fc2.weight'), false, true), p('fc2.bias')), [-1]) as tf.Tensor1D;
    });
  }

  private mse(b: RegressionBatch): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.square(tf.sub(this.forward(tf.tensor2d(b.x, [b.n, b.x.length / b.n])), tf.tensor1d(b.y)))) as tf.Scalar);
  }

  train_step(data: unknown): StepOutputs {
    const b = data as RegressionBatch;
    const { value, grads } = tf.variableGrads(() => this.mse(b), [...this.params.values()]);
    const loss = value.dataSync()[0]!;
    value.dispose();
    const named = new Map<string, tf.Tensor>(Object.entries(grads).map(([k, g]) => [this.byVarName.get(k)!, g]));
    return { loss, log_vars: { loss_mse: loss, loss }, num_samples: b.n, grads: named };
  }

  val_step(data: unknown): StepOutputs {
    const b = data as RegressionBatch;
    const l = this.mse(b);
    const loss = l.dataSync()[0]!;
    l.dispose();
    return { loss, log_vars: { loss_mse: loss, loss }, num_samples: b.n };
  }

  train(): this {
    return this;
  }
  eval(): this {
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
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
