/**
 * @module Box transforms on typed arrays (no tensors), shared by the data pipelines (which run in
 * worker threads without tfjs) and the models' test-time-augmentation merge.
 */
import type { FlipDirection } from '../ops/transforms.js';

/**
 * Flips boxes of `[n*4]` x1,y1,x2,y2 inside an image of `(h, w)` (mmdet `bbox_flip`):
 * horizontal `x1' = w − x2, x2' = w − x1`, vertical the same on y, diagonal both.
 */
export function bboxFlipArray(bboxes: Float32Array, h: number, w: number, direction: FlipDirection): Float32Array {
  const out = bboxes.slice();
  for (let i = 0; i < out.length; i += 4) {
    if (direction !== 'vertical') {
      out[i] = w - bboxes[i + 2]!;
      out[i + 2] = w - bboxes[i]!;
    }
    if (direction !== 'horizontal') {
      out[i + 1] = h - bboxes[i + 3]!;
      out[i + 3] = h - bboxes[i + 1]!;
    }
  }
  return out;
}
