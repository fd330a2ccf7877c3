/**
 * @module Port of `YOLOXHSVRandomAug` from `mmdet/datasets/pipelines/transforms.py` @ v2.28.2.
 */
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_ } from '../../../utils/errors.js';
import type { Results, Transform, TransformContext } from '../types.js';
import { buildFromConfig, requireImage } from './checks.js';
import { bgr2hsvU8, hsv2bgrU8 } from './colorspace.js';

/** Options of {@link YOLOXHSVRandomAug} (mmdet keyword names). */
export interface YOLOXHSVRandomAugConfig {
  /** Hue gain limit in OpenCV hue units (0–180; default 5). */
  hue_delta?: number;
  /** Saturation gain limit (0–255; default 30). */
  saturation_delta?: number;
  /** Value gain limit (0–255; default 30). */
  value_delta?: number;
}

/** The keyword arguments of mmdet's constructor. */
const KEYS: readonly string[] = ['hue_delta', 'saturation_delta', 'value_delta'];

/**
 * YOLOX colour jitter on a uint8 BGR image: gains `U(−1, 1) × delta` for H, S, V, each kept with
 * probability 0.5 and truncated to integers; OpenCV HSV, hue modulo 180, S and V clipped to
 * `[0, 255]`. Reads/writes `img`.
 */
export class YOLOXHSVRandomAug implements Transform {
  static readonly type = 'YOLOXHSVRandomAug';
  readonly hue_delta: number;
  readonly saturation_delta: number;
  readonly value_delta: number;

  /** Registry entry: builds from a config node; option errors name the node's full key path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): YOLOXHSVRandomAug {
    return buildFromConfig('YOLOXHSVRandomAug', args, ctx, KEYS, (a) => new YOLOXHSVRandomAug(a as unknown as YOLOXHSVRandomAugConfig));
  }

  constructor(cfg: YOLOXHSVRandomAugConfig = {}) {
    this.hue_delta = cfg.hue_delta ?? 5;
    this.saturation_delta = cfg.saturation_delta ?? 30;
    this.value_delta = cfg.value_delta ?? 30;
  }

  /** The integer `[h, s, v]` gains mmdet draws (3 uniforms, then 3 coin flips). */
  drawGains(ctx: TransformContext): [number, number, number] {
    const deltas = [this.hue_delta, this.saturation_delta, this.value_delta];
    const u = deltas.map((d) => ctx.rng.uniform(-1, 1) * d);
    const keep = deltas.map(() => ctx.rng.randint(0, 2));
    return u.map((g, i) => Math.trunc(g * keep[i]!)) as [number, number, number];
  }

  apply(results: Results, ctx: TransformContext): Results {
    const img = requireImage(results, 'YOLOXHSVRandomAug');
    if (!(img.data instanceof Uint8Array) || img.channels !== 3) {
      throw new AssertionError_('DATA_BAD_IMAGE', 'YOLOXHSVRandomAug needs a uint8 3-channel BGR image', { hint: 'put it before Normalize / PhotoMetricDistortion (they make float images)' });
    }
    const [gh, gs, gv] = this.drawGains(ctx);
    const hsv = bgr2hsvU8(img.data);
    for (let i = 0; i < hsv.length; i += 3) {
      hsv[i] = (((hsv[i]! + gh) % 180) + 180) % 180;
      hsv[i + 1] = Math.min(Math.max(hsv[i + 1]! + gs, 0), 255);
      hsv[i + 2] = Math.min(Math.max(hsv[i + 2]! + gv, 0), 255);
    }
    results.img = { data: hsv2bgrU8(hsv), height: img.height, width: img.width, channels: 3 };
    return results;
  }

  toString(): string {
    return `YOLOXHSVRandomAug(hue_delta=${this.hue_delta}, saturation_delta=${this.saturation_delta}, value_delta=${this.value_delta})`;
  }
}
