/**
 * @module Test helpers for data/: tiny images and annotation files written to a temp folder.
 * (Test-only: never imported by src/ code.)
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** A fresh temporary folder. */
export function tempDir(prefix = 'detkit-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes an RGB image whose pixel `(x, y)` is `fill(x, y)`.
 * @param format `png` (lossless, default) or `jpg`
 */
export async function writeImage(file: string, w: number, h: number, fill: (x: number, y: number) => [number, number, number], format: 'png' | 'jpg' = 'png'): Promise<void> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(fill(x, y), (y * w + x) * 3);
  const s = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, format === 'png' ? await s.png().toBuffer() : await s.jpeg({ quality: 95 }).toBuffer());
}

/** One object of {@link writeTinyCoco}: class index into `classes`, box `[x, y, w, h]`. */
export interface TinyObject {
  cls: number;
  bbox: [number, number, number, number];
}

/**
 * Writes a COCO dataset of solid-colour images with filled rectangles: `dir/img/<i>.png` and
 * `dir/ann.json`. Category ids are `10 + k` (not 1-based on purpose).
 * @returns the annotation file, image prefix and class names
 */
export async function writeTinyCoco(
  dir: string,
  images: Array<{ w: number; h: number; objects: TinyObject[] }>,
  classes: string[] = ['a', 'b'],
): Promise<{ annFile: string; imgPrefix: string; classes: string[] }> {
  const json = {
    images: [] as unknown[],
    annotations: [] as unknown[],
    categories: classes.map((name, k) => ({ id: 10 + k, name })),
  };
  let annId = 1;
  for (let i = 0; i < images.length; i++) {
    const { w, h, objects } = images[i]!;
    const file = `${i}.png`;
    await writeImage(join(dir, 'img', file), w, h, (x, y) => {
      for (const o of objects) {
        const [bx, by, bw, bh] = o.bbox;
        if (x >= bx && x < bx + bw && y >= by && y < by + bh) return o.cls === 0 ? [255, 0, 0] : [0, 0, 255];
      }
      return [(x * 7) % 256, (y * 5) % 256, 60];
    });
    json.images.push({ id: i + 1, file_name: file, width: w, height: h });
    for (const o of objects) {
      const [x, y, bw, bh] = o.bbox;
      json.annotations.push({
        id: annId++,
        image_id: i + 1,
        category_id: 10 + o.cls,
        bbox: o.bbox,
        area: bw * bh,
        iscrowd: 0,
        segmentation: [[x, y, x + bw, y, x + bw, y + bh, x, y + bh]],
      });
    }
  }
  const annFile = join(dir, 'ann.json');
  writeFileSync(annFile, JSON.stringify(json));
  return { annFile, imgPrefix: join(dir, 'img'), classes };
}

/** The standard mmdet COCO train pipeline at a small scale (for fast tests). */
export function smallTrainPipeline(scale: [number, number] = [64, 48], withMask = false): Array<{ type: string; [k: string]: unknown }> {
  return [
    { type: 'LoadImageFromFile' },
    { type: 'LoadAnnotations', with_bbox: true, with_mask: withMask },
    { type: 'Resize', img_scale: scale, keep_ratio: true },
    { type: 'RandomFlip', flip_ratio: 0.5 },
    { type: 'Normalize', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true },
    { type: 'Pad', size_divisor: 32 },
    { type: 'DefaultFormatBundle' },
    { type: 'Collect', keys: withMask ? ['img', 'gt_bboxes', 'gt_labels', 'gt_masks'] : ['img', 'gt_bboxes', 'gt_labels'] },
  ];
}
