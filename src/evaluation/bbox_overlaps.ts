/**
 * @module Port of `mmdet/core/evaluation/bbox_overlaps.py` @ v2.28.2: the numpy IoU that `eval_map` and
 * `eval_recalls` use, in float32 as mmdet computes it.
 */

const f = Math.fround;

/**
 * IoU (or IoF) between two sets of `x1, y1, x2, y2` boxes, every step rounded to float32 like
 * mmdet's numpy code (which casts both inputs to float32).
 * @param bboxes1 `[n*4+]` boxes (`stride1` numbers a row, extra columns such as scores are skipped)
 * @param bboxes2 `[k*4+]` boxes
 * @param mode `iou`, or `iof` (intersection over the area of `bboxes1`'s box)
 * @param useLegacyCoordinate mmdet 1.x / VOC boxes: width = x2 − x1 + 1
 * @returns `[n*k]` row-major float32 overlaps
 */
export function bboxOverlaps(
  bboxes1: ArrayLike<number>,
  n: number,
  bboxes2: ArrayLike<number>,
  k: number,
  options: { mode?: 'iou' | 'iof'; useLegacyCoordinate?: boolean; stride1?: number; stride2?: number } = {},
): Float32Array {
  const extra = options.useLegacyCoordinate === true ? 1 : 0;
  const iof = options.mode === 'iof';
  const s1 = options.stride1 ?? 4;
  const s2 = options.stride2 ?? 4;
  const out = new Float32Array(n * k);
  if (n === 0 || k === 0) return out;
  const eps = f(1e-6);
  const area2 = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    area2[j] = f(f(f(f(bboxes2[j * s2 + 2]!) - f(bboxes2[j * s2]!)) + extra) * f(f(f(bboxes2[j * s2 + 3]!) - f(bboxes2[j * s2 + 1]!)) + extra));
  }
  for (let i = 0; i < n; i++) {
    const ax1 = f(bboxes1[i * s1]!);
    const ay1 = f(bboxes1[i * s1 + 1]!);
    const ax2 = f(bboxes1[i * s1 + 2]!);
    const ay2 = f(bboxes1[i * s1 + 3]!);
    const a1 = f(f(f(ax2 - ax1) + extra) * f(f(ay2 - ay1) + extra));
    for (let j = 0; j < k; j++) {
      const xs = Math.max(ax1, f(bboxes2[j * s2]!));
      const ys = Math.max(ay1, f(bboxes2[j * s2 + 1]!));
      const xe = Math.min(ax2, f(bboxes2[j * s2 + 2]!));
      const ye = Math.min(ay2, f(bboxes2[j * s2 + 3]!));
      const overlap = f(Math.max(f(f(xe - xs) + extra), 0) * Math.max(f(f(ye - ys) + extra), 0));
      const union = iof ? a1 : f(f(a1 + area2[j]!) - overlap);
      out[i * k + j] = f(overlap / Math.max(union, eps));
    }
  }
  return out;
}
