/**
 * @module Port of `mmcv/cnn/bricks/scale.py` (Scale) @ mmcv v1.7: a learnable scalar multiplier.
 */
import { tf } from '../backend/index.js';
import { Module } from './module.js';

/** Options of {@link Scale}. */
export interface ScaleOptions {
  /** Initial value. Default 1. */
  scale?: number;
}

/** `x * scale` with one learnable `scale` parameter (state-dict name `scale`, shape `[1]`). */
export class Scale extends Module {
  static override readonly torchName: string = 'Scale';
  readonly scale: tf.Variable;
  private readonly initial: number;

  constructor(options: ScaleOptions = {}) {
    super();
    this.initial = options.scale ?? 1.0;
    this.scale = this.addParameter('scale', tf.tensor1d([this.initial]));
  }

  override resetParameters(): void {
    tf.tidy(() => this.scale.assign(tf.tensor1d([this.initial])));
  }

  /** `x * scale`. */
  forward<T extends tf.Tensor>(x: T): T {
    return tf.mul(x, this.scale) as T;
  }
}
