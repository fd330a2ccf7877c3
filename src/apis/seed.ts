/**
 * @module Port of mmdet 2.x `init_random_seed` / `set_random_seed` (mmdet/apis/train.py).
 *
 * detkit has no global random state to seed: every random consumer (weight init, samplers, the data
 * loader's shuffles and transforms) takes the run seed explicitly, so one seed reproduces a run.
 */
import { randomInt } from 'node:crypto';

/** The given seed, or a fresh one in [0, 2^31) when none is given (mmdet `init_random_seed`). */
export function initRandomSeed(seed?: number | null): number {
  if (seed !== undefined && seed !== null) {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    return seed;
  }
  return randomInt(2 ** 31 - 1);
}
