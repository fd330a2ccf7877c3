/**
 * @module Port of `mmdet/models/roi_heads/mask_heads/fcn_mask_head.py` (FCNMaskHead) @ v2.28.2.
 *
 * `num_convs` 3×3 ConvModules → 2× "deconv" upsample + ReLU → 1×1 `conv_logits` to one mask logit
 * map per class (28×28 from 14×14 RoI features). Targets: each positive RoI's gt mask cropped and
 * resized to `mask_size` (`mask_target.ts`: bitmaps through RoIAlign binarised at 0.5, polygons
 * rasterised inside the RoI, as mmdet's `BitmapMasks` / `PolygonMasks.crop_and_resize`); loss:
 * per-pixel BCE of the gt class's map, mean over pixels (`loss_mask`). Test: each detection's map
 * pasted into the image (mmdet `_do_paste_mask`: bilinear `grid_sample`, `align_corners=False`),
 * thresholded at `mask_thr_binary`, returned as uncompressed COCO RLEs per class.
 */
import { tf } from '../../../backend/index.js';
import { ConvModule } from '../../../nn/conv_module.js';
import { Conv2d } from '../../../nn/conv2d.js';
import { ModuleList } from '../../../nn/container.js';
import { Module } from '../../../nn/module.js';
import type { NormCfg } from '../../../nn/norm.js';
import { kaimingInit } from '../../../nn/weight_init.js';
import type { BuildContext } from '../../../registry/registry.js';
import type { ImageMeta, InstanceMasks, RLE } from '../../../structures/det_types.js';
import { bitmapToRle } from '../../../structures/mask_structures.js';
import { joinConfigPath } from '../../../utils/config_meta.js';
import { ValueError } from '../../../utils/errors.js';
import type { Rng } from '../../../utils/rng.js';
import type { SamplingResult } from '../../task_modules/samplers/sampling_result.js';
import type { RCNNTrainConfig } from '../bbox_heads/bbox_head.js';
import { ConvTranspose2d } from './conv_transpose2d.js';
import { maskTarget } from './mask_target.js';
import { relu } from '../../../nn/functional.js';

/** Config of {@link FCNMaskHead} (mmdet keys). */
export interface FCNMaskHeadConfig {
  num_convs?: number;
  /** Side of the pooled RoI features (14). */
  roi_feat_size?: number;
  in_channels?: number;
  conv_kernel_size?: number;
  conv_out_channels?: number;
  num_classes?: number;
  class_agnostic?: boolean;
  /** Only `{type: 'deconv', scale_factor}` is supported. */
  upsample_cfg?: { type: string; scale_factor?: number };
  conv_cfg?: { type: string; [k: string]: unknown } | null;
  norm_cfg?: NormCfg | null;
  /** mmdet: `CrossEntropyLoss` with `use_mask=True`; its `loss_weight` scales the loss. */
  loss_mask?: { type: string; use_mask?: boolean; loss_weight?: number; [k: string]: unknown };
  init_cfg?: null;
}

/** mmdet's FCNMaskHead. */
export class FCNMaskHead extends Module {
  static readonly type = 'FCNMaskHead';
  static override readonly torchName: string = 'FCNMaskHead';
  readonly numClasses: number;
  readonly classAgnostic: boolean;
  readonly roiFeatSize: number;
  readonly lossWeight: number;
  readonly convs: ModuleList<ConvModule>;
  readonly upsample: ConvTranspose2d;
  readonly conv_logits: Conv2d;

  constructor(cfg: FCNMaskHeadConfig, ctx: BuildContext = {}) {
    super();
    const numConvs = cfg.num_convs ?? 4;
    const inChannels = cfg.in_channels ?? 256;
    const k = cfg.conv_kernel_size ?? 3;
    const outC = cfg.conv_out_channels ?? 256;
    this.numClasses = cfg.num_classes ?? 80;
    this.classAgnostic = cfg.class_agnostic ?? false;
    this.roiFeatSize = cfg.roi_feat_size ?? 14;
    const up = cfg.upsample_cfg ?? { type: 'deconv', scale_factor: 2 };
    if (up.type !== 'deconv') {
      throw new ValueError('MASK_HEAD_UPSAMPLE_UNSUPPORTED', `upsample_cfg.type '${up.type}' is not supported (only 'deconv')`, { configPath: joinConfigPath(ctx.path, 'upsample_cfg.type'), file: ctx.file });
    }
    const loss = cfg.loss_mask ?? { type: 'CrossEntropyLoss', use_mask: true, loss_weight: 1.0 };
    if (loss.type !== 'CrossEntropyLoss' || loss.use_mask !== true) {
      throw new ValueError('MASK_HEAD_LOSS_UNSUPPORTED', `loss_mask must be CrossEntropyLoss with use_mask=True, got ${JSON.stringify(loss)}`, { configPath: joinConfigPath(ctx.path, 'loss_mask'), file: ctx.file });
    }
    this.lossWeight = loss.loss_weight ?? 1.0;
    this.convs = this.addModule('convs', new ModuleList(Array.from({ length: numConvs }, (_, i) =>
      new ConvModule({ in_channels: i === 0 ? inChannels : outC, out_channels: outC, kernel_size: k, padding: (k - 1) / 2, conv_cfg: cfg.conv_cfg ?? null, norm_cfg: cfg.norm_cfg ?? null }))));
    const lastC = numConvs > 0 ? outC : inChannels;
    const s = up.scale_factor ?? 2;
    this.upsample = this.addModule('upsample', new ConvTranspose2d({ in_channels: lastC, out_channels: outC, kernel_size: s, stride: s }));
    this.conv_logits = this.addModule('conv_logits', new Conv2d({ in_channels: outC, out_channels: this.classAgnostic ? 1 : this.numClasses, kernel_size: 1 }));
    this.init_cfg = null;
  }

  /** Built by the registry with its config path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): FCNMaskHead {
    return new FCNMaskHead(args as unknown as FCNMaskHeadConfig, ctx);
  }

  /** mmdet `FCNMaskHead.init_weights`: Kaiming normal (fan_out, ReLU) on `upsample` and `conv_logits`, zero biases. */
  override applyInitWeights(rng: Rng): void {
    super.applyInitWeights(rng);
    for (const m of [this.upsample, this.conv_logits]) kaimingInit(m, { mode: 'fan_out', nonlinearity: 'relu', bias: 0 }, rng);
  }

  /**
   * @param x `[K, s, s, C]` RoI features
   * @returns `[K, 2s, 2s, numClasses]` mask logits (1 channel when class-agnostic); caller owns it
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = x;
      for (const c of this.convs) h = c.forward(h);
      return this.conv_logits.forward(relu(this.upsample.forward(h)) as tf.Tensor4D);
    });
  }

  /**
   * Mask targets of the positive RoIs of every image, concatenated (mmdet `mask_target`; bitmap
   * and polygon gt masks, see `mask_target.ts`).
   * @returns `[P * m * m]` row-major 0/1 targets, `m = train_cfg.mask_size`
   */
  getTargets(results: SamplingResult[], gtMasks: InstanceMasks[], trainCfg: RCNNTrainConfig): Float32Array {
    return maskTarget(results, gtMasks, trainCfg.mask_size ?? 28);
  }

  /**
   * `loss_mask`: mean BCE-with-logits of each positive RoI's gt-class map against its target
   * (mmdet `mask_cross_entropy`).
   * @param pred `[P, m, m, C]` logits
   * @param targets `[P * m * m]` 0/1
   * @param labels `[P]` gt classes
   */
  loss(pred: tf.Tensor4D, targets: Float32Array, labels: Int32Array): Record<string, tf.Scalar> {
    const [p, mh, mw, c] = pred.shape;
    if (p === 0) return { loss_mask: pred.sum() as tf.Scalar };
    const loss = tf.tidy(() => {
      const cls = c === 1 ? tf.zeros([p], 'int32') : tf.tensor1d(labels, 'int32');
      const x = pred.reshape([p, mh * mw, c]).mul(tf.oneHot(cls, c).toFloat().reshape([p, 1, c])).sum(2);
      const t = tf.tensor2d(targets, [p, mh * mw]);
      // max(x, 0) - x * t + log(1 + exp(-|x|))
      const bce = tf.relu(x).sub(x.mul(t)).add(tf.softplus(x.abs().neg()));
      return bce.mean().mul(this.lossWeight) as tf.Scalar;
    });
    return { loss_mask: loss };
  }

  /**
   * Masks of one image's detections, pasted into the image and run-length encoded (mmdet
   * `get_seg_masks` + `encode_mask_results`).
   * @param probs `[n * m * m]` sigmoid probabilities of each detection's class map
   * @param dets `[n, 5]` detections (original-image pixels when `rescale`, else `img_shape` pixels)
   * @returns per class, one uncompressed RLE per detection of that class, in detection order.
   *   Porting note: mmdet's `encode_mask_results` stores compressed `counts` strings; detkit keeps
   *   the run lengths (every reader here, `rleFromObject`, takes both forms).
   */
  getSegMasks(probs: Float32Array, dets: Float32Array, labels: Int32Array, meta: ImageMeta, rescale: boolean, numClasses: number, maskThr = 0.5): RLE[][] {
    const n = dets.length / 5;
    const m = Math.round(Math.sqrt(probs.length / Math.max(n, 1)));
    const [imgH, imgW] = rescale
      ? [meta.ori_shape[0], meta.ori_shape[1]]
      : [Math.round(meta.ori_shape[0] * meta.scale_factor[1]), Math.round(meta.ori_shape[1] * meta.scale_factor[0])];
    const segms: RLE[][] = Array.from({ length: numClasses }, () => []);
    for (let i = 0; i < n; i++) {
      const mask = pasteMask(probs.subarray(i * m * m, (i + 1) * m * m), m, dets.subarray(5 * i, 5 * i + 4), imgH, imgW, maskThr);
      segms[labels[i]].push({ size: [imgH, imgW], counts: Array.from(bitmapToRle(mask, imgH, imgW).cnts) });
    }
    return segms;
  }
}

/**
 * Pastes an `m × m` probability map into an `imgH × imgW` image over `box` (mmdet `_do_paste_mask`
 * with `skip_empty`: bilinear `grid_sample`, `align_corners=False`, zeros outside), thresholded.
 * @returns row-major `imgH * imgW` 0/1 mask
 */
export function pasteMask(prob: Float32Array, m: number, box: Float32Array, imgH: number, imgW: number, thr: number): Uint8Array {
  const [x0, y0, x1, y1] = box;
  const out = new Uint8Array(imgH * imgW);
  const xs = Math.max(Math.floor(x0) - 1, 0);
  const ys = Math.max(Math.floor(y0) - 1, 0);
  const xe = Math.min(Math.ceil(x1) + 1, imgW);
  const ye = Math.min(Math.ceil(y1) + 1, imgH);
  const sample = (u: number, v: number): number => {
    // input pixel coordinates of grid point (u, v) in [-1, 1]: ((g + 1) * size - 1) / 2
    const fx = ((u + 1) * m - 1) / 2;
    const fy = ((v + 1) * m - 1) / 2;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const wx = fx - ix;
    const wy = fy - iy;
    let s = 0;
    for (const [yy, wyy] of [[iy, 1 - wy], [iy + 1, wy]] as const) {
      if (yy < 0 || yy >= m) continue;
      for (const [xx, wxx] of [[ix, 1 - wx], [ix + 1, wx]] as const) {
        if (xx < 0 || xx >= m) continue;
        s += prob[yy * m + xx] * wyy * wxx;
      }
    }
    return s;
  };
  for (let y = ys; y < ye; y++) {
    const v = ((y + 0.5 - y0) / (y1 - y0)) * 2 - 1;
    for (let x = xs; x < xe; x++) {
      const u = ((x + 0.5 - x0) / (x1 - x0)) * 2 - 1;
      if (sample(u, v) >= thr) out[y * imgW + x] = 1;
    }
  }
  return out;
}
