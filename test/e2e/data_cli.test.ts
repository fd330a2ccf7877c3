/**
 * `detkit make-dataset` and `detkit browse-dataset` end to end (in-process CLI), and the
 * `auto_generate` dataset key.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import '../../src/data/index.js';
import { browseDataset, retrieveTrainDataCfg } from '../../src/data/browse_dataset.js';
import { tempDir } from '../../src/testing/data.js';

function trainCfg(root: string, extra: Record<string, unknown> = {}) {
  return {
    data: {
      train: {
        type: 'RepeatDataset',
        times: 1,
        dataset: {
          type: 'CocoDataset',
          data_root: root,
          ann_file: 'annotations/instances_train.json',
          img_prefix: 'train/',
          classes: ['circle', 'square', 'triangle', 'star', 'hexagon'],
          pipeline: [
            { type: 'LoadImageFromFile' },
            { type: 'LoadAnnotations', with_bbox: true, with_mask: true, poly2mask: false },
            { type: 'Resize', img_scale: [128, 96], keep_ratio: true },
            { type: 'Normalize', mean: [0, 0, 0], std: [1, 1, 1], to_rgb: true },
            { type: 'Pad', size_divisor: 32 },
            { type: 'DefaultFormatBundle' },
            { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels'] },
          ],
          ...extra,
        },
      },
    },
  };
}

describe('make-dataset / browse-dataset', () => {
  it('make-dataset writes the COCO layout; bad usage exits 2', async () => {
    const out = join(tempDir(), 'shapes');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['make-dataset', 'shapes', out, '--train', '3', '--val', '1', '--size', '96'])).toBe(0);
      expect(await main(['make-dataset', 'cubes', out])).toBe(2);
    } finally {
      write.mockRestore();
    }
    const json = JSON.parse(readFileSync(join(out, 'annotations', 'instances_train.json'), 'utf8'));
    expect(json.images).toHaveLength(3);
    expect(existsSync(join(out, 'val', '000000.jpg'))).toBe(true);
  });

  it('retrieve_data_cfg drops the skip types below the wrappers', () => {
    const c = retrieveTrainDataCfg(trainCfg('/x'));
    const types = ((c as unknown as { dataset: { pipeline: Array<{ type: string }> } }).dataset.pipeline).map((t) => t.type);
    expect(types).toEqual(['LoadImageFromFile', 'LoadAnnotations', 'Resize', 'Pad']);
  });

  it('browses an auto-generated shapes dataset: one PNG per sample, sized as the padded image', async () => {
    const root = join(tempDir(), 'shapes');
    const outDir = join(tempDir(), 'vis');
    const files = await browseDataset(trainCfg(root, { auto_generate: { kind: 'shapes', train: 3, val: 1, size: 96 } }), { outputDir: outDir });
    expect(files.map((f) => f.slice(outDir.length + 1))).toEqual(['000000.png', '000001.png', '000002.png']);
    const meta = await sharp(files[0]!).metadata();
    expect((meta.width ?? 0) % 32).toBe(0);
    expect((meta.height ?? 0) % 32).toBe(0);
  });

  it('browse-dataset CLI loads a config file and requires --output-dir', async () => {
    const dir = tempDir();
    const root = join(dir, 'shapes');
    const cfgFile = join(dir, 'cfg.json');
    writeFileSync(cfgFile, JSON.stringify(trainCfg(root, { auto_generate: { kind: 'shapes', train: 2, val: 1, size: 96 } })));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const werr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['browse-dataset', cfgFile, '--output-dir', join(dir, 'out'), '--cfg-options', 'data.train.times=2'])).toBe(0);
      expect(await main(['browse-dataset', cfgFile])).toBe(2);
    } finally {
      write.mockRestore();
      werr.mockRestore();
    }
    expect(existsSync(join(dir, 'out', '000001.png'))).toBe(true);
    expect(existsSync(join(dir, 'out', '000001_3.png'))).toBe(true); // the repeated pass
  });
});
