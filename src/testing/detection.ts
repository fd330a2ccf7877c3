/**
 * @module Test helpers for detectors: image metadata and a two-image batch with one bright square
 * (the gt box `[8, 16, 40, 48]`, label 1) on faint noise, which a tiny detector learns in a few steps.
 */
import type { DetBatch, ImageMeta } from '../structures/det_types.js';
import { Rng } from '../utils/rng.js';

/** Metadata of an unresized, unpadded `size × size` image. */
export function squareImageMeta(size: number): ImageMeta {
  return {
    filename: 'x.png', ori_filename: 'x.png', ori_shape: [size, size, 3], img_shape: [size, size, 3], pad_shape: [size, size, 3],
    scale_factor: [1, 1, 1, 1], flip: false, flip_direction: null,
  };
}

/** Two `size × size` images (size ≥ 48) with a bright square at the gt box `[8, 16, 40, 48]`, label 1. */
export function brightSquareBatch(size = 64): DetBatch {
  const rng = new Rng(0);
  const img = new Float32Array(2 * size * size * 3);
  for (let i = 0; i < img.length; i++) img[i] = rng.normal() * 0.1;
  for (let b = 0; b < 2; b++) for (let y = 16; y < 48; y++) for (let x = 8; x < 40; x++) for (let c = 0; c < 3; c++) img[((b * size + y) * size + x) * 3 + c] = 1;
  const gt = { gt_bboxes: Float32Array.from([8, 16, 40, 48]), gt_labels: Int32Array.from([1]) };
  return { img, imgShape: [2, size, size, 3], samples: [{ meta: squareImageMeta(size), ...gt }, { meta: squareImageMeta(size), ...gt }] };
}
