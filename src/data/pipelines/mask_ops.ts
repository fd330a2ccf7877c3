/**
 * @module Instance-mask helpers: the parts of `pycocotools.mask` (`frPyObjects`, `merge`, `decode`)
 * and of mmdet's `BitmapMasks` / `PolygonMasks` (`mmdet/core/mask/structures.py` @ v2.28.2:
 * `rescale`, `resize`, `flip`, `pad`) the core pipelines need.
 *
 * Polygon rasterisation follows pycocotools' `rleFrPoly` (5× upsampled boundary walk, pixel centres),
 * so `poly2mask` gives the same pixels as mmdet's `LoadAnnotations(poly2mask=True)`.
 * Bitmaps are row-major `height*width` bytes (0/1).
 */
import type { BitmapMasks, InstanceMasks, PolygonMasks, RLE } from '../../structures/det_types.js';
import { ValueError } from '../../utils/errors.js';
import { imflip, impad, imresize } from './image_ops.js';

/** Decodes the counts of a compressed COCO RLE string (pycocotools `rleFrString`). */
export function rleCountsFromString(s: string): number[] {
  const cnts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new ValueError('DATA_BAD_RLE', 'RLE counts string ends in the middle of a value');
      const c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k);
    }
    if (cnts.length > 2) x += cnts[cnts.length - 2]!;
    cnts.push(x);
  }
  return cnts;
}

/** Expands column-major run lengths into a row-major `h*w` 0/1 bitmap (pycocotools `decode`). */
export function rleDecode(rle: RLE): Uint8Array {
  const [h, w] = rle.size;
  const counts = typeof rle.counts === 'string' ? rleCountsFromString(rle.counts) : rle.counts;
  const out = new Uint8Array(h * w);
  let pos = 0;
  let v = 0;
  for (const n of counts) {
    if (pos + n > h * w) throw new ValueError('DATA_BAD_RLE', `RLE counts sum past the mask size ${h}x${w}`);
    if (v === 1) {
      for (let i = pos; i < pos + n; i++) {
        const col = Math.floor(i / h);
        out[(i - col * h) * w + col] = 1;
      }
    }
    pos += n;
    v ^= 1;
  }
  return out;
}

/**
 * Rasterises one polygon `[x0, y0, x1, y1, ...]` into column-major run lengths, as pycocotools'
 * `rleFrPoly` does (same boundary walk and rounding, hence the same pixels).
 */
export function polygonToRleCounts(xy: ArrayLike<number>, h: number, w: number): number[] {
  const k = Math.floor(xy.length / 2);
  const scale = 5;
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(scale * xy[2 * j]! + 0.5);
  for (let j = 0; j < k; j++) y[j] = Math.trunc(scale * xy[2 * j + 1]! + 0.5);
  x[k] = x[0]!;
  y[k] = y[0]!;
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(Math.trunc(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(Math.trunc(xs + s * t + 0.5));
      }
    }
  }
  // Points on vertical pixel-centre lines, downsampled.
  const a: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    a.push(xd * h + yd);
  }
  a.push(h * w);
  a.sort((p, q) => p - q);
  let prev = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]!;
    a[j] = t - prev;
    prev = t;
  }
  const b: number[] = [];
  let j = 0;
  b.push(a[j++]!);
  while (j < a.length) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1]! += a[j++]!;
    }
  }
  return b;
}

/**
 * mmdet `LoadAnnotations._poly2mask`: a COCO `segmentation` (polygon list, uncompressed RLE or
 * compressed RLE) → row-major 0/1 bitmap of `h*w`. Several polygons are merged (union).
 */
export function poly2mask(maskAnn: unknown, h: number, w: number): Uint8Array {
  if (Array.isArray(maskAnn)) {
    const out = new Uint8Array(h * w);
    for (const poly of maskAnn as number[][]) {
      const m = rleDecode({ size: [h, w], counts: polygonToRleCounts(poly, h, w) });
      for (let i = 0; i < out.length; i++) out[i]! |= m[i]!;
    }
    return out;
  }
  if (typeof maskAnn === 'object' && maskAnn !== null && 'counts' in maskAnn) {
    const rle = maskAnn as RLE;
    return rleDecode({ size: rle.size ?? [h, w], counts: rle.counts });
  }
  throw new ValueError('DATA_BAD_SEGMENTATION', `segmentation must be a list of polygons or an RLE dict, got ${JSON.stringify(maskAnn)?.slice(0, 80)}`);
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
