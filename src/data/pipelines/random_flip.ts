/**
 * @module Port of `RandomFlip` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 */
import { bboxFlipArray } from '../../structures/bbox_array.js';
import { AssertionError_, ValueError } from '../../utils/errors.js';
import { FlippedImage } from './flipped_image.js';
import { imflip } from './image_ops.js';
import { flipMasks } from './mask_ops.js';
import type { FlipDirection, Image, InstanceMasksLike, Results, Transform, TransformContext } from './utils.js';

/** Options of {@link RandomFlip} (mmdet keyword names). */
export interface RandomFlipConfig {
  /** Probability of flipping: one float (split evenly over the directions) or one per direction. */
  flip_ratio?: number | number[] | null;
  /** `horizontal` (default), `vertical`, `diagonal`, or a list of them. */
  direction?: FlipDirection | FlipDirection[];
}

const DIRECTIONS: readonly string[] = ['horizontal', 'vertical', 'diagonal'];


/** Flips image, boxes, masks and maps with a probability; writes `flip`, `flip_direction`. */
export class RandomFlip implements Transform {
  static readonly type = 'RandomFlip';
  readonly flip_ratio: number | number[] | null;
  readonly direction: FlipDirection | FlipDirection[];

  constructor(cfg: RandomFlipConfig = {}) {
    const r = cfg.flip_ratio ?? null;
    if (Array.isArray(r)) {
      if (!r.every((x) => x >= 0 && x <= 1)) throw new AssertionError_('DATA_BAD_FLIP', 'RandomFlip: every flip_ratio must be in [0, 1]', { configPath: 'flip_ratio' });
      const s = r.reduce((a, b) => a + b, 0);
      if (s < 0 || s > 1 + 1e-9) throw new AssertionError_('DATA_BAD_FLIP', 'RandomFlip: the flip_ratio list must sum to at most 1', { configPath: 'flip_ratio' });
    } else if (typeof r === 'number') {
      if (r < 0 || r > 1) throw new AssertionError_('DATA_BAD_FLIP', `RandomFlip: flip_ratio must be in [0, 1], got ${r}`, { configPath: 'flip_ratio' });
    } else if (r !== null) {
      throw new ValueError('DATA_BAD_FLIP', 'flip_ratios must be None, float, or list of float', { configPath: 'flip_ratio' });
    }
    const d = cfg.direction ?? 'horizontal';
    const dirs = Array.isArray(d) ? d : [d];
    for (const x of dirs) {
      if (!DIRECTIONS.includes(x)) throw new AssertionError_('DATA_BAD_FLIP', `RandomFlip: direction must be one of ${DIRECTIONS.join(', ')}, got '${x}'`, { configPath: 'direction' });
    }
    if (Array.isArray(r) && (!Array.isArray(d) || r.length !== d.length)) {
      throw new AssertionError_('DATA_BAD_FLIP', 'RandomFlip: a flip_ratio list needs a direction list of the same length', { configPath: 'flip_ratio' });
    }
    this.flip_ratio = r;
    this.direction = d;
  }

  /** Draws the flip direction (or null) with mmdet's probabilities (`np.random.choice(p=...)`). */
  private draw(ctx: TransformContext): FlipDirection | null {
    const dirs: Array<FlipDirection | null> = [...(Array.isArray(this.direction) ? this.direction : [this.direction]), null];
    let probs: number[];
    if (Array.isArray(this.flip_ratio)) {
      probs = [...this.flip_ratio, 1 - this.flip_ratio.reduce((a, b) => a + b, 0)];
    } else {
      if (this.flip_ratio === null) throw new ValueError('DATA_BAD_FLIP', 'RandomFlip: flip_ratio is None and results has no preset flip');
      const single = this.flip_ratio / (dirs.length - 1);
      probs = [...new Array<number>(dirs.length - 1).fill(single), 1 - this.flip_ratio];
    }
    const total = probs.reduce((a, b) => a + b, 0);
    const u = ctx.rng.random();
    let acc = 0;
    for (let i = 0; i < dirs.length; i++) {
      acc += probs[i]! / total;
      if (u < acc) return dirs[i]!;
    }
    return null;
  }

  apply(results: Results, ctx: TransformContext): Results {
    let cur: FlipDirection | null = null;
    if (results.flip === undefined) {
      cur = this.draw(ctx);
      results.flip = cur !== null;
    }
    if (results.flip_direction === undefined) results.flip_direction = cur;
    if (results.flip) {
      const dir = results.flip_direction;
      if (dir === null || dir === undefined) throw new ValueError('DATA_BAD_FLIP', 'RandomFlip: flip is set but flip_direction is None');
      // uint8 images are flipped lazily (see FlippedImage: Normalize then reads them mirrored).
      for (const key of results.img_fields ?? ['img']) results[key] = FlippedImage.flip(results[key] as Image, dir);
      const [h, w] = results.img_shape!;
      for (const key of results.bbox_fields ?? []) results[key] = bboxFlipArray(results[key] as Float32Array, h, w, dir);
      for (const key of results.mask_fields ?? []) {
        const m = results[key] as InstanceMasksLike | undefined;
        if (m !== undefined) results[key] = flipMasks(m, dir);
      }
      for (const key of results.seg_fields ?? []) results[key] = imflip(results[key] as Image, dir);
    }
    return results;
  }

  toString(): string {
    return `RandomFlip(flip_ratio=${JSON.stringify(this.flip_ratio)})`;
  }
}
