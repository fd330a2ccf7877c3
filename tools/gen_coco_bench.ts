/**
 * Deterministic generator of the `coco-eval-5k` benchmark data: a COCO annotation file of 5,000
 * images (~7 gt boxes each over 80 categories, 1% crowd, all COCO area ranges) and a results file
 * of 100 detections per image (jittered copies of gts, wrong-class copies and random boxes; scores
 * rounded to 3 digits, so ties occur).
 *
 * Shared by `bench/workloads/coco_eval_5k.ts` (in memory) and `tools/gen_coco_bench.py` (which times
 * pycocotools on the files this writes):
 *
 *     node --import tsx tools/gen_coco_bench.ts OUT_DIR   # writes OUT_DIR/gt.json, OUT_DIR/dt.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/utils/rng.js';
import type { CocoJson } from '../src/structures/evaluation_types.js';

/** Options of {@link generateCocoBench}. */
export interface CocoBenchOptions {
  numImages?: number;
  detsPerImage?: number;
  numCategories?: number;
  seed?: number;
}

/** One detection record of the generated results file. */
export interface BenchDet {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Generates the benchmark ground truth and detections (same seed, same data).
 * @returns `gt` (COCO annotation file) and `dt` (results list)
 */
export function generateCocoBench(options: CocoBenchOptions = {}): { gt: CocoJson; dt: BenchDet[] } {
  const numImages = options.numImages ?? 5000;
  const detsPerImage = options.detsPerImage ?? 100;
  const numCats = options.numCategories ?? 80;
  const rng = new Rng(options.seed ?? 2026);
  const gt: CocoJson = {
    images: [],
    annotations: [],
    categories: Array.from({ length: numCats }, (_, k) => ({ id: k + 1, name: `cat_${k + 1}`, supercategory: 'thing' })),
  };
  const dt: BenchDet[] = [];
  const randBox = (W: number, H: number): [number, number, number, number] => {
    const w = Math.min(W - 1, Math.exp(rng.uniform(Math.log(6), Math.log(400))));
    const h = Math.min(H - 1, w * Math.exp(rng.uniform(-0.7, 0.7)));
    const x = rng.uniform(0, W - w);
    const y = rng.uniform(0, Math.max(1, H - h));
    return [r2(x), r2(y), r2(w), r2(Math.max(1, h))];
  };
  let annId = 1;
  for (let i = 1; i <= numImages; i++) {
    const W = rng.random() < 0.5 ? 640 : 480;
    const H = W === 640 ? 480 : 640;
    gt.images.push({ id: i, file_name: `${String(i).padStart(12, '0')}.jpg`, width: W, height: H });
    const nGt = rng.randint(3, 12);
    const boxes: Array<{ bbox: [number, number, number, number]; cat: number }> = [];
    for (let j = 0; j < nGt; j++) {
      const bbox = randBox(W, H);
      const cat = rng.randint(1, numCats + 1);
      const crowd = rng.random() < 0.01 ? 1 : 0;
      boxes.push({ bbox, cat });
      gt.annotations.push({ id: annId++, image_id: i, category_id: cat, bbox, area: r2(bbox[2] * bbox[3] * rng.uniform(0.6, 1)), iscrowd: crowd });
    }
    for (let d = 0; d < detsPerImage; d++) {
      const u = rng.random();
      let bbox: [number, number, number, number];
      let cat: number;
      if (u < 0.6) {
        const g = boxes[rng.randint(boxes.length)]!;
        const [x, y, w, h] = g.bbox;
        const j = rng.uniform(0, 0.25);
        bbox = [r2(x + w * rng.uniform(-j, j)), r2(y + h * rng.uniform(-j, j)), r2(w * (1 + rng.uniform(-j, j))), r2(h * (1 + rng.uniform(-j, j)))];
        cat = rng.random() < 0.85 ? g.cat : rng.randint(1, numCats + 1);
      } else {
        bbox = randBox(W, H);
        cat = rng.randint(1, numCats + 1);
      }
      dt.push({ image_id: i, category_id: cat, bbox, score: Math.round(rng.random() * 1000) / 1000 });
    }
  }
  return { gt, dt };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  if (out === undefined) {
    process.stderr.write('usage: node --import tsx tools/gen_coco_bench.ts OUT_DIR\n');
    process.exit(2);
  }
  const { gt, dt } = generateCocoBench();
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'gt.json'), JSON.stringify(gt));
  writeFileSync(path.join(out, 'dt.json'), JSON.stringify(dt));
  process.stdout.write(`wrote ${gt.images.length} images, ${gt.annotations.length} annotations, ${dt.length} detections to ${out}\n`);
}
