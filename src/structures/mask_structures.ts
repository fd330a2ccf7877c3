/**
 * @module Port of the plain-array parts of `mmdet/core/mask/structures.py` @ v2.28.2
 * (`polygon_to_bitmap`, `PolygonMasks.crop_and_resize` + `to_ndarray`), on top of the pycocotools
 * port in `mask.ts`.
 *
 * detkit bitmaps (`BitmapMasks` of `det_types.ts`, pipelines, drawing) are row-major `h*w` bytes (0/1);
 * pycocotools works column-major. The converters here go between the two without an intermediate
 * transposed copy. `BitmapMasks.crop_and_resize` needs RoIAlign (tensors) and lives with the mask
 * head (`models/roi_heads/mask_heads/mask_target.ts`).
 */
import { ValueError } from '../utils/errors.js';
import { rleFrPoly, rleMerge, type RawRle } from './mask.js';

/**
 * RLE of a row-major bitmap (pycocotools `encode` of `np.asfortranarray(mask)`).
 * @param mask `h*w` row-major; non-zero is foreground
 * @param h height in pixels, @param w width in pixels
 */
export function bitmapToRle(mask: ArrayLike<number>, h: number, w: number): RawRle {
  const cnts: number[] = [];
  let prev = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let i = x; i < h * w; i += w) {
      const v = mask[i] ? 1 : 0;
      if (v !== prev) {
        cnts.push(run);
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  cnts.push(run);
  return { h, w, cnts: Uint32Array.from(cnts) };
}

/**
 * Row-major `h*w` 0/1 bitmap of an RLE (pycocotools `decode`, transposed to detkit's order).
 * @throws ValueError `MASK_BAD_RLE` when the counts run past `h*w`
 */
export function rleToBitmap(r: RawRle): Uint8Array {
  const { h, w } = r;
  const out = new Uint8Array(h * w);
  let pos = 0;
  let v = 0;
  for (let j = 0; j < r.cnts.length; j++) {
    const c = r.cnts[j]!;
    if (pos + c > h * w) throw new ValueError('MASK_BAD_RLE', `RLE counts sum past h*w = ${h * w}`);
    if (v) {
      for (let i = pos; i < pos + c; i++) {
        const x = Math.floor(i / h);
        out[(i - x * h) * w + x] = 1;
      }
    }
    pos += c;
    v = 1 - v;
  }
  return out;
}

/**
 * mmdet `polygon_to_bitmap`: the union of an instance's polygons rasterised as pycocotools does
 * (`frPyObjects` + `merge` + `decode`).
 * Porting note: an instance without polygons gives an empty mask (pycocotools raises on `[]`), and
 * every polygon is read as a polygon: `frPyObjects` would read a list whose first entry has 4 numbers
 * as boxes, which `LoadAnnotations.process_polygons` (≥ 3 vertices) rules out.
 * @param polygons `[x0, y0, x1, y1, ...]` each, pixels
 * @returns row-major `height*width` 0/1 bitmap
 */
export function polygonToBitmap(polygons: ReadonlyArray<ArrayLike<number>>, height: number, width: number): Uint8Array {
  if (polygons.length === 0) return new Uint8Array(height * width);
  return rleToBitmap(rleMerge(polygons.map((p) => rleFrPoly(p, height, width))));
}

/**
 * mmdet `PolygonMasks.crop_and_resize(bboxes, out_shape, inds).to_ndarray()`: for each box, the
 * polygons of instance `inds[i]` shifted by the box's top-left corner, scaled by
 * `out / max(box side, 1)`, then rasterised at `outH × outW` (pycocotools clips at the border).
 * @param polygons per instance, its polygons `[x0, y0, ...]` in image pixels
 * @param bboxes `[n, 4]` row-major `x1, y1, x2, y2`, image pixels
 * @param inds `[n]` instance of each box
 * @returns `[n, outH, outW]` row-major 0/1 as float32 (mask targets)
 */
export function cropAndResizePolygons(
  polygons: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>,
  bboxes: ArrayLike<number>,
  inds: ArrayLike<number>,
  outH: number,
  outW: number,
): Float32Array {
  const n = inds.length;
  const out = new Float32Array(n * outH * outW);
  for (let i = 0; i < n; i++) {
    const x1 = bboxes[4 * i]!;
    const y1 = bboxes[4 * i + 1]!;
    const w = Math.max(bboxes[4 * i + 2]! - x1, 1);
    const h = Math.max(bboxes[4 * i + 3]! - y1, 1);
    const sx = outW / Math.max(w, 0.1);
    const sy = outH / Math.max(h, 0.1);
    const moved = polygons[inds[i]!]!.map((p) => {
      const q = new Float64Array(p.length);
      for (let k = 0; k < p.length; k += 2) {
        q[k] = (p[k]! - x1) * sx;
        q[k + 1] = (p[k + 1]! - y1) * sy;
      }
      return q;
    });
    out.set(polygonToBitmap(moved, outH, outW), i * outH * outW);
  }
  return out;
}
