/**
 * @module `shapes`: detkit's built-in synthetic COCO-format dataset, generated deterministically
 * from a seed (no download needed; `detkit make-dataset shapes`).
 *
 * Each image has a muted gradient background with faint clutter strokes and pixel noise, and 1–6
 * filled shapes of 5 classes (circle, square, triangle, star, hexagon) in saturated random colours,
 * rotated at random. Object sizes (circumscribed diameter, at `size=320`): 10 % 16–32 px, 50 %
 * 32–96 px, 40 % 96–176 px; by COCO area (the polygon's, seed 0, 400 images): 21 % small,
 * 65 % medium, 14 % large, 3.2 objects per image. Shapes may overlap: a new shape may cover
 * at most 35 % of an earlier shape's box (and IoU < 0.3 with every earlier box).
 *
 * Annotations are **amodal**: the box and polygon of every object describe the full shape as drawn,
 * including any part hidden by a later shape (consistently for every object). `area` is the
 * polygon's area. Layout written by {@link ensureShapesDataset}:
 * `DIR/train/000000.jpg`, `DIR/val/...`, `DIR/annotations/instances_{train,val}.json`, `DIR/shapes.json`.
 */
import { createCanvas } from '@napi-rs/canvas';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoJson } from '../structures/evaluation_types.js';
import { ValueError } from '../utils/errors.js';
import { Rng } from '../utils/rng.js';

/** Class names of `shapes`, in category-id order (ids 1..5). */
export const SHAPES_CLASSES: readonly string[] = ['circle', 'square', 'triangle', 'star', 'hexagon'];

/** Options of the generator (also the `auto_generate` dataset key without `kind`). */
export interface ShapesOptions {
  /** Number of train images (default 400). */
  train?: number;
  /** Number of val images (default 100). */
  val?: number;
  /** Seed (default 0): same seed → same files, byte for byte. */
  seed?: number;
  /** Longer image side in pixels (default 320); each side is drawn in [0.75, 1] × size. */
  size?: number;
  /** Image format (default `jpg`). */
  format?: 'jpg' | 'png';
}

type Resolved = Required<ShapesOptions>;

function resolve(o: ShapesOptions): Resolved {
  const r = { train: o.train ?? 400, val: o.val ?? 100, seed: o.seed ?? 0, size: o.size ?? 320, format: o.format ?? 'jpg' };
  for (const k of ['train', 'val', 'size'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 0) throw new ValueError('SHAPES_BAD_OPTION', `shapes: ${k} must be a non-negative integer, got ${r[k]}`, { configPath: k });
  }
  if (r.size < 64) throw new ValueError('SHAPES_BAD_OPTION', `shapes: size must be at least 64, got ${r.size}`, { configPath: 'size' });
  if (r.format !== 'jpg' && r.format !== 'png') throw new ValueError('SHAPES_BAD_OPTION', `shapes: format must be jpg or png, got ${String(r.format)}`, { configPath: 'format' });
  return r;
}

/** A seed for image `i` of a split that does not depend on other images. */
function imageSeed(seed: number, split: number, i: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (split + 0x85ebca6b), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (i + 0x27d4eb2f), 0x165667b1) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

function shapePolygon(cls: number, cx: number, cy: number, r: number, rot: number): number[] {
  const pts: number[] = [];
  const ring = (n: number, radius: (k: number) => number, offset: number): void => {
    for (let k = 0; k < n; k++) {
      const a = rot + offset + (2 * Math.PI * k) / n;
      pts.push(cx + radius(k) * Math.cos(a), cy + radius(k) * Math.sin(a));
    }
  };
  if (cls === 0) ring(40, () => r, 0);
  else if (cls === 1) ring(4, () => r, Math.PI / 4);
  else if (cls === 2) ring(3, () => r, -Math.PI / 2);
  else if (cls === 3) ring(10, (k) => (k % 2 === 0 ? r : 0.45 * r), -Math.PI / 2);
  else ring(6, () => r, 0);
  return pts.map((v) => Math.round(v * 100) / 100);
}

function polyBox(p: number[]): [number, number, number, number] {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let i = 0; i < p.length; i += 2) {
    x1 = Math.min(x1, p[i]!);
    x2 = Math.max(x2, p[i]!);
    y1 = Math.min(y1, p[i + 1]!);
    y2 = Math.max(y2, p[i + 1]!);
  }
  return [x1, y1, x2, y2];
}

function polyArea(p: number[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i += 2) {
    const j = (i + 2) % p.length;
    a += p[i]! * p[j + 1]! - p[j]! * p[i + 1]!;
  }
  return Math.abs(a) / 2;
}

function hsl(h: number, s: number, l: number): string {
  return `hsl(${h.toFixed(1)}, ${(s * 100).toFixed(1)}%, ${(l * 100).toFixed(1)}%)`;
}

/** One generated image: encoded bytes and its COCO records (ids filled by the caller). */
export interface ShapesImage {
  bytes: Buffer;
  width: number;
  height: number;
  objects: Array<{ category_id: number; bbox: [number, number, number, number]; area: number; segmentation: number[][] }>;
}

/** Draws image `i` of split `split` (0 train, 1 val) deterministically. */
export function drawShapesImage(seed: number, split: number, i: number, size: number, format: 'jpg' | 'png'): ShapesImage {
  const rng = new Rng(imageSeed(seed, split, i));
  const width = Math.round(size * rng.uniform(0.75, 1));
  const height = Math.round(size * rng.uniform(0.75, 1));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  // Background: muted two-colour gradient plus faint clutter strokes.
  const bh = rng.uniform(0, 360);
  const g = ctx.createLinearGradient(0, 0, width * rng.uniform(0.3, 1), height * rng.uniform(0.3, 1));
  g.addColorStop(0, hsl(bh, rng.uniform(0, 0.25), rng.uniform(0.25, 0.75)));
  g.addColorStop(1, hsl((bh + rng.uniform(40, 180)) % 360, rng.uniform(0, 0.25), rng.uniform(0.25, 0.75)));
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, width, height);
  const strokes = rng.randint(3, 9);
  for (let k = 0; k < strokes; k++) {
    ctx.strokeStyle = hsl(rng.uniform(0, 360), rng.uniform(0, 0.3), rng.uniform(0.2, 0.8));
    ctx.globalAlpha = rng.uniform(0.15, 0.35);
    ctx.lineWidth = rng.uniform(1, 4);
    ctx.beginPath();
    ctx.moveTo(rng.uniform(0, width), rng.uniform(0, height));
    ctx.quadraticCurveTo(rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0, width), rng.uniform(0, height));
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  // Objects.
  const scale = size / 320;
  const n = rng.randint(1, 7);
  const boxes: Array<[number, number, number, number]> = [];
  const objects: ShapesImage['objects'] = [];
  for (let k = 0; k < n; k++) {
    const u = rng.random();
    const side = (u < 0.1 ? rng.uniform(16, 32) : u < 0.6 ? rng.uniform(32, 96) : rng.uniform(96, 176)) * scale;
    const cls = rng.randint(0, SHAPES_CLASSES.length);
    for (let attempt = 0; attempt < 30; attempt++) {
      const r = side / 2;
      const cx = rng.uniform(r + 2, width - r - 2);
      const cy = rng.uniform(r + 2, height - r - 2);
      if (!(cx > 0 && cy > 0)) break;
      const poly = shapePolygon(cls, cx, cy, r, rng.uniform(0, 2 * Math.PI));
      const box = polyBox(poly);
      if (box[0] < 0 || box[1] < 0 || box[2] > width || box[3] > height) continue;
      const ok = boxes.every((b) => {
        const iw = Math.max(0, Math.min(b[2], box[2]) - Math.max(b[0], box[0]));
        const ih = Math.max(0, Math.min(b[3], box[3]) - Math.max(b[1], box[1]));
        const inter = iw * ih;
        const a0 = (b[2] - b[0]) * (b[3] - b[1]);
        const a1 = (box[2] - box[0]) * (box[3] - box[1]);
        return inter / (a0 + a1 - inter) < 0.3 && inter / a0 <= 0.35;
      });
      if (!ok) continue;
      ctx.fillStyle = hsl(rng.uniform(0, 360), rng.uniform(0.65, 1), rng.uniform(0.35, 0.6));
      ctx.beginPath();
      ctx.moveTo(poly[0]!, poly[1]!);
      for (let p = 2; p < poly.length; p += 2) ctx.lineTo(poly[p]!, poly[p + 1]!);
      ctx.closePath();
      ctx.fill();
      boxes.push(box);
      const r2 = (v: number): number => Math.round(v * 100) / 100;
      objects.push({
        category_id: cls + 1,
        bbox: [r2(box[0]), r2(box[1]), r2(box[2] - box[0]), r2(box[3] - box[1])],
        area: r2(polyArea(poly)),
        segmentation: [poly],
      });
      break;
    }
  }
  // Pixel noise over everything (±12 levels).
  const im = ctx.getImageData(0, 0, width, height);
  const d = im.data;
  for (let p = 0; p < d.length; p += 4) {
    const u = rng.nextUint32();
    const nz = (((u & 0xff) + ((u >>> 8) & 0xff)) / 255 - 1) * 12;
    d[p] = d[p]! + nz;
    d[p + 1] = d[p + 1]! + nz;
    d[p + 2] = d[p + 2]! + nz;
  }
  ctx.putImageData(im, 0, 0);
  const bytes = format === 'png' ? canvas.encodeSync('png') : canvas.encodeSync('jpeg', 92);
  return { bytes, width, height, objects };
}

/**
 * Generates one split into `dir/<split>/` and returns its COCO json.
 * @param split `train` or `val`
 */
export function generateShapesSplit(dir: string, split: 'train' | 'val', count: number, opts: Resolved): CocoJson {
  const imgDir = join(dir, split);
  mkdirSync(imgDir, { recursive: true });
  const json: CocoJson = {
    info: { description: `detkit shapes (${split}, seed ${opts.seed})`, version: '1.0' },
    licenses: [],
    images: [],
    annotations: [],
    categories: SHAPES_CLASSES.map((name, k) => ({ id: k + 1, name, supercategory: 'shape' })),
  };
  let annId = 1;
  for (let i = 0; i < count; i++) {
    const img = drawShapesImage(opts.seed, split === 'train' ? 0 : 1, i, opts.size, opts.format);
    const fileName = `${String(i).padStart(6, '0')}.${opts.format}`;
    writeFileSync(join(imgDir, fileName), img.bytes);
    json.images.push({ id: i + 1, file_name: fileName, width: img.width, height: img.height });
    for (const o of img.objects) json.annotations.push({ id: annId++, image_id: i + 1, iscrowd: 0, ...o });
  }
  return json;
}

/**
 * Creates the shapes dataset in `dir` unless a complete one with the same options is there.
 * Writes into a temporary sibling folder and renames it, so a crash leaves no half dataset and
 * concurrent callers see either nothing or a complete dataset.
 * @returns whether it generated anything
 */
export function ensureShapesDataset(dir: string, options: ShapesOptions = {}): boolean {
  const opts = resolve(options);
  const marker = join(dir, 'shapes.json');
  if (existsSync(marker)) {
    const have = JSON.parse(readFileSync(marker, 'utf8')) as Resolved;
    const same = (['train', 'val', 'seed', 'size', 'format'] as const).every((k) => have[k] === opts[k]);
    if (!same) {
      process.emitWarning(`${dir} holds a shapes dataset made with ${JSON.stringify(have)}; keeping it (requested ${JSON.stringify(opts)}). Delete the folder to regenerate.`, {
        code: 'SHAPES_OPTIONS_DIFFER',
      });
    }
    return false;
  }
  if (existsSync(dir) && existsSync(join(dir, 'annotations'))) {
    throw new ValueError('SHAPES_DIR_NOT_EMPTY', `${dir} already holds annotations but no shapes.json; refusing to overwrite it`, { file: dir });
  }
  const tmp = `${dir.replace(/\/+$/, '')}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'annotations'), { recursive: true });
  for (const split of ['train', 'val'] as const) {
    const json = generateShapesSplit(tmp, split, opts[split], opts);
    writeFileSync(join(tmp, 'annotations', `instances_${split}.json`), JSON.stringify(json));
  }
  writeFileSync(join(tmp, 'shapes.json'), JSON.stringify(opts));
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another process finished first: keep theirs.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(marker)) throw err;
  }
  return true;
}

/**
 * Handles a dataset's `auto_generate` key (`{kind: 'shapes', train, val, seed, size, format}`):
 * generates the dataset into `data_root` on first use.
 */
export function autoGenerate(spec: Record<string, unknown>, dataRoot: string | null): void {
  if (spec.kind !== 'shapes') throw new ValueError('DATA_AUTO_GENERATE', `auto_generate.kind must be 'shapes', got ${JSON.stringify(spec.kind)}`, { configPath: 'auto_generate.kind' });
  if (dataRoot === null) throw new ValueError('DATA_AUTO_GENERATE', 'auto_generate needs data_root (the folder to generate into)', { configPath: 'data_root' });
  const opts: Record<string, unknown> = { ...spec };
  delete opts.kind;
  ensureShapesDataset(dataRoot, opts as ShapesOptions);
}
