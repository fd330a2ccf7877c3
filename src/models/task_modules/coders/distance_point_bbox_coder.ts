/**
 * @module Port of `mmdet/core/bbox/coder/distance_point_bbox_coder.py` @ v2.28.2.
 *
 * Encodes a box as the distances `(left, top, right, bottom)` from a point to its sides (FCOS).
 */
import { tf } from '../../../backend/index.js';

/** Config of {@link DistancePointBBoxCoder}. */
export interface DistancePointBBoxCoderConfig {
  /** Clip decoded boxes to the image. */
  clip_border?: boolean;
}

/** Point-to-side distance box coder. */
export class DistancePointBBoxCoder {
  static readonly type = 'DistancePointBBoxCoder';
  readonly clipBorder: boolean;
  readonly encodeSize = 4;

  constructor(cfg: DistancePointBBoxCoderConfig = {}) {
    this.clipBorder = cfg.clip_border ?? true;
  }

  /**
   * Distances from `points` (`[n, 2]`) to the sides of `gtBboxes` (`[n, 4]`).
   * @param maxDis clamp distances to `[0, maxDis - eps]` when given
   */
  encode(points: Float32Array, gtBboxes: Float32Array, maxDis: number | null = null, eps = 0.1): Float32Array {
    const n = points.length / 2;
    const out = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const px = points[2 * i];
      const py = points[2 * i + 1];
      const d = [px - gtBboxes[4 * i], py - gtBboxes[4 * i + 1], gtBboxes[4 * i + 2] - px, gtBboxes[4 * i + 3] - py];
      for (let j = 0; j < 4; j++) out[4 * i + j] = maxDis === null ? d[j] : Math.min(Math.max(d[j], 0), maxDis - eps);
    }
    return out;
  }

  /** Boxes from points and distances on typed arrays; clipped to `maxShape` `[h, w]`. */
  decodeArray(points: Float32Array, distances: Float32Array, maxShape?: [number, number] | null): Float32Array {
    const n = points.length / 2;
    const out = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const px = points[2 * i];
      const py = points[2 * i + 1];
      let x1 = px - distances[4 * i];
      let y1 = py - distances[4 * i + 1];
      let x2 = px + distances[4 * i + 2];
      let y2 = py + distances[4 * i + 3];
      if (this.clipBorder && maxShape != null) {
        x1 = Math.min(Math.max(x1, 0), maxShape[1]);
        x2 = Math.min(Math.max(x2, 0), maxShape[1]);
        y1 = Math.min(Math.max(y1, 0), maxShape[0]);
        y2 = Math.min(Math.max(y2, 0), maxShape[0]);
      }
      out[4 * i] = x1;
      out[4 * i + 1] = y1;
      out[4 * i + 2] = x2;
      out[4 * i + 3] = y2;
    }
    return out;
  }

  /** Differentiable decode: `points` `[n, 2]`, `distances` `[n, 4]` → boxes `[n, 4]`. */
  decode(points: tf.Tensor2D, distances: tf.Tensor2D, maxShape?: [number, number] | null): tf.Tensor2D {
    return tf.tidy(() => {
      const xy = tf.concat([points, points], 1);
      const sign = tf.tensor1d([-1, -1, 1, 1]);
      let out = xy.add(distances.mul(sign));
      if (this.clipBorder && maxShape != null) {
        out = tf.minimum(tf.maximum(out, 0), tf.tensor1d([maxShape[1], maxShape[0], maxShape[1], maxShape[0]]));
      }
      return out as tf.Tensor2D;
    });
  }
}
