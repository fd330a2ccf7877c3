/**
 * @module Image decoding with sharp: mmcv `imfrombytes` / `imread` (`mmcv/image/io.py` @ 1.7).
 *
 * `color` applies the EXIF orientation and always gives 3 channels (grey files are expanded, alpha
 * dropped), as cv2's `IMREAD_COLOR`; `grayscale` gives 1 channel; `unchanged` keeps the channels and
 * ignores the orientation (cv2 `IMREAD_UNCHANGED`). `channel_order` `bgr` (mmcv's default) or `rgb`.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { FileNotFoundError, ValueError } from '../../utils/errors.js';
import type { Image } from './types.js';

/** mmcv `color_type` values. */
export type ColorType = 'color' | 'grayscale' | 'unchanged' | 'color_ignore_orientation' | 'grayscale_ignore_orientation';

/**
 * Decodes encoded image bytes (JPEG, PNG, WebP, TIFF, ...) into an HWC uint8 {@link Image}.
 * @param file only used in error messages
 * @throws ValueError `DATA_IMAGE_DECODE` when the bytes are not a decodable image
 */
export async function imfrombytes(bytes: Buffer, colorType: ColorType = 'color', channelOrder: 'bgr' | 'rgb' = 'bgr', file = '<bytes>'): Promise<Image> {
  try {
    let s = sharp(bytes, { failOn: 'error' });
    if (colorType === 'color' || colorType === 'grayscale') s = s.rotate();
    if (colorType === 'color' || colorType === 'color_ignore_orientation') s = s.removeAlpha().toColourspace('srgb');
    else if (colorType === 'grayscale' || colorType === 'grayscale_ignore_orientation') s = s.removeAlpha().toColourspace('b-w');
    const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
    let c = info.channels;
    let arr = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if ((colorType === 'color' || colorType === 'color_ignore_orientation') && c !== 3) {
      // sharp keeps 1-channel greys as 1 channel: expand to 3 like IMREAD_COLOR.
      const out = new Uint8Array(info.width * info.height * 3);
      for (let i = 0, j = 0; i < out.length; i += 3, j += c) out[i] = out[i + 1] = out[i + 2] = arr[j]!;
      arr = out;
      c = 3;
    } else {
      arr = arr.slice();
    }
    if (channelOrder === 'bgr' && c >= 3) {
      for (let i = 0; i < arr.length; i += c) {
        const t = arr[i]!;
        arr[i] = arr[i + 2]!;
        arr[i + 2] = t;
      }
    }
    return { data: arr, height: info.height, width: info.width, channels: c };
  } catch (err) {
    throw new ValueError('DATA_IMAGE_DECODE', `cannot decode image ${file}: ${(err as Error).message}`, {
      file,
      cause: err,
      hint: 'the file is corrupt or not an image (JPEG/PNG/WebP/TIFF)',
    });
  }
}

/**
 * mmcv `imread` of a file.
 * @throws FileNotFoundError `DATA_IMAGE_NOT_FOUND` when the file does not exist
 */
export async function imread(file: string, colorType: ColorType = 'color', channelOrder: 'bgr' | 'rgb' = 'bgr'): Promise<Image> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new FileNotFoundError('DATA_IMAGE_NOT_FOUND', `image file not found: ${file}`, {
        file,
        cause: err,
        hint: 'check data_root / img_prefix and the file names in the annotation file',
      });
    }
    throw new ValueError('DATA_IMAGE_READ', `cannot read image ${file}: ${(err as Error).message}`, { file, cause: err });
  }
  return imfrombytes(bytes, colorType, channelOrder, file);
}

/**
 * Encodes an HWC image (uint8, or float clamped to 0..255) to PNG or JPEG (mmcv `imwrite`).
 * @param channelOrder order of `img`'s channels (`bgr` as loaded by default)
 */
export async function imencode(img: Image, format: 'png' | 'jpg', channelOrder: 'bgr' | 'rgb' = 'bgr'): Promise<Buffer> {
  const { width, height, channels: c } = img;
  const out = new Uint8Array(width * height * c);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(img.data[i]!);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  if (channelOrder === 'bgr' && c >= 3) {
    for (let i = 0; i < out.length; i += c) {
      const t = out[i]!;
      out[i] = out[i + 2]!;
      out[i + 2] = t;
    }
  }
  const s = sharp(out, { raw: { width, height, channels: c as 1 | 2 | 3 | 4 } });
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 95 }).toBuffer();
}
