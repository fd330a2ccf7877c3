/**
 * @module Port of `mmcv/runner/iter_based_runner.py` `IterLoader` @ v1.7.2: an endless view of a loader.
 */
import { DetkitError } from '../../utils/errors.js';
import type { DataLoaderLike } from '../types.js';

/**
 * Yields batches forever: when the wrapped loader is exhausted, `epoch` is incremented,
 * `setEpoch(epoch)` is called on the loader (seeded reshuffle) and iteration restarts.
 */
export class IterLoader implements DataLoaderLike {
  /** Completed passes over the loader. */
  epoch = 0;
  private iterator: AsyncIterator<unknown> | null = null;

  constructor(readonly loader: DataLoaderLike) {}

  /** Batches per pass (`len(dataloader)`). */
  get length(): number {
    return this.loader.length;
  }

  /** Forwards to the wrapped loader. */
  setEpoch(epoch: number): void {
    this.loader.setEpoch?.(epoch);
  }

  /**
   * The next batch, restarting the loader at the end of a pass.
   * @throws DetkitError `RUNNER_EMPTY_LOADER` when the loader yields nothing
   */
  async next(): Promise<unknown> {
    this.iterator ??= this.loader[Symbol.asyncIterator]();
    let r = await this.iterator.next();
    if (r.done === true) {
      this.epoch += 1;
      this.loader.setEpoch?.(this.epoch);
      this.iterator = this.loader[Symbol.asyncIterator]();
      r = await this.iterator.next();
      if (r.done === true) throw new DetkitError('RUNNER_EMPTY_LOADER', 'the data loader yielded no batch');
    }
    return r.value;
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return this.loader[Symbol.asyncIterator]();
  }
}
