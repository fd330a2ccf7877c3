/**
 * @module Port of `mmdet/models/roi_heads/roi_extractors/single_level_roi_extractor.py`
 * (SingleRoIExtractor, with `base_roi_extractor.py`) @ v2.28.2.
 *
 * Each RoI is pooled from one FPN level chosen by its scale (`finest_scale` 56: level
 * `floor(log2(sqrt(w*h) / 56 + 1e-6))` clamped to `[0, L-1]`) with RoIAlign at
 * `spatial_scale = 1 / stride`.
 */
import { tf } from '../../../backend/index.js';
import { Module } from '../../../nn/module.js';
import { roiAlignLevels } from '../../../ops/roi_align.js';
import type { BuildContext } from '../../../registry/registry.js';
import { ValueError } from '../../../utils/errors.js';
import { joinConfigPath } from '../../../utils/config_meta.js';

/** mmcv `RoIAlign` layer config. */
export interface RoILayerConfig {
  type: string;
  output_size: number | [number, number];
  sampling_ratio?: number;
  aligned?: boolean;
  pool_mode?: 'avg';
  use_torchvision?: boolean;
}

/** Config of {@link SingleRoIExtractor} (mmdet keys). */
export interface SingleRoIExtractorConfig {
  roi_layer: RoILayerConfig;
  /** Channels of the pooled features (those of the input levels). */
  out_channels: number;
  /** Stride of each input level, finest first (e.g. `[4, 8, 16, 32]`). */
  featmap_strides: number[];
  /** Scale (sqrt of the RoI area, in pixels) mapped to the first level. Default 56. */
  finest_scale?: number;
  init_cfg?: null;
}

/** Pools RoI features from the FPN level matching each RoI's scale. */
export class SingleRoIExtractor extends Module {
  static readonly type = 'SingleRoIExtractor';
  static override readonly torchName: string = 'SingleRoIExtractor';
  readonly outputSize: [number, number];
  readonly samplingRatio: number;
  readonly aligned: boolean;
  readonly outChannels: number;
  readonly featmapStrides: number[];
  readonly finestScale: number;

  constructor(cfg: SingleRoIExtractorConfig, ctx: BuildContext = {}) {
    super();
    const layer = cfg.roi_layer;
    if (layer?.type !== 'RoIAlign') {
      throw new ValueError('ROI_LAYER_UNSUPPORTED', `roi_layer.type must be 'RoIAlign', got '${String(layer?.type)}'.`, {
        configPath: joinConfigPath(ctx.path, 'roi_layer.type'),
        file: ctx.file,
      });
    }
    const os = layer.output_size;
    this.outputSize = typeof os === 'number' ? [os, os] : [os[0], os[1]];
    this.samplingRatio = layer.sampling_ratio ?? 0;
    this.aligned = layer.aligned ?? true;
    this.outChannels = cfg.out_channels;
    this.featmapStrides = cfg.featmap_strides;
    this.finestScale = cfg.finest_scale ?? 56;
  }

  /** Built by the registry with its config path. */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): SingleRoIExtractor {
    return new SingleRoIExtractor(args as unknown as SingleRoIExtractorConfig, ctx);
  }

  /** Number of feature levels read (mmdet `num_inputs`). */
  get numInputs(): number {
    return this.featmapStrides.length;
  }

  /**
   * Level of each RoI (mmdet `map_roi_levels`).
   * @param rois `[K, 5]` row-major `batch_idx, x1, y1, x2, y2`
   * @returns `[K]` level indices in `[0, numLevels)`
   */
  mapRoiLevels(rois: Float32Array, numLevels: number): Int32Array {
    const k = rois.length / 5;
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const scale = Math.sqrt((rois[5 * i + 3] - rois[5 * i + 1]) * (rois[5 * i + 4] - rois[5 * i + 2]));
      const lvl = Math.floor(Math.log2(scale / this.finestScale + 1e-6));
      out[i] = Math.min(Math.max(Number.isFinite(lvl) ? lvl : 0, 0), numLevels - 1);
    }
    return out;
  }

  /**
   * Pooled features of every RoI.
   * @param feats NHWC levels, finest first (only the first `numInputs` are read)
   * @param rois `[K, 5]` RoIs in image pixels
   * @returns `[K, ph, pw, C]` (caller owns it)
   */
  forward(feats: tf.Tensor4D[], rois: tf.Tensor2D): tf.Tensor4D {
    // Porting note: mmdet runs one roi_align per level and writes the results into a shared output
    // by index; here one op pools every RoI from its level straight into RoI order, so neither
    // per-level results nor a concat + reordering gather (each RoI-output-sized, kept for the
    // backward: 3 x 49 MB for 1024 7x7x256 RoIs) are made.
    const numLevels = Math.min(this.numInputs, feats.length);
    const levels = numLevels === 1 ? new Int32Array(rois.shape[0]) : this.mapRoiLevels(rois.dataSync() as Float32Array, numLevels);
    const scales = this.featmapStrides.slice(0, numLevels).map((s) => 1 / s);
    return roiAlignLevels(feats.slice(0, numLevels), rois, levels, scales, {
      outputSize: this.outputSize, samplingRatio: this.samplingRatio, aligned: this.aligned,
    });
  }
}
