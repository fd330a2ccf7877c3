/**
 * @module Port of `LoadImageFromFile` from `mmdet/datasets/pipelines/loading.py` @ v2.28.2.
 *
 * Porting notes: decoding uses sharp (see `image_io.ts`); `file_client_args` only supports the disk
 * backend; a grayscale image keeps a channel axis (`img_shape = [h, w, 1]`).
 */
import { join } from 'node:path';
import { ValueError } from '../../utils/errors.js';
import { imread, type ColorType } from './image_io.js';
import type { Results, Transform } from './types.js';

/** Options of {@link LoadImageFromFile} (mmdet keyword names). */
export interface LoadImageFromFileConfig {
  /** Convert the image to float32 (default false: uint8). */
  to_float32?: boolean;
  /** `color` (default), `grayscale`, `unchanged`. */
  color_type?: ColorType;
  /** `bgr` (default, as mmcv) or `rgb`. */
  channel_order?: 'bgr' | 'rgb';
  /** Only `{backend: 'disk'}`. */
  file_client_args?: { backend: string };
}

/** Loads `img_prefix/img_info.filename`; writes `filename, ori_filename, img, img_shape, ori_shape, img_fields`. */
export class LoadImageFromFile implements Transform {
  static readonly type = 'LoadImageFromFile';
  readonly to_float32: boolean;
  readonly color_type: ColorType;
  readonly channel_order: 'bgr' | 'rgb';

  constructor(cfg: LoadImageFromFileConfig = {}) {
    this.to_float32 = cfg.to_float32 ?? false;
    this.color_type = cfg.color_type ?? 'color';
    this.channel_order = cfg.channel_order ?? 'bgr';
    if (cfg.file_client_args !== undefined && cfg.file_client_args.backend !== 'disk') {
      throw new ValueError('DATA_FILE_CLIENT', `file_client_args.backend '${cfg.file_client_args.backend}' is not supported (only 'disk')`);
    }
  }

  async apply(results: Results): Promise<Results> {
    const info = results.img_info;
    if (info === undefined) throw new ValueError('DATA_MISSING_KEY', "LoadImageFromFile needs results['img_info'] (call dataset.pre_pipeline)");
    const filename = results.img_prefix !== undefined && results.img_prefix !== null ? join(results.img_prefix, info.filename) : info.filename;
    let img = await imread(filename, this.color_type, this.channel_order);
    if (this.to_float32) img = { ...img, data: Float32Array.from(img.data) };
    results.filename = filename;
    results.ori_filename = info.filename;
    results.img = img;
    results.img_shape = [img.height, img.width, img.channels];
    results.ori_shape = [img.height, img.width, img.channels];
    results.img_fields = ['img'];
    return results;
  }

  toString(): string {
    return `LoadImageFromFile(to_float32=${this.to_float32}, color_type='${this.color_type}', channel_order='${this.channel_order}')`;
  }
}
