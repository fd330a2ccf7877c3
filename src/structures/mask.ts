/**
 * @module Port of `pycocotools/mask.py` + `common/maskApi.c` (cocodataset/cocoapi @ 8c9bcc3): run-length
 * encoded binary masks. detkit's one copy of this code: data/ (`poly2mask`), models/ (mask targets,
 * result encoding) and evaluation/ (COCO segm) all use it; `mask_structures.ts` adds mmdet's
 * row-major bitmap side.
 *
 * Masks are column-major (Fortran order, as pycocotools): pixel `(y, x)` of an `h × w` mask is at
 * index `x * h + y`. An RLE alternates runs of 0s and 1s, starting with 0s. The compressed string
 * form is maskApi.c's LEB128-like code (6 bits a character, ASCII 48–111, counts from the third on
 * delta-coded against the count two places back).
 */
import { ValueError } from '../utils/errors.js';
import type { RLE } from './det_types.js';

/** A decoded RLE (maskApi.c `RLE`): `cnts` are run lengths over the column-major `h × w` mask. */
export interface RawRle {
  h: number;
  w: number;
  cnts: Uint32Array;
}

/**
 * Encodes column-major binary masks (`rleEncode`).
 * @param mask `h*w` bytes, column-major; non-zero is foreground
 * @param h height in pixels
 * @param w width in pixels
 */
export function rleEncode(mask: ArrayLike<number>, h: number, w: number): RawRle {
  const a = h * w;
  const cnts: number[] = [];
  let p = 0;
  let c = 0;
  for (let j = 0; j < a; j++) {
    const v = mask[j] ? 1 : 0;
    if (v !== p) {
      cnts.push(c);
      c = 0;
      p = v;
    }
    c++;
  }
  cnts.push(c);
  return { h, w, cnts: Uint32Array.from(cnts) };
}

/**
 * Decodes an RLE into a column-major `h*w` mask of 0/1 bytes (`rleDecode`).
 * @throws ValueError `MASK_BAD_RLE` when the counts do not add up to `h*w`
 */
export function rleDecode(r: RawRle): Uint8Array {
  const out = new Uint8Array(r.h * r.w);
  let pos = 0;
  let v = 0;
  for (let j = 0; j < r.cnts.length; j++) {
    const c = r.cnts[j]!;
    if (pos + c > out.length) throw new ValueError('MASK_BAD_RLE', `RLE counts sum past h*w = ${out.length}`);
    if (v) out.fill(1, pos, pos + c);
    pos += c;
    v = 1 - v;
  }
  if (pos !== out.length) throw new ValueError('MASK_BAD_RLE', `RLE counts sum to ${pos}, expected h*w = ${out.length}`);
  return out;
}

/** Number of foreground pixels (`rleArea`). */
export function rleArea(r: RawRle): number {
  let a = 0;
  for (let j = 1; j < r.cnts.length; j += 2) a += r.cnts[j]!;
  return a;
}

/**
 * Union (or intersection) of RLEs of one size (`rleMerge`). Masks of different sizes give an
 * empty 0×0 RLE, as in maskApi.c.
 */
export function rleMerge(rs: readonly RawRle[], intersect = false): RawRle {
  if (rs.length === 0) return { h: 0, w: 0, cnts: new Uint32Array(0) };
  let { h, w } = rs[0]!;
  if (rs.length === 1) return { h, w, cnts: rs[0]!.cnts.slice() };
  let cur = rs[0]!.cnts;
  for (let i = 1; i < rs.length; i++) {
    const B = rs[i]!.cnts;
    if (rs[i]!.h !== h || rs[i]!.w !== w) {
      h = w = 0;
      cur = new Uint32Array(0);
      break;
    }
    const A = cur;
    const out: number[] = [];
    let ca = A[0]!;
    let cb = B[0]!;
    let v = 0;
    let va = 0;
    let vb = 0;
    let a = 1;
    let b = 1;
    let cc = 0;
    let ct = 1;
    while (ct > 0) {
      const c = Math.min(ca, cb);
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && a < A.length) {
        ca = A[a++]!;
        va = 1 - va;
      }
      ct += ca;
      cb -= c;
      if (!cb && b < B.length) {
        cb = B[b++]!;
        vb = 1 - vb;
      }
      ct += cb;
      const vp = v;
      v = intersect ? va & vb : va | vb;
      if (v !== vp || ct === 0) {
        out.push(cc);
        cc = 0;
      }
    }
    cur = Uint32Array.from(out);
  }
  return { h, w, cnts: cur };
}

/**
 * Tight box `[x, y, w, h]` of the foreground (`rleToBbox`, including its rule that a mask spanning
 * more than one column takes the full height when a run wraps a column).
 */
export function rleToBbox(r: RawRle): [number, number, number, number] {
  const { h, w } = r;
  const m = Math.floor(r.cnts.length / 2) * 2;
  if (m === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += r.cnts[j]!;
    const t = cc - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/**
 * Rasterises one polygon (`rleFrPoly`): vertices are upsampled by 5, the boundary is walked
 * densely, and the y-crossings are downsampled back, exactly as maskApi.c does.
 * @param xy `[x0, y0, x1, y1, ...]` in pixels
 */
export function rleFrPoly(xy: ArrayLike<number>, h: number, w: number): RawRle {
  const scale = 5;
  const k = Math.floor(xy.length / 2);
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(scale * xy[j * 2]! + 0.5);
  x[k] = x[0]!;
  for (let j = 0; j < k; j++) y[j] = Math.trunc(scale * xy[j * 2 + 1]! + 0.5);
  y[k] = y[0]!;
  let m = 0;
  for (let j = 0; j < k; j++) m += Math.max(Math.abs(x[j]! - x[j + 1]!), Math.abs(y[j]! - y[j + 1]!)) + 1;
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  m = 0;
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u[m] = t + xs;
        v[m] = Math.trunc(ys + s * t + 0.5);
        m++;
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v[m] = t + ys;
        u[m] = Math.trunc(xs + s * t + 0.5);
        m++;
      }
    }
  }
  // Points along the y-boundary, downsampled.
  const pts: number[] = [];
  for (let j = 1; j < m; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    pts.push(xd * h + yd);
  }
  pts.push(h * w);
  const a = Float64Array.from(pts).sort();
  let p = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]!;
    a[j] = t - p;
    p = t;
  }
  const b: number[] = [a[0]!];
  let j = 1;
  while (j < a.length) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1]! += a[j++]!;
    }
  }
  return { h, w, cnts: Uint32Array.from(b) };
}

/** RLE of a box `[x, y, w, h]` (`rleFrBbox`: the box as a 4-point polygon). */
export function rleFrBbox(bb: ArrayLike<number>, h: number, w: number): RawRle {
  const xs = bb[0]!;
  const xe = xs + bb[2]!;
  const ys = bb[1]!;
  const ye = ys + bb[3]!;
  return rleFrPoly([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
}

/** Compressed string form of an RLE (`rleToString`). */
export function rleToString(r: RawRle): string {
  const out: number[] = [];
  const c = r.cnts;
  for (let i = 0; i < c.length; i++) {
    let x = c[i]!;
    if (i > 2) x -= c[i - 2]!;
    let more = true;
    while (more) {
      let ch = x & 0x1f;
      x = Math.floor(x / 32);
      more = ch & 0x10 ? x !== -1 : x !== 0;
      if (more) ch |= 0x20;
      out.push(ch + 48);
    }
  }
  return String.fromCharCode(...out);
}

/**
 * Parses the compressed string form (`rleFrString`).
 * @throws ValueError `MASK_BAD_RLE` on characters outside ASCII 48–111
 */
export function rleFrString(s: string, h: number, w: number): RawRle {
  const cnts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new ValueError('MASK_BAD_RLE', `compressed RLE string ends inside a count at character ${p}`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new ValueError('MASK_BAD_RLE', `compressed RLE string has an invalid character ${JSON.stringify(s[p])} at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (cnts.length > 2) x += cnts[cnts.length - 2]!;
    cnts.push(x >>> 0);
  }
  return { h, w, cnts: Uint32Array.from(cnts) };
}

/** Converts a raw RLE to the pycocotools dict form with a compressed `counts` string. */
export function toRleObject(r: RawRle): RLE {
  return { size: [r.h, r.w], counts: rleToString(r) };
}

/**
 * Reads an RLE dict (`{size: [h, w], counts}`), compressed or not, as pycocotools does: a compressed
 * string uses its own `size`; uncompressed counts are taken for an `h × w` image (`frUncompressedRLE`).
 * @throws ValueError `MASK_BAD_RLE` when the dict is malformed
 */
export function rleFromObject(obj: unknown, h?: number, w?: number): RawRle {
  const o = obj as { size?: unknown; counts?: unknown };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.size) || o.size.length !== 2) {
    throw new ValueError('MASK_BAD_RLE', 'an RLE must be {size: [h, w], counts}');
  }
  const [rh, rw] = o.size as [number, number];
  if (typeof o.counts === 'string') return rleFrString(o.counts, rh, rw);
  if (Array.isArray(o.counts)) {
    const cnts = Uint32Array.from(o.counts as number[]);
    return { h: h ?? rh, w: w ?? rw, cnts };
  }
  throw new ValueError('MASK_BAD_RLE', 'RLE counts must be a string or a list of numbers');
}

/**
 * pycocotools `frPyObjects(pyobj, h, w)`: a list of boxes, polygons or uncompressed RLEs gives a list
 * of RLEs (one per object, not merged); a single box, polygon or RLE dict gives one RLE.
 * Porting note: as in pycocotools, a list whose first element has exactly 4 numbers is read as boxes.
 * @throws ValueError `MASK_BAD_SEGMENTATION` ("input type is not supported.")
 */
export function frPyObjects(pyobj: unknown, h: number, w: number): RawRle | RawRle[] {
  const isRleDict = (o: unknown): boolean => typeof o === 'object' && o !== null && !Array.isArray(o) && 'counts' in o && 'size' in o;
  if (Array.isArray(pyobj) && pyobj.length > 0) {
    const first = pyobj[0] as unknown;
    if (Array.isArray(first) && first.length === 4) return pyobj.map((bb) => rleFrBbox(bb as number[], h, w));
    if (Array.isArray(first) && first.length > 4) return pyobj.map((poly) => rleFrPoly(poly as number[], h, w));
    if (isRleDict(first)) return pyobj.map((o) => rleFromObject(o, h, w));
    if (typeof first === 'number' && pyobj.length === 4) return rleFrBbox(pyobj as number[], h, w);
    if (typeof first === 'number' && pyobj.length > 4) return rleFrPoly(pyobj as number[], h, w);
  } else if (isRleDict(pyobj)) return rleFromObject(pyobj, h, w);
  throw new ValueError('MASK_BAD_SEGMENTATION', 'input type is not supported.');
}

/**
 * pycocotools `annToRLE` for one annotation's `segmentation`: polygons (several parts are merged
 * into one mask), an uncompressed RLE (read for the `h × w` image), or a compressed RLE.
 * @param segm the `segmentation` value
 * @param h image height, @param w image width
 * @throws ValueError `MASK_BAD_SEGMENTATION` for anything else
 */
export function segmToRle(segm: unknown, h: number, w: number): RawRle {
  if (Array.isArray(segm) && segm.length === 0) return rleMerge([]);
  const r = frPyObjects(segm, h, w);
  return Array.isArray(r) ? rleMerge(r) : r;
}

/**
 * IoU of boxes `[x, y, w, h]` as maskApi.c's `bbIou`: a crowd gt uses the detection's area as the
 * union (intersection over detection).
 * @param dt `[m*4]` detection boxes, @param gt `[n*4]` gt boxes, @param iscrowd `[n]`
 * @param out `[m*n]` output, row-major `out[d*n + g]`
 */
export function bbIou(dt: ArrayLike<number>, gt: ArrayLike<number>, m: number, n: number, iscrowd: ArrayLike<number> | null, out: Float64Array): Float64Array {
  for (let g = 0; g < n; g++) {
    const gx = gt[g * 4]!;
    const gy = gt[g * 4 + 1]!;
    const gw = gt[g * 4 + 2]!;
    const gh = gt[g * 4 + 3]!;
    const ga = gw * gh;
    const crowd = iscrowd !== null && iscrowd[g] !== 0;
    for (let d = 0; d < m; d++) {
      const dx = dt[d * 4]!;
      const dy = dt[d * 4 + 1]!;
      const dw = dt[d * 4 + 2]!;
      const dh = dt[d * 4 + 3]!;
      const da = dw * dh;
      out[d * n + g] = 0;
      const iw = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (iw <= 0) continue;
      const ih = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (ih <= 0) continue;
      const i = iw * ih;
      out[d * n + g] = i / (crowd ? da : da + ga - i);
    }
  }
  return out;
}

/**
 * IoU of RLE masks as maskApi.c's `rleIou` (box pre-check, then run intersection; a crowd gt divides
 * by the detection's area; masks of different sizes give −1).
 * @param out `[m*n]` output, row-major `out[d*n + g]`
 */
export function rleIou(dt: readonly RawRle[], gt: readonly RawRle[], iscrowd: ArrayLike<number> | null, out: Float64Array): Float64Array {
  const m = dt.length;
  const n = gt.length;
  const db = new Float64Array(m * 4);
  const gb = new Float64Array(n * 4);
  dt.forEach((r, i) => db.set(rleToBbox(r), i * 4));
  gt.forEach((r, i) => gb.set(rleToBbox(r), i * 4));
  bbIou(db, gb, m, n, iscrowd, out);
  for (let g = 0; g < n; g++) {
    const crowd = iscrowd !== null && iscrowd[g] !== 0;
    const G = gt[g]!;
    for (let d = 0; d < m; d++) {
      if (!(out[d * n + g]! > 0)) continue;
      const D = dt[d]!;
      if (D.h !== G.h || D.w !== G.w) {
        out[d * n + g] = -1;
        continue;
      }
      const A = D.cnts;
      const B = G.cnts;
      let ca = A[0]!;
      let cb = B[0]!;
      let va = 0;
      let vb = 0;
      let a = 1;
      let b = 1;
      let inter = 0;
      let uni = 0;
      let ct = 1;
      while (ct > 0) {
        const c = Math.min(ca, cb);
        if (va || vb) {
          uni += c;
          if (va && vb) inter += c;
        }
        ct = 0;
        ca -= c;
        if (!ca && a < A.length) {
          ca = A[a++]!;
          va = 1 - va;
        }
        ct += ca;
        cb -= c;
        if (!cb && b < B.length) {
          cb = B[b++]!;
          vb = 1 - vb;
        }
        ct += cb;
      }
      if (inter === 0) uni = 1;
      else if (crowd) uni = rleArea(D);
      out[d * n + g] = inter / uni;
    }
  }
  return out;
}
