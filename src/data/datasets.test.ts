import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import './index.js';
import { METRICS } from '../registry/root.js';
import { tempDir, writeTinyCoco } from '../testing/data.js';
import { Rng } from '../utils/rng.js';
import { buildDataset } from './builder.js';
import { CocoDataset } from './coco.js';
import { CustomDataset } from './custom.js';
import { ClassBalancedDataset } from './dataset_wrappers/class_balanced_dataset.js';
import { ConcatDataset } from './dataset_wrappers/concat_dataset.js';
import { RepeatDataset } from './dataset_wrappers/repeat_dataset.js';
import { VOCDataset } from './voc.js';
import { parseXml } from './xml_reader.js';

const ctx = { rng: new Rng(0) };
let dir = '';
beforeAll(() => {
  dir = tempDir();
});
afterEach(() => vi.restoreAllMocks());

function writeJson(name: string, v: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  return f;
}

describe('CocoDataset', () => {
  const coco = {
    images: [
      { id: 5, file_name: 'x.jpg', width: 100, height: 50 },
      { id: 6, file_name: 'y.jpg', width: 40, height: 80 },
      { id: 7, file_name: 'empty.jpg', width: 64, height: 64 },
      { id: 8, file_name: 'tiny.jpg', width: 20, height: 64 },
    ],
    categories: [
      { id: 3, name: 'dog' },
      { id: 1, name: 'cat' },
      { id: 9, name: 'bird' },
    ],
    annotations: [
      { id: 1, image_id: 5, category_id: 1, bbox: [10, 10, 20, 10], area: 200, iscrowd: 0, segmentation: [[10, 10, 30, 10, 30, 20]] },
      { id: 2, image_id: 5, category_id: 3, bbox: [0, 0, 5, 5], area: 25, iscrowd: 1 },
      { id: 3, image_id: 5, category_id: 3, bbox: [50, 20, 10, 10], area: 100, ignore: 1 },
      { id: 4, image_id: 5, category_id: 3, bbox: [200, 20, 10, 10], area: 100 },
      { id: 5, image_id: 5, category_id: 3, bbox: [1, 1, 0.5, 10], area: 5 },
      { id: 6, image_id: 5, category_id: 9, bbox: [1, 1, 10, 10], area: 100 },
      { id: 7, image_id: 6, category_id: 3, bbox: [0, 0, 10, 20], area: 200 },
      { id: 8, image_id: 8, category_id: 3, bbox: [0, 0, 10, 20], area: 200 },
    ],
  };
  it('labels follow the json category order restricted to classes; _parse_ann_info rules', () => {
    const ds = new CocoDataset({ ann_file: writeJson('c.json', coco), pipeline: [], classes: ['cat', 'dog'] });
    expect(ds.cat_ids).toEqual([3, 1]); // json order: dog (3) before cat (1)
    expect([...ds.cat2label]).toEqual([[3, 0], [1, 1]]);
    // empty.jpg has no annotation, tiny.jpg is < 32 px: both filtered in train mode
    expect(ds.data_infos.map((d) => d.filename)).toEqual(['x.jpg', 'y.jpg']);
    expect(ds.img_ids).toEqual([5, 6]);
    const a = ds.get_ann_info(0);
    expect(Array.from(a.bboxes)).toEqual([10, 10, 30, 20]); // only ann 1: crowd→ignore, ignore flag, outside, w<1, bird skipped
    expect(Array.from(a.labels)).toEqual([1]);
    expect(Array.from(a.bboxes_ignore!)).toEqual([0, 0, 5, 5]);
    expect(a.masks).toEqual([[[10, 10, 30, 10, 30, 20]]]);
    expect(a.seg_map).toBe('x.png');
    expect(ds.get_cat_ids(0)).toEqual([1, 3, 3, 3, 3, 9]);
    expect(Array.from(ds.flag)).toEqual([1, 0]);
  });
  it('test_mode keeps every image; filter_empty_gt=false keeps empty ones', () => {
    expect(new CocoDataset({ ann_file: writeJson('c.json', coco), pipeline: [], classes: ['cat', 'dog'], test_mode: true }).length).toBe(4);
    expect(new CocoDataset({ ann_file: writeJson('c.json', coco), pipeline: [], classes: ['cat', 'dog'], filter_empty_gt: false }).length).toBe(3);
  });
  it('warns about a category id missing from categories and a negative-width box, naming file and item', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const bad = { ...coco, annotations: [...coco.annotations, { id: 99, image_id: 6, category_id: 42, bbox: [0, 0, 5, 5], area: 25 }, { id: 100, image_id: 6, category_id: 3, bbox: [20, 0, -5, 5], area: 25 }] };
    const f = writeJson('bad_cat.json', bad);
    new CocoDataset({ ann_file: f, pipeline: [], classes: ['cat', 'dog'] });
    const msgs = warn.mock.calls.map((c) => String(c[0]));
    expect(msgs.some((m) => m.includes(f) && m.includes('annotation 99') && m.includes('category_id 42'))).toBe(true);
    expect(msgs.some((m) => m.includes(f) && m.includes('annotation 100') && m.includes('x2 < x1'))).toBe(true);
  });
  it('errors name the file: invalid JSON, missing file, not COCO, duplicate annotation ids', () => {
    const f = writeJson('broken.json', '{"images": [');
    expect(() => new CocoDataset({ ann_file: f, pipeline: [] })).toThrow(new RegExp(`${f} is not valid JSON`));
    expect(() => new CocoDataset({ ann_file: join(dir, 'none.json'), pipeline: [] })).toThrow(/not found/);
    expect(() => new CocoDataset({ ann_file: writeJson('nc.json', { images: [] }), pipeline: [] })).toThrow(/not a COCO file/);
    const dup = { ...coco, annotations: [coco.annotations[0], coco.annotations[0]] };
    expect(() => new CocoDataset({ ann_file: writeJson('dup.json', dup), pipeline: [], classes: ['cat'] })).toThrow(/not unique/);
  });
  it('evaluate delegates to METRICS coco with mmdet keywords', () => {
    const fn = vi.fn(() => ({ bbox_mAP: 0.5 }));
    METRICS.register('coco', fn, { force: true });
    const ds = new CocoDataset({ ann_file: writeJson('c.json', coco), pipeline: [], classes: ['cat', 'dog'], test_mode: true });
    expect(ds.evaluate([{}, {}, {}, {}], { metric: 'bbox', classwise: true })).toEqual({ bbox_mAP: 0.5 });
    const [arg, , opts] = fn.mock.calls[0] as unknown as [{ catIds: number[]; imgIds: number[] }, unknown, { metric: string; classwise: boolean }];
    expect(arg.catIds).toEqual([3, 1]);
    expect(arg.imgIds).toEqual([5, 6, 7, 8]);
    expect(opts).toMatchObject({ metric: 'bbox', classwise: true });
    expect(() => ds.evaluate([{}, {}, {}, {}], { metric: 'mAP' })).toThrow(/not supported/);
    expect(() => ds.evaluate([{}], {})).toThrow(/not equal/);
  });
});

describe('CustomDataset (middle format)', () => {
  it('loads boxes and rejects x2 < x1 naming file and image', () => {
    const good = writeJson('m.json', [{ filename: 'a.jpg', width: 60, height: 40, ann: { bboxes: [[1, 2, 30, 20]], labels: [0] } }]);
    const ds = new CustomDataset({ ann_file: good, pipeline: [], classes: ['x'] });
    expect(Array.from(ds.get_ann_info(0).bboxes)).toEqual([1, 2, 30, 20]);
    const bad = writeJson('mb.json', [{ filename: 'b.jpg', width: 60, height: 40, ann: { bboxes: [[30, 2, 1, 20]], labels: [0] } }]);
    expect(() => new CustomDataset({ ann_file: bad, pipeline: [], classes: ['x'] })).toThrow(/b\.jpg box 0 .* x2 < x1/);
  });
  it('prepare_train_img retries another index of the same group when the pipeline returns null', async () => {
    const f = writeJson('m2.json', [0, 1, 2, 3].map((i) => ({ filename: `${i}.jpg`, width: 60, height: 40, ann: { bboxes: [], labels: [] } })));
    let calls = 0;
    const dropFirst = { apply: (r: { img_info?: { filename: string } }) => (++calls, r.img_info!.filename === '0.jpg' ? null : r), toString: () => 'DropFirst' };
    const ds = new CustomDataset({ ann_file: f, pipeline: [dropFirst as never], classes: ['x'] });
    const r = await ds.getItem(0, ctx);
    expect(r.img_info!.filename).not.toBe('0.jpg');
    expect(calls).toBeGreaterThan(1);
  });
});

describe('XML / VOC', () => {
  const xml = (objs: string, size = '<size><width>100</width><height>80</height><depth>3</depth></size>') => `<?xml version="1.0"?>\n<annotation><!-- c --><filename>a.jpg</filename>${size}${objs}</annotation>`;
  const obj = (name: string, b: number[], difficult = 0) =>
    `<object><name>${name}</name><difficult>${difficult}</difficult><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;
  function vocRoot(name: string, files: Record<string, string>): string {
    const root = join(dir, name, 'VOC2007');
    mkdirSync(join(root, 'Annotations'), { recursive: true });
    mkdirSync(join(root, 'ImageSets'), { recursive: true });
    for (const [id, text] of Object.entries(files)) writeFileSync(join(root, 'Annotations', `${id}.xml`), text);
    writeFileSync(join(root, 'ImageSets', 'ids.txt'), Object.keys(files).join('\n'));
    return root;
  }
  it('parses objects, difficult → ignore, coordinates − 1, unknown names skipped', () => {
    const root = vocRoot('voc1', { '0001': xml(obj('dog', [10, 20, 50.7, 60]) + obj('cat', [1, 1, 9, 9], 1) + obj('alien', [1, 1, 5, 5])), '0002': xml(obj('alien', [1, 1, 5, 5])) });
    const ds = new VOCDataset({ ann_file: join(root, 'ImageSets', 'ids.txt'), img_prefix: root, pipeline: [] });
    expect(ds.year).toBe(2007);
    expect(ds.length).toBe(1); // 0002 has no known class
    const a = ds.get_ann_info(0);
    expect(Array.from(a.bboxes)).toEqual([9, 19, 49, 59]);
    expect(Array.from(a.labels)).toEqual([11]); // dog
    expect(Array.from(a.bboxes_ignore!)).toEqual([0, 0, 8, 8]);
    expect(Array.from(a.labels_ignore!)).toEqual([7]); // cat
    expect(ds.data_infos[0]).toMatchObject({ id: '0001', filename: 'JPEGImages/0001.jpg', width: 100, height: 80 });
  });
  it('invalid XML and xmax < xmin raise errors naming the file', () => {
    const root = vocRoot('voc2', { '0003': '<annotation><size><width>10</width></annotation>' });
    expect(() => new VOCDataset({ ann_file: join(root, 'ImageSets', 'ids.txt'), img_prefix: root, pipeline: [] })).toThrow(/0003\.xml: not well-formed XML \(line 1\): mismatched tag/);
    const root2 = vocRoot('voc3', { '0004': xml(obj('dog', [50, 20, 10, 60])) });
    const ds = new VOCDataset({ ann_file: join(root2, 'ImageSets', 'ids.txt'), img_prefix: root2, pipeline: [], filter_empty_gt: false });
    expect(() => ds.get_ann_info(0)).toThrow(/0004\.xml: object 'dog' has xmax < xmin/);
    expect(() => new VOCDataset({ ann_file: join(root2, 'ImageSets', 'ids.txt'), img_prefix: join(dir, 'voc3'), pipeline: [] })).toThrow();
  });
  it('takes the size from the image when the XML has no <size>', async () => {
    const root = vocRoot('voc4', { '0005': xml(obj('dog', [1, 1, 20, 20]), '') });
    const { writeImage } = await import('../testing/data.js');
    await writeImage(join(root, 'JPEGImages', '0005.jpg'), 48, 36, () => [1, 2, 3], 'jpg');
    const ds = new VOCDataset({ ann_file: join(root, 'ImageSets', 'ids.txt'), img_prefix: root, pipeline: [] });
    expect(ds.data_infos[0]).toMatchObject({ width: 48, height: 36 });
    await writeImage(join(root, 'JPEGImages', '0005.png'), 33, 35, () => [1, 2, 3], 'png');
    const { imageSize } = await import('./image_size.js');
    expect(imageSize(join(root, 'JPEGImages', '0005.png'))).toEqual([33, 35]);
  });

  it('the XML reader handles entities, attributes and CDATA', () => {
    const r = parseXml('<a x="1 &amp; 2"><b>&lt;ok&gt;</b><c><![CDATA[<raw>]]></c><d/></a>');
    expect(r.attrib.x).toBe('1 & 2');
    expect(r.children.map((c) => [c.tag, c.text])).toEqual([['b', '<ok>'], ['c', '<raw>'], ['d', '']]);
  });
});

describe('dataset wrappers and buildDataset', () => {
  let coco = { annFile: '', imgPrefix: '', classes: [] as string[] };
  beforeAll(async () => {
    coco = await writeTinyCoco(join(dir, 'tiny'), [
      { w: 48, h: 32, objects: [{ cls: 0, bbox: [2, 2, 10, 10] }] },
      { w: 32, h: 48, objects: [{ cls: 1, bbox: [2, 2, 10, 10] }] },
      { w: 48, h: 32, objects: [{ cls: 0, bbox: [2, 2, 10, 10] }, { cls: 1, bbox: [20, 2, 10, 10] }] },
      { w: 48, h: 32, objects: [{ cls: 0, bbox: [2, 2, 10, 10] }] },
    ]);
  });
  const base = () => ({ type: 'CocoDataset', ann_file: coco.annFile, img_prefix: coco.imgPrefix, classes: coco.classes, pipeline: [{ type: 'LoadImageFromFile' }] });
  it('RepeatDataset tiles flag and indexes modulo', async () => {
    const ds = buildDataset({ type: 'RepeatDataset', times: 3, dataset: base() }) as RepeatDataset;
    expect(ds.length).toBe(12);
    expect(Array.from(ds.flag)).toEqual([1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1]);
    expect((await ds.getItem(5, ctx)).ori_filename).toBe('1.png');
  });
  it('ClassBalancedDataset repeats rare-class images ceil(max sqrt(t/f)) times', () => {
    // f(a) = 3/4, f(b) = 2/4; t = 1 → r(a) = sqrt(4/3) = 1.155, r(b) = sqrt(2) = 1.414 → every image ceil → 2
    const ds = buildDataset({ type: 'ClassBalancedDataset', oversample_thr: 1, dataset: base() }) as ClassBalancedDataset;
    expect(ds.repeat_factors.map((r) => Math.round(r * 1000) / 1000)).toEqual([1.155, 1.414, 1.414, 1.155]);
    expect(ds.length).toBe(8);
    // t = 0.6: r(a) = max(1, sqrt(0.8)) = 1, r(b) = sqrt(1.2) = 1.095 → images with b twice
    const ds2 = buildDataset({ type: 'ClassBalancedDataset', oversample_thr: 0.6, dataset: base() }) as ClassBalancedDataset;
    expect(ds2.repeat_indices).toEqual([0, 1, 1, 2, 2, 3]);
  });
  it('ConcatDataset from a list or an ann_file list; separate_eval prefixes keys', () => {
    const ds = buildDataset({ ...base(), ann_file: [coco.annFile, coco.annFile], img_prefix: [coco.imgPrefix, coco.imgPrefix], test_mode: true }) as ConcatDataset;
    expect(ds).toBeInstanceOf(ConcatDataset);
    expect(ds.length).toBe(8);
    expect(ds.locate(5)).toEqual([1, 1]);
    METRICS.register('coco', () => ({ bbox_mAP: 0.25 }), { force: true });
    const out = ds.evaluate(new Array(8).fill({}), { log: () => undefined });
    expect(out).toEqual({ '0_bbox_mAP': 0.25, '1_bbox_mAP': 0.25 });
    expect(() => buildDataset({ type: 'ConcatDataset', separate_eval: false, datasets: [base(), base()] })).toThrow(/separate_eval=True/);
  });
  it('dataset errors name the config key (data.train.ann_file, data.val.classes)', () => {
    const f = writeJson('broken2.json', '{"images": [');
    let err: unknown;
    try {
      buildDataset({ type: 'CocoDataset', ann_file: f, pipeline: [] }, undefined, 'data.train');
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe('DATA_ANN_PARSE');
    expect((err as { configPath: string }).configPath).toBe('data.train.ann_file');
    expect(() => buildDataset({ type: 'CocoDataset', ann_file: coco.annFile, pipeline: [], classes: 3 }, undefined, 'data.val')).toThrow(
      expect.objectContaining({ configPath: 'data.val.classes' }),
    );
  });

  it('an unknown dataset type names the config path', () => {
    expect(() => buildDataset({ type: 'CocoDatset' }, undefined, 'data.train')).toThrow(/CocoDataset/);
  });
});
