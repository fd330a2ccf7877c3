/**
 * @module Port of `mmdet/core/bbox/coder/delta_xywh_bbox_coder.py` @ v2.28.2.
 *
 * Encodes boxes as deltas `(dx, dy, dw, dh)` relative to proposals/anchors, normalised by
 * `target_means`/`target_stds`; decodes back with the `wh_ratio_clip` clamp and border clipping.
 * `encode`/`decodeArray` work on typed arrays (targets, test-time decoding); `decode` is the
 * differentiable tensor version (heads with `reg_decoded_bbox`).
 */
import { tf } from '../../../backend/index.js';

/** Config of {@link DeltaXYWHBBoxCoder}. */
export interface DeltaXYWHBBoxCoderConfig {
  target_means?: [number, number, number, number];
  target_stds?: [number, number, number, number];
  /** Clip decoded boxes to the image (`max_shape`). */
  clip_border?: boolean;
  /** Clamp the centre shift to ±ctr_clamp pixels (YOLOF). */
  add_ctr_clamp?: boolean;
  ctr_clamp?: number;
}

const WH_RATIO_CLIP = 16 / 1000;

/** Delta (dx, dy, dw, dh) box coder. */
export class DeltaXYWHBBoxCoder {
  static readonly type = 'DeltaXYWHBBoxCoder';
  readonly means: [number, number, number, number];
  readonly stds: [number, number, number, number];
  readonly clipBorder: boolean;
  readonly addCtrClamp: boolean;
  readonly ctrClamp: number;
  /** Values per encoded box. */
  readonly encodeSize = 4;

  constructor(cfg: DeltaXYWHBBoxCoderConfig = {}) {
    this.means = cfg.target_means ?? [0, 0, 0, 0];
    this.stds = cfg.target_stds ?? [1, 1, 1, 1];
    this.clipBorder = cfg.clip_border ?? true;
    this.addCtrClamp = cfg.add_ctr_clamp ?? false;
    this.ctrClamp = cfg.ctr_clamp ?? 32;
  }

  /**
   * Deltas from `bboxes` (proposals) to `gtBboxes`, both `[n, 4]`.
   * @returns `[n, 4]` normalised deltas
   */
  encode(bboxes: Float32Array, gtBboxes: Float32Array): Float32Array {
    if (bboxes.length !== gtBboxes.length) throw new Error(`encode: ${bboxes.length / 4} boxes vs ${gtBboxes.length / 4} targets`);
    const out = new Float32Array(bboxes.length);
    const [m0, m1, m2, m3] = this.means;
    const [s0, s1, s2, s3] = this.stds;
    for (let i = 0; i < bboxes.length; i += 4) {
      const pw = bboxes[i + 2] - bboxes[i];
      const ph = bboxes[i + 3] - bboxes[i + 1];
      const px = (bboxes[i] + bboxes[i + 2]) * 0.5;
      const py = (bboxes[i + 1] + bboxes[i + 3]) * 0.5;
      const gw = gtBboxes[i + 2] - gtBboxes[i];
      const gh = gtBboxes[i + 3] - gtBboxes[i + 1];
      const gx = (gtBboxes[i] + gtBboxes[i + 2]) * 0.5;
      const gy = (gtBboxes[i + 1] + gtBboxes[i + 3]) * 0.5;
      out[i] = ((gx - px) / pw - m0) / s0;
      out[i + 1] = ((gy - py) / ph - m1) / s1;
      out[i + 2] = (Math.log(gw / pw) - m2) / s2;
      out[i + 3] = (Math.log(gh / ph) - m3) / s3;
    }
    return out;
  }

  /**
   * Boxes from `bboxes` and `deltas` (`[n, 4]` each) on typed arrays.
   * @param maxShape `[h, w]` to clip to (when `clip_border`)
   */
  decodeArray(bboxes: Float32Array, deltas: Float32Array, maxShape?: [number, number] | null): Float32Array {
    const out = new Float32Array(deltas.length);
    const maxRatio = Math.abs(Math.log(WH_RATIO_CLIP));
    for (let i = 0; i < deltas.length; i += 4) {
      const dx = deltas[i] * this.stds[0] + this.means[0];
      const dy = deltas[i + 1] * this.stds[1] + this.means[1];
      let dw = deltas[i + 2] * this.stds[2] + this.means[2];
      let dh = deltas[i + 3] * this.stds[3] + this.means[3];
      const pw = bboxes[i + 2] - bboxes[i];
      const ph = bboxes[i + 3] - bboxes[i + 1];
      const px = (bboxes[i] + bboxes[i + 2]) * 0.5;
      const py = (bboxes[i + 1] + bboxes[i + 3]) * 0.5;
      let sx = pw * dx;
      let sy = ph * dy;
      if (this.addCtrClamp) {
        sx = Math.min(Math.max(sx, -this.ctrClamp), this.ctrClamp);
        sy = Math.min(Math.max(sy, -this.ctrClamp), this.ctrClamp);
        dw = Math.min(dw, maxRatio);
        dh = Math.min(dh, maxRatio);
      } else {
        dw = Math.min(Math.max(dw, -maxRatio), maxRatio);
        dh = Math.min(Math.max(dh, -maxRatio), maxRatio);
      }
      const gx = px + sx;
      const gy = py + sy;
      const gw = pw * Math.exp(dw);
      const gh = ph * Math.exp(dh);
      let x1 = gx - gw * 0.5;
      let y1 = gy - gh * 0.5;
      let x2 = gx + gw * 0.5;
      let y2 = gy + gh * 0.5;
      if (this.clipBorder && maxShape != null) {
        x1 = Math.min(Math.max(x1, 0), maxShape[1]);
        x2 = Math.min(Math.max(x2, 0), maxShape[1]);
        y1 = Math.min(Math.max(y1, 0), maxShape[0]);
        y2 = Math.min(Math.max(y2, 0), maxShape[0]);
      }
      out[i] = x1;
      out[i + 1] = y1;
      out[i + 2] = x2;
      out[i + 3] = y2;
    }
    return out;
  }

  /**
   * Differentiable decode: `bboxes` `[n, 4]` (constant), `deltas` `[n, 4]` tensor.
   * @returns `[n, 4]` boxes tensor (caller owns it)
   */
  decode(bboxes: tf.Tensor2D, deltas: tf.Tensor2D, maxShape?: [number, number] | null): tf.Tensor2D {
    return tf.tidy(() => {
      const maxRatio = Math.abs(Math.log(WH_RATIO_CLIP));
      const d = deltas.mul(tf.tensor1d(this.stds)).add(tf.tensor1d(this.means));
      const pxy = bboxes.slice([0, 0], [-1, 2]).add(bboxes.slice([0, 2], [-1, 2])).mul(0.5);
      const pwh = bboxes.slice([0, 2], [-1, 2]).sub(bboxes.slice([0, 0], [-1, 2]));
      let dxyWh = pwh.mul(d.slice([0, 0], [-1, 2]));
      let dwh = d.slice([0, 2], [-1, 2]);
      if (this.addCtrClamp) {
        dxyWh = dxyWh.clipByValue(-this.ctrClamp, this.ctrClamp);
        dwh = tf.minimum(dwh, maxRatio);
      } else {
        dwh = dwh.clipByValue(-maxRatio, maxRatio);
      }
      const gxy = pxy.add(dxyWh);
      const half = pwh.mul(dwh.exp()).mul(0.5);
      let out = tf.concat([gxy.sub(half), gxy.add(half)], 1);
      if (this.clipBorder && maxShape != null) {
        const hi = tf.tensor1d([maxShape[1], maxShape[0], maxShape[1], maxShape[0]]);
        out = tf.minimum(tf.maximum(out, 0), hi);
      }
      return out as tf.Tensor2D;
    });
  }
}
