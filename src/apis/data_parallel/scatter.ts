/**
 * @module Port of `mmcv/parallel/scatter_gather.py` `scatter` (torch `Tensor.chunk` along the batch
 * dimension) @ mmcv v1.7.2 for detkit's {@link DetBatch}.
 *
 * Chunks hold `ceil(B / n)` images each, the last one fewer; when `B < n` (or the division leaves
 * nothing for the last devices) fewer chunks than devices come out, as torch's `chunk` does, and
 * fewer replicas run. Every chunk keeps the batch's padded `H × W` (one collated tensor is split).
 */
import type { DetBatch } from '../../structures/det_types.js';

/**
 * Splits a collated batch into per-device chunks.
 * @param batch NHWC batch of `B` images
 * @param n number of devices (≥ 1)
 * @param copyFrom chunks with index ≥ `copyFrom` get their own image buffer (so it can be
 *   transferred to another thread); earlier chunks are views on `batch.img`. Default 1.
 * @returns `ceil(B / ceil(B / n))` chunks in image order
 */
export function scatterBatch(batch: DetBatch, n: number, copyFrom = 1): DetBatch[] {
  const [b, h, w, c] = batch.imgShape;
  const per = Math.ceil(b / Math.max(1, n));
  const px = h * w * c;
  const out: DetBatch[] = [];
  for (let start = 0, k = 0; start < b; start += per, k++) {
    const end = Math.min(b, start + per);
    const view = batch.img.subarray(start * px, end * px);
    out.push({ img: k >= copyFrom ? view.slice() : view, imgShape: [end - start, h, w, c], samples: batch.samples.slice(start, end) });
  }
  return out;
}
