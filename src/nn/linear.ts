/**
 * @module Port of `torch.nn.Linear`.
 *
 * Porting note: the weight is stored `[in_features, out_features]` (so `y = x·W + b` needs no
 * transpose); PyTorch stores `[out, in]` — `torch_layout.ts` maps between them.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import type { Rng } from '../utils/rng.js';
import { assertKnownKeys } from './config_args.js';
import { addBias } from './functional.js';
import { Module } from './module.js';
import { torchDefaultInit } from './weight_init.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  in_features: number;
  out_features: number;
  /** Default true. */
  bias?: boolean;
}

/**
 * Fully connected layer: `[..., in_features]` → `[..., out_features]`.
 * @example new Linear({ in_features: 256 * 7 * 7, out_features: 1024 })
 */
export class Linear extends Module {
  static override readonly torchName: string = 'Linear';
  readonly in_features: number;
  readonly out_features: number;
  /** `[in_features, out_features]`. */
  readonly weight: tf.Variable;
  /** `[out_features]` or null. */
  readonly bias: tf.Variable | null;

  constructor(options: LinearOptions) {
    super();
    assertKnownKeys('Linear', options, ['in_features', 'out_features', 'bias']);
    const { in_features, out_features, bias = true } = options;
    if (!Number.isInteger(in_features) || in_features <= 0 || !Number.isInteger(out_features) || out_features <= 0) {
      throw new ValueError('NN_BAD_ARG', `Linear: in_features and out_features must be positive ints, got ${in_features} and ${out_features}`);
    }
    this.in_features = in_features;
    this.out_features = out_features;
    this.weight = this.addParameter('weight', tf.zeros([in_features, out_features]), { layout: 'linear' });
    this.bias = bias ? this.addParameter('bias', tf.zeros([out_features])) : null;
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  /** PyTorch default: Kaiming-uniform(a=√5) weight, U(±1/√in_features) bias. */
  override resetParameters(rng: Rng): void {
    torchDefaultInit(this, rng);
  }

  /**
   * @param x `[..., in_features]`
   * @returns `[..., out_features]` (owned by the caller)
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (x.shape[x.rank - 1] !== this.in_features) {
        throw new ValueError('NN_BAD_INPUT', `Linear expected input [..., ${this.in_features}], got [${x.shape.join(', ')}]`);
      }
      const lead = x.shape.slice(0, -1);
      const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, this.in_features]) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(x2, this.weight as tf.Tensor2D);
      if (this.bias !== null) y = addBias(y, this.bias);
      return x.rank === 2 ? y : tf.reshape(y, [...lead, this.out_features]);
    });
  }
}
