/**
 * @module Port of `GroupSampler` from `mmdet/datasets/samplers/group_sampler.py` @ v2.28.2, plus the
 * plain samplers torch's DataLoader uses (`SequentialSampler`, `RandomSampler`).
 *
 * Porting note: mmdet's GroupSampler draws from numpy's global generator; here every epoch's order
 * comes from `Rng(mix(seed, epoch))`, so it depends only on (seed, epoch) and is reproducible across
 * runs and worker counts.
 */
import { Rng } from '../../utils/rng.js';

/** An epoch-aware index sampler. */
export interface Sampler {
  /** Number of indices per epoch. */
  readonly length: number;
  /** The indices of `epoch`. */
  indices(epoch: number): number[];
}

/** Combines a seed and an epoch into one generator seed. */
export function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  h = Math.imul(h ^ (epoch + 0x165667b1), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Indices in order (`shuffle=False`). */
export class SequentialSampler implements Sampler {
  constructor(readonly length: number) {}

  indices(): number[] {
    return Array.from({ length: this.length }, (_, i) => i);
  }
}

/** A seeded permutation per epoch (`shuffle=True` on a dataset without groups). */
export class RandomSampler implements Sampler {
  constructor(
    readonly length: number,
    readonly seed = 0,
  ) {}

  indices(epoch: number): number[] {
    return new Rng(epochSeed(this.seed, epoch)).permutation(this.length);
  }
}

/**
 * mmdet `GroupSampler`: shuffles inside each aspect-ratio group, pads every group to a multiple of
 * `samples_per_gpu` with random re-draws, then shuffles the order of the batches, so each batch holds
 * images of one group. `length = Σ ceil(group_size / spg) × spg`.
 */
export class GroupSampler implements Sampler {
  static readonly type = 'GroupSampler';
  readonly groupSizes: number[];
  readonly length: number;

  constructor(
    readonly flag: Uint8Array,
    readonly samples_per_gpu = 1,
    readonly seed = 0,
  ) {
    const max = flag.reduce((a, b) => Math.max(a, b), 0);
    this.groupSizes = new Array<number>(max + 1).fill(0);
    for (const f of flag) this.groupSizes[f]!++;
    this.length = this.groupSizes.reduce((s, n) => s + Math.ceil(n / samples_per_gpu) * samples_per_gpu, 0);
  }

  indices(epoch: number): number[] {
    const rng = new Rng(epochSeed(this.seed, epoch));
    const spg = this.samples_per_gpu;
    const all: number[] = [];
    this.groupSizes.forEach((size, g) => {
      if (size === 0) return;
      const idx: number[] = [];
      for (let i = 0; i < this.flag.length; i++) if (this.flag[i] === g) idx.push(i);
      rng.shuffle(idx);
      const extra = Math.ceil(size / spg) * spg - size;
      for (let k = 0; k < extra; k++) idx.push(idx[rng.randint(size)]!);
      all.push(...idx);
    });
    const order = rng.permutation(all.length / spg);
    return order.flatMap((b) => all.slice(b * spg, (b + 1) * spg));
  }
}
