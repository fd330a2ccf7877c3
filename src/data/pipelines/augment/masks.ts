/**
 * @module The instance-mask operations the augmentation transforms need, ported from
 * `BitmapMasks` / `PolygonMasks` in `mmdet/core/mask/structures.py` @ v2.28.2: indexing,
 * `crop`, `expand` and `get_bboxes`.
 *
 * Porting note: mmdet 2.x `PolygonMasks.expand` raises `NotImplementedError`; detkit shifts the
 * vertices by `(left, top)`, so Expand keeps polygon masks aligned with the image.
 */
import type { BitmapMasks, InstanceMasks, PolygonMasks } from '../../../structures/det_types.js';

/** `masks[idx]`: the instances `idx`, in that order. */
export function selectMasks(m: InstanceMasks, idx: readonly number[]): InstanceMasks {
  if (m.kind === 'bitmap') return { kind: 'bitmap', height: m.height, width: m.width, masks: idx.map((i) => m.masks[i]!) };
  return { kind: 'polygon', height: m.height, width: m.width, polygons: idx.map((i) => m.polygons[i]!) };
}

/**
 * `masks.crop(bbox)`: `bbox = [x1, y1, x2, y2]` (integer pixels) is clipped to the canvas; the new
 * canvas is `max(x2 − x1, 1) × max(y2 − y1, 1)`. Bitmaps are cut out; polygon vertices are shifted by
 * `(−x1, −y1)` and not clipped (pycocotools clips at rasterisation), as mmdet 2.x.
 */
export function cropMasks(m: InstanceMasks, bbox: readonly [number, number, number, number]): InstanceMasks {
  const x1 = Math.min(Math.max(bbox[0], 0), m.width);
  const x2 = Math.min(Math.max(bbox[2], 0), m.width);
  const y1 = Math.min(Math.max(bbox[1], 0), m.height);
  const y2 = Math.min(Math.max(bbox[3], 0), m.height);
  const w = Math.max(x2 - x1, 1);
  const h = Math.max(y2 - y1, 1);
  if (m.kind === 'polygon') {
    const polygons = m.polygons.map((inst) =>
      inst.map((p) => {
        const q = new Float64Array(p.length);
        for (let i = 0; i < p.length; i += 2) {
          q[i] = p[i]! - x1;
          q[i + 1] = p[i + 1]! - y1;
        }
        return q;
      }),
    );
    return { kind: 'polygon', height: h, width: w, polygons } satisfies PolygonMasks;
  }
  // numpy slicing past the end yields a shorter array; the canvas keeps (h, w) with zeros there.
  const masks = m.masks.map((src) => {
    const out = new Uint8Array(h * w);
    const rows = Math.min(h, m.height - y1);
    const cols = Math.min(w, m.width - x1);
    for (let y = 0; y < rows; y++) out.set(src.subarray((y1 + y) * m.width + x1, (y1 + y) * m.width + x1 + cols), y * w);
    return out;
  });
  return { kind: 'bitmap', height: h, width: w, masks } satisfies BitmapMasks;
}

/** `masks.expand(h, w, top, left)`: places the masks at `(left, top)` on an empty `h × w` canvas. */
export function expandMasks(m: InstanceMasks, h: number, w: number, top: number, left: number): InstanceMasks {
  if (m.kind === 'polygon') {
    const polygons = m.polygons.map((inst) =>
      inst.map((p) => {
        const q = new Float64Array(p.length);
        for (let i = 0; i < p.length; i += 2) {
          q[i] = p[i]! + left;
          q[i + 1] = p[i + 1]! + top;
        }
        return q;
      }),
    );
    return { kind: 'polygon', height: h, width: w, polygons };
  }
  const masks = m.masks.map((src) => {
    const out = new Uint8Array(h * w);
    for (let y = 0; y < m.height; y++) out.set(src.subarray(y * m.width, (y + 1) * m.width), (top + y) * w + left);
    return out;
  });
  return { kind: 'bitmap', height: h, width: w, masks };
}

/**
 * `masks.get_bboxes()`: the tight box of each instance, `[n*4]`. Bitmaps: `[x_first, y_first,
 * x_last + 1, y_last + 1]` of the set pixels (zeros when empty); polygons: min/max of all vertices.
 */
export function maskBboxes(m: InstanceMasks): Float32Array {
  if (m.kind === 'polygon') {
    const out = new Float32Array(m.polygons.length * 4);
    m.polygons.forEach((inst, i) => {
      let x1 = Infinity;
      let y1 = Infinity;
      let x2 = -Infinity;
      let y2 = -Infinity;
      for (const p of inst) {
        for (let k = 0; k < p.length; k += 2) {
          x1 = Math.min(x1, p[k]!);
          x2 = Math.max(x2, p[k]!);
          y1 = Math.min(y1, p[k + 1]!);
          y2 = Math.max(y2, p[k + 1]!);
        }
      }
      if (x1 <= x2) out.set([x1, y1, x2, y2], i * 4);
    });
    return out;
  }
  const { width: w, height: h } = m;
  const out = new Float32Array(m.masks.length * 4);
  m.masks.forEach((mask, i) => {
    let x1 = w;
    let y1 = h;
    let x2 = -1;
    let y2 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (mask[y * w + x] === 0) continue;
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        y2 = y;
      }
    }
    if (x2 >= 0) out.set([x1, y1, x2 + 1, y2 + 1], i * 4);
  });
  return out;
}
