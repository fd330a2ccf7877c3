/**
 * @module Port of `MultiScaleFlipAug` from `mmdet/datasets/pipelines/test_time_aug.py` @ v2.28.2.
 */
import { AssertionError_ } from '../../utils/errors.js';
import { Compose, type TransformSpec } from './compose.js';
import { asScaleList } from './utils.js';
import type { FlipDirection, Results, Transform, TransformContext } from './utils.js';

/** Options of {@link MultiScaleFlipAug} (mmdet keyword names). */
export interface MultiScaleFlipAugConfig {
  transforms: TransformSpec[];
  /** One `(w, h)` scale or a list (exactly one of img_scale / scale_factor). */
  img_scale?: [number, number] | Array<[number, number]> | null;
  /** One factor or a list. */
  scale_factor?: number | number[] | null;
  flip?: boolean;
  flip_direction?: FlipDirection | FlipDirection[];
}

/**
 * Runs `transforms` once per scale × (no flip, each flip direction); returns a dict of lists
 * (one entry per augmentation), as mmdet.
 */
export class MultiScaleFlipAug implements Transform {
  static readonly type = 'MultiScaleFlipAug';
  readonly transforms: Compose;
  readonly img_scale: Array<[number, number] | number>;
  readonly scale_key: 'scale' | 'scale_factor';
  readonly flip: boolean;
  readonly flip_direction: FlipDirection[];

  constructor(cfg: MultiScaleFlipAugConfig) {
    this.transforms = new Compose(cfg.transforms ?? []);
    const hasScale = cfg.img_scale !== undefined && cfg.img_scale !== null;
    const hasFactor = cfg.scale_factor !== undefined && cfg.scale_factor !== null;
    if (hasScale === hasFactor) throw new AssertionError_('DATA_BAD_TTA', 'Must have but only one variable can be set', { configPath: 'img_scale' });
    if (hasScale) {
      this.img_scale = asScaleList(cfg.img_scale, 'img_scale');
      this.scale_key = 'scale';
    } else {
      const f = cfg.scale_factor!;
      this.img_scale = Array.isArray(f) ? f : [f];
      this.scale_key = 'scale_factor';
    }
    this.flip = cfg.flip ?? false;
    const d = cfg.flip_direction ?? 'horizontal';
    this.flip_direction = Array.isArray(d) ? d : [d];
  }

  async apply(results: Results, ctx: TransformContext): Promise<Results | null> {
    const flipArgs: Array<[boolean, FlipDirection | null]> = [[false, null]];
    if (this.flip) for (const d of this.flip_direction) flipArgs.push([true, d]);
    const aug: Results[] = [];
    for (const scale of this.img_scale) {
      for (const [flip, dir] of flipArgs) {
        const r: Results = { ...results, [this.scale_key]: scale, flip, flip_direction: dir };
        const out = await this.transforms.apply(r, ctx);
        if (out === null) return null;
        aug.push(out);
      }
    }
    const dict: Results = {};
    for (const key of Object.keys(aug[0]!)) dict[key] = aug.map((a) => a[key]);
    return dict;
  }

  toString(): string {
    return `MultiScaleFlipAug(transforms=${this.transforms.toString()}, img_scale=${JSON.stringify(this.img_scale)}, flip=${this.flip}, flip_direction=${JSON.stringify(this.flip_direction)})`;
  }
}
