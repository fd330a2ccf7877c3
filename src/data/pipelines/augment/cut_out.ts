/**
 * @module Port of `CutOut` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 *
 * Porting note: mmdet fills the holes in place; detkit fills a copy (the input image may be shared
 * with other samples through `mix_results`).
 */
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_ } from '../../../utils/errors.js';
import type { Results, Transform, TransformContext } from '../types.js';
import { buildFromConfig, requireImage } from './checks.js';

/** Options of {@link CutOut} (mmdet keyword names). */
export interface CutOutConfig {
  /** Number of holes, or `[min, max]` (inclusive). */
  n_holes: number | [number, number];
  /** Hole size `(w, h)` in pixels, or a list to pick from. Exclusive with `cutout_ratio`. */
  cutout_shape?: [number, number] | Array<[number, number]>;
  /** Hole size `(w, h)` as fractions of the image, or a list to pick from. */
  cutout_ratio?: [number, number] | Array<[number, number]>;
  /** Fill value per channel (default `[0, 0, 0]`). */
  fill_in?: number[];
}

const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['n_holes', 'cutout_shape', 'cutout_ratio', 'fill_in'];

/**
 * Fills `n` random rectangles of the image with `fill_in`: top-left uniform over the image, size from
 * the candidates, clipped at the border. Boxes are untouched. Reads/writes `img`.
 */
export class CutOut implements Transform {
  static readonly type = 'CutOut';
  readonly n_holes: [number, number];
  readonly fill_in: number[];
  readonly with_ratio: boolean;
  readonly candidates: Array<[number, number]>;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): CutOut {
    return buildFromConfig('CutOut', args, ctx, KEYS, (a) => new CutOut(a as unknown as CutOutConfig));
  }

  constructor(cfg: CutOutConfig) {
    const hasShape = cfg.cutout_shape !== undefined && cfg.cutout_shape !== null;
    const hasRatio = cfg.cutout_ratio !== undefined && cfg.cutout_ratio !== null;
    if (hasShape === hasRatio) throw new AssertionError_('DATA_BAD_AUG_OPTION', 'CutOut: Either cutout_shape or cutout_ratio should be specified.', { configPath: 'cutout_shape' });
    const n = cfg.n_holes;
    if (Array.isArray(n)) {
      if (!(n.length === 2 && Number.isInteger(n[0]) && Number.isInteger(n[1]) && n[0] >= 0 && n[0] < n[1])) {
        throw new AssertionError_('DATA_BAD_AUG_OPTION', `CutOut: n_holes as a range must be [min, max] with 0 <= min < max, got ${JSON.stringify(n)}`, { configPath: 'n_holes' });
      }
      this.n_holes = [n[0], n[1]];
    } else {
      if (!(Number.isInteger(n) && n >= 0)) throw new AssertionError_('DATA_BAD_AUG_OPTION', `CutOut: n_holes must be a non-negative integer, got ${JSON.stringify(n)}`, { configPath: 'n_holes' });
      this.n_holes = [n, n];
    }
    this.with_ratio = hasRatio;
    const key = hasRatio ? 'cutout_ratio' : 'cutout_shape';
    const c = (hasRatio ? cfg.cutout_ratio : cfg.cutout_shape) as unknown;
    if (isPair(c)) this.candidates = [[c[0], c[1]]];
    else if (Array.isArray(c) && c.length > 0 && c.every(isPair)) this.candidates = c.map((p) => [p[0], p[1]]);
    else throw new AssertionError_('DATA_BAD_AUG_OPTION', `CutOut: ${key} must be a (w, h) pair or a list of pairs, got ${JSON.stringify(c)}`, { configPath: key });
    this.fill_in = cfg.fill_in ?? [0, 0, 0];
  }

  apply(results: Results, ctx: TransformContext): Results {
    const img = requireImage(results, 'CutOut');
    const { width: w, height: h, channels: c } = img;
    if (this.fill_in.length !== c) throw new AssertionError_('DATA_BAD_AUG_OPTION', `CutOut: fill_in has ${this.fill_in.length} values but the image has ${c} channels`, { configPath: 'fill_in' });
    const data = img.data.slice();
    const rng = ctx.rng;
    const n = rng.randint(this.n_holes[0], this.n_holes[1] + 1);
    for (let hole = 0; hole < n; hole++) {
      const x1 = rng.randint(0, w);
      const y1 = rng.randint(0, h);
      const cand = this.candidates[rng.randint(0, this.candidates.length)]!;
      const cw = this.with_ratio ? Math.trunc(cand[0] * w) : cand[0];
      const ch = this.with_ratio ? Math.trunc(cand[1] * h) : cand[1];
      const x2 = Math.min(Math.max(x1 + cw, 0), w);
      const y2 = Math.min(Math.max(y1 + ch, 0), h);
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = this.fill_in[k]!;
    }
    results.img = { data, height: h, width: w, channels: c };
    return results;
  }

  toString(): string {
    const cands = this.candidates.map((p) => `(${p.join(', ')})`).join(', ');
    return `CutOut(n_holes=(${this.n_holes.join(', ')}), ${this.with_ratio ? 'cutout_ratio' : 'cutout_shape'}=[${cands}], fill_in=(${this.fill_in.join(', ')}))`;
  }
}
