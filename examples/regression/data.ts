/**
 * @module Generated regression data: `y = sin(x·a) + x·b + noise`, served as a re-iterable loader
 * that reshuffles per epoch (`setEpoch`, called by `DistSamplerSeedHook`).
 */
import type { DataLoaderLike } from '../../src/engine/types.js';
import { Rng } from '../../src/utils/rng.js';

/** One batch: `x` `[n, features]` row-major, `y` `[n]`. */
export interface RegressionBatch {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** Options of {@link RegressionLoader}. */
export interface RegressionLoaderOptions {
  num_batches: number;
  batch_size: number;
  in_features: number;
  seed: number;
  shuffle?: boolean;
}

/** A fixed set of generated batches, visited in a seeded per-epoch order. */
export class RegressionLoader implements DataLoaderLike<RegressionBatch> {
  readonly length: number;
  private readonly batches: RegressionBatch[] = [];
  private epoch = 0;

  constructor(private readonly opts: RegressionLoaderOptions) {
    this.length = opts.num_batches;
    // the same target function for every split; only the samples depend on the seed
    const fn = new Rng(12345);
    const a = Array.from({ length: opts.in_features }, () => fn.normal(0, 0.5));
    const b = Array.from({ length: opts.in_features }, () => fn.normal(0, 0.3));
    const rng = new Rng(opts.seed);
    for (let i = 0; i < opts.num_batches; i++) {
      const n = opts.batch_size;
      const x = Float32Array.from({ length: n * opts.in_features }, () => rng.normal());
      const y = new Float32Array(n);
      for (let r = 0; r < n; r++) {
        let sa = 0;
        let sb = 0;
        for (let c = 0; c < opts.in_features; c++) {
          sa += x[r * opts.in_features + c]! * a[c]!;
          sb += x[r * opts.in_features + c]! * b[c]!;
        }
        y[r] = Math.sin(sa) + sb + rng.normal(0, 0.05);
      }
      this.batches.push({ x, y, n });
    }
  }

  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RegressionBatch> {
    const order = this.opts.shuffle === false ? [...this.batches.keys()] : new Rng(this.opts.seed * 7919 + this.epoch).permutation(this.length);
    for (const i of order) yield this.batches[i]!;
  }
}
