/**
 * @module Drawing detections on images: mmdet `imshow_det_bboxes` (`mmdet/core/visualization/image.py`
 * @ v2.28.2) with @napi-rs/canvas. Used by `detkit browse-dataset` and `detkit infer`.
 *
 * Boxes are outlined in their class colour, masks blended at 50 %, labels written as
 * `class|score` on a filled tag above the box (inside it when at the top border).
 */
import { createCanvas } from '@napi-rs/canvas';
import type { InstanceMasks } from '../structures/det_types.js';
import { ValueError } from '../utils/errors.js';
import type { Image } from './pipelines/types.js';

/** A readable default palette (RGB), colour `k` for label `k mod 20`. */
export const DEFAULT_PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180],
  [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128],
  [220, 190, 255], [170, 110, 40], [255, 225, 25], [128, 0, 0], [170, 255, 195],
  [128, 128, 0], [255, 215, 180], [0, 0, 128], [128, 128, 128], [255, 255, 255],
];

/** Options of {@link imshowDetBboxes} (mmdet keyword names in camelCase). */
export interface ImshowDetBboxesOptions {
  /** Class names; label `k` prints `classNames[k]` (else the number). */
  classNames?: readonly string[];
  /** Boxes with a score (5th column) below this are not drawn (default 0). */
  scoreThr?: number;
  /** Instance masks aligned with the boxes (same image size). */
  masks?: InstanceMasks | Uint8Array[] | null;
  /** Colours per class (RGB), default {@link DEFAULT_PALETTE}. */
  palette?: ReadonlyArray<readonly [number, number, number]>;
  /** Channel order of `img` (default `bgr`, as loaded); the result has the same order. */
  channelOrder?: 'bgr' | 'rgb';
  /** Box line width in pixels (default 2). */
  thickness?: number;
  /** Label font size in pixels (default 13). */
  fontSize?: number;
}

/**
 * Draws boxes, labels and masks on a copy of `img`.
 * @param img HWC uint8 (or float 0..255) image with 3 channels
 * @param bboxes `[n*4]` or `[n*5]` (with score) row-major boxes in `img` pixels
 * @param labels `[n]` 0-based labels
 * @returns a new uint8 image in the same channel order
 */
export function imshowDetBboxes(img: Image, bboxes: ArrayLike<number>, labels: ArrayLike<number>, options: ImshowDetBboxesOptions = {}): Image {
  const n = labels.length;
  if (img.channels !== 3) throw new ValueError('VIS_BAD_IMAGE', `imshowDetBboxes needs a 3-channel image, got ${img.channels}`);
  if (n > 0 && bboxes.length !== n * 4 && bboxes.length !== n * 5) {
    throw new ValueError('VIS_BAD_BOXES', `bboxes must be [n, 4] or [n, 5] for ${n} labels, got ${bboxes.length} values`);
  }
  const cols = n === 0 ? 4 : bboxes.length / n;
  const palette = options.palette ?? DEFAULT_PALETTE;
  const names = options.classNames ?? [];
  const thr = options.scoreThr ?? 0;
  const bgr = (options.channelOrder ?? 'bgr') === 'bgr';
  const { width: w, height: h } = img;
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const rgba = ctx.createImageData(w, h);
  for (let i = 0, j = 0; i < w * h * 3; i += 3, j += 4) {
    rgba.data[j] = img.data[bgr ? i + 2 : i]!;
    rgba.data[j + 1] = img.data[i + 1]!;
    rgba.data[j + 2] = img.data[bgr ? i : i + 2]!;
    rgba.data[j + 3] = 255;
  }
  const keep: number[] = [];
  for (let k = 0; k < n; k++) if (cols === 4 || bboxes[k * 5 + 4]! >= thr) keep.push(k);
  const colour = (k: number): readonly [number, number, number] => palette[Math.abs(Math.trunc(labels[k]!)) % palette.length]!;
  // Bitmap masks: blend into the pixels.
  const masks = options.masks ?? null;
  const bitmaps = masks === null ? null : Array.isArray(masks) ? (masks as Uint8Array[]) : (masks as InstanceMasks).kind === 'bitmap' ? (masks as { masks: Uint8Array[] }).masks : null;
  if (bitmaps !== null) {
    for (const k of keep) {
      const m = bitmaps[k];
      if (m === undefined) continue;
      const [r, g, b] = colour(k);
      for (let p = 0; p < w * h && p < m.length; p++) {
        if (m[p] === 0) continue;
        const j = p * 4;
        rgba.data[j] = (rgba.data[j]! + r) >> 1;
        rgba.data[j + 1] = (rgba.data[j + 1]! + g) >> 1;
        rgba.data[j + 2] = (rgba.data[j + 2]! + b) >> 1;
      }
    }
  }
  ctx.putImageData(rgba, 0, 0);
  if (masks !== null && !Array.isArray(masks) && (masks as InstanceMasks).kind === 'polygon') {
    const polys = (masks as { polygons: Float64Array[][] }).polygons;
    ctx.globalAlpha = 0.5;
    for (const k of keep) {
      const [r, g, b] = colour(k);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      for (const p of polys[k] ?? []) {
        ctx.beginPath();
        ctx.moveTo(p[0]!, p[1]!);
        for (let q = 2; q < p.length; q += 2) ctx.lineTo(p[q]!, p[q + 1]!);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
  }
  const thickness = options.thickness ?? 2;
  const fontSize = options.fontSize ?? 13;
  ctx.font = `${fontSize}px DejaVu Sans, sans-serif`;
  ctx.textBaseline = 'top';
  for (const k of keep) {
    const [x1, y1, x2, y2] = [bboxes[k * cols]!, bboxes[k * cols + 1]!, bboxes[k * cols + 2]!, bboxes[k * cols + 3]!];
    const [r, g, b] = colour(k);
    ctx.strokeStyle = `rgb(${r},${g},${b})`;
    ctx.lineWidth = thickness;
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const label = Math.trunc(labels[k]!);
    let text = names[label] ?? `class ${label}`;
    if (cols === 5) text += `|${bboxes[k * 5 + 4]!.toFixed(2)}`;
    const tw = ctx.measureText(text).width + 4;
    const th = fontSize + 3;
    const ty = y1 - th >= 0 ? y1 - th : y1;
    ctx.fillStyle = `rgba(${r},${g},${b},0.85)`;
    ctx.fillRect(x1, ty, tw, th);
    ctx.fillStyle = r * 0.299 + g * 0.587 + b * 0.114 > 150 ? 'black' : 'white';
    ctx.fillText(text, x1 + 2, ty + 1);
  }
  const outRgba = ctx.getImageData(0, 0, w, h).data;
  const out = new Uint8Array(w * h * 3);
  for (let i = 0, j = 0; i < out.length; i += 3, j += 4) {
    out[bgr ? i + 2 : i] = outRgba[j]!;
    out[i + 1] = outRgba[j + 1]!;
    out[bgr ? i : i + 2] = outRgba[j + 2]!;
  }
  return { data: out, height: h, width: w, channels: 3 };
}
