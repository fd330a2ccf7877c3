/**
 * @module Instance-mask helpers of the pipelines: mmdet's `LoadAnnotations._poly2mask` /
 * `process_polygons` and the `BitmapMasks` / `PolygonMasks` geometry (`mmdet/core/mask/structures.py`
 * @ v2.28.2: `rescale`, `resize`, `flip`, `pad`).
 *
 * Rasterisation and RLE decoding are the shared pycocotools port in `structures/` (5× upsampled
 * boundary walk, pixel centres), so `poly2mask` gives the same pixels as mmdet's
 * `LoadAnnotations(poly2mask=True)`. Bitmaps are row-major `height*width` bytes (0/1).
 */
import type { BitmapMasks, InstanceMasks, PolygonMasks } from '../../structures/det_types.js';
import { segmToRle } from '../../structures/mask.js';
import { rleToBitmap } from '../../structures/mask_structures.js';
import { ValueError } from '../../utils/errors.js';
import { imflip, impad, imresize } from './image_ops.js';

/**
 * mmdet `LoadAnnotations._poly2mask`: a COCO `segmentation` (polygon list, uncompressed RLE or
 * compressed RLE) → row-major 0/1 bitmap of `h*w`, through pycocotools' `frPyObjects` / `merge` /
 * `decode` (`structures/mask.ts`). Several polygons are merged (union).
 * Porting note: an empty polygon list gives an empty mask (pycocotools raises).
 * @throws ValueError `MASK_BAD_SEGMENTATION` / `MASK_BAD_RLE` for anything else
 */
export function poly2mask(maskAnn: unknown, h: number, w: number): Uint8Array {
  if (Array.isArray(maskAnn) && maskAnn.length === 0) return new Uint8Array(h * w);
  return rleToBitmap(segmToRle(maskAnn, h, w));
}

/** mmdet `LoadAnnotations.process_polygons`: keeps polygons with an even number ≥ 6 of coordinates. */
export function processPolygons(polygons: unknown): Float64Array[] {
  if (!Array.isArray(polygons)) {
    throw new ValueError('DATA_BAD_SEGMENTATION', 'with poly2mask=False, every segmentation must be a list of polygons (RLE needs poly2mask=True)');
  }
  return (polygons as number[][]).map((p) => Float64Array.from(p)).filter((p) => p.length % 2 === 0 && p.length >= 6);
}

function bitmapImage(m: Uint8Array, h: number, w: number) {
  return { data: m, height: h, width: w, channels: 1 };
}

/** `masks.resize((h, w))` (nearest for bitmaps, scaled vertices for polygons). */
export function resizeMasks(masks: InstanceMasks, h: number, w: number): InstanceMasks {
  if (masks.kind === 'bitmap') {
    return {
      kind: 'bitmap',
      height: h,
      width: w,
      masks: masks.masks.map((m) => imresize(bitmapImage(m, masks.height, masks.width), w, h, 'nearest').data as Uint8Array),
    };
  }
  const sx = w / masks.width;
  const sy = h / masks.height;
  return {
    kind: 'polygon',
    height: h,
    width: w,
    polygons: masks.polygons.map((inst) =>
      inst.map((p) => {
        const q = new Float64Array(p.length);
        for (let i = 0; i < p.length; i += 2) {
          q[i] = p[i]! * sx;
          q[i + 1] = p[i + 1]! * sy;
        }
        return q;
      }),
    ),
  };
}

/** `masks.flip(direction)`: bitmaps mirrored; polygon `x → W − x` / `y → H − y` (mmdet). */
export function flipMasks(masks: InstanceMasks, direction: 'horizontal' | 'vertical' | 'diagonal'): InstanceMasks {
  if (masks.kind === 'bitmap') {
    return { ...masks, masks: masks.masks.map((m) => imflip(bitmapImage(m, masks.height, masks.width), direction).data as Uint8Array) };
  }
  const fx = direction !== 'vertical';
  const fy = direction !== 'horizontal';
  const polygons = masks.polygons.map((inst) =>
    inst.map((p) => {
      const q = Float64Array.from(p);
      for (let i = 0; i < q.length; i += 2) {
        if (fx) q[i] = masks.width - q[i]!;
        if (fy) q[i + 1] = masks.height - q[i + 1]!;
      }
      return q;
    }),
  );
  return { ...masks, polygons } as PolygonMasks;
}

/** `masks.pad((h, w), pad_val)`: bitmaps padded bottom/right; polygons only change their canvas size. */
export function padMasks(masks: InstanceMasks, h: number, w: number, padVal = 0): InstanceMasks {
  if (masks.kind === 'polygon') return { ...masks, height: h, width: w };
  const out: BitmapMasks = {
    kind: 'bitmap',
    height: h,
    width: w,
    masks: masks.masks.map((m) => impad(bitmapImage(m, masks.height, masks.width), h, w, padVal).data as Uint8Array),
  };
  return out;
}
