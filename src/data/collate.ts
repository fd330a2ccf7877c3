/**
 * @module Batching of pipeline outputs into a {@link DetBatch} (mmcv `parallel/collate.py` for the
 * detection keys) and the per-sample seeding shared by the in-thread and worker loaders.
 *
 * Images are zero-padded (DefaultFormatBundle's `pad_val.img`) at the bottom/right to the batch's
 * largest height and width, rounded up to `size_divisor`, into one NHWC float32 array.
 * Normalized uint8 images ({@link DeferredImage}) are written straight into the batch (the fused
 * Normalize → Pad → copy of mmdet's three passes).
 *
 * Test-time augmentation: when the pipeline (MultiScaleFlipAug) makes several augmentations of each
 * image, the batch is collated once per augmentation into `DetBatch.augs` (`augs[j]` holds
 * augmentation `j` of every image, each padded on its own); the batch's own fields are `augs[0]`'s,
 * so `simple_test` still sees the first augmentation. mmdet instead keeps lists of per-augmentation
 * tensors (`img`, `img_metas`) and requires `samples_per_gpu=1` for them; detkit batches any size.
 */
import type { DetBatch, DetSample, ImageMeta, InstanceMasks } from '../structures/det_types.js';
import { DetkitError } from '../utils/errors.js';
import { Rng } from '../utils/rng.js';
import { DeferredImage } from './pipelines/deferred_image.js';
import type { Image, Results } from './pipelines/types.js';
import type { DetDataset } from './types.js';

/** The seed of the sample at `position` of `epoch` (independent of batching and workers). */
export function sampleSeed(seed: number, epoch: number, position: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x2c1b3c6d, 0x297a2d39) >>> 0;
  h = Math.imul(h ^ (epoch + 0x9e3779b9), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (position + 0x7f4a7c15), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Runs the dataset's pipeline for `indices` (at epoch `positions`) one after another. */
export async function loadSamples(dataset: DetDataset, indices: readonly number[], positions: readonly number[], seed: number, epoch: number): Promise<Results[]> {
  const out: Results[] = [];
  for (let k = 0; k < indices.length; k++) {
    out.push(await dataset.getItem(indices[k]!, { rng: new Rng(sampleSeed(seed, epoch, positions[k]!)) }));
  }
  return out;
}

/** Number of augmentations of a test sample (its `img` is a list), or 0 for a plain sample. */
function augCount(r: Results): number {
  return Array.isArray(r.img) ? (r.img as unknown[]).length : 0;
}

/** Augmentation `j` of a MultiScaleFlipAug sample: every list-valued key at index `j`. */
function augAt(r: Results, j: number): Results {
  const out: Results = {};
  for (const [k, v] of Object.entries(r)) out[k] = Array.isArray(v) && k !== 'bbox_fields' ? v[j] : v;
  return out;
}

function toMeta(m: Record<string, unknown>, batchShape: [number, number]): ImageMeta {
  const sf = m.scale_factor;
  const meta: Record<string, unknown> = { ...m };
  if (sf instanceof Float32Array || Array.isArray(sf)) meta.scale_factor = Array.from(sf as ArrayLike<number>);
  else if (typeof sf === 'number') meta.scale_factor = [sf, sf, sf, sf];
  meta.batch_input_shape = batchShape;
  return meta as ImageMeta;
}

/**
 * Supplies a batch image array of exactly `length` float32 elements on a recycled buffer (stale
 * contents: collate overwrites every element), or `null` to allocate a fresh zeroed one.
 */
export type TakeBuffer = (length: number) => Float32Array | null;

/**
 * Collates pipeline outputs (after `Collect`) into a padded NHWC batch.
 * @param sizeDivisor the padded batch height/width are multiples of this (default 1)
 * @param take where the `[B, H, W, C]` image array comes from (default: a new Float32Array)
 */
export function collate(samples: Results[], sizeDivisor = 1, take?: TakeBuffer): DetBatch {
  const n = samples.length === 0 ? 0 : augCount(samples[0]!);
  for (const r of samples) {
    if (augCount(r) !== n) throw new DetkitError('DATA_BAD_BATCH', `samples of one batch have ${n} and ${augCount(r)} test-time augmentations`);
  }
  if (n === 0) return collatePlain(samples, sizeDivisor, take);
  const augs = Array.from({ length: n }, (_, j) => collatePlain(samples.map((r) => augAt(r, j)), sizeDivisor, take));
  return n === 1 ? augs[0]! : { ...augs[0]!, augs };
}

function collatePlain(rs: Results[], sizeDivisor: number, take: TakeBuffer | undefined): DetBatch {
  let h = 0;
  let w = 0;
  let c = 0;
  for (const r of rs) {
    const img = r.img as Image | undefined;
    if (img === undefined) throw new DetkitError('DATA_BAD_BATCH', "a sample has no 'img' (add it to Collect keys)");
    h = Math.max(h, img.height);
    w = Math.max(w, img.width);
    if (c !== 0 && img.channels !== c) throw new DetkitError('DATA_BAD_BATCH', `images of one batch have ${c} and ${img.channels} channels`);
    c = img.channels;
  }
  const d = Math.max(1, sizeDivisor);
  h = Math.ceil(h / d) * d;
  w = Math.ceil(w / d) * d;
  const length = rs.length * h * w * c;
  const recycled = take?.(length) ?? null;
  const out = recycled ?? new Float32Array(length);
  const batchSamples: DetSample[] = rs.map((r, b) => {
    const img = r.img as Image;
    const base = b * h * w * c;
    const pad = typeof r.img_pad_val === 'number' ? r.img_pad_val : 0;
    if (img instanceof DeferredImage) {
      img.writeInto(out, w, base);
    } else {
      const row = img.width * c;
      for (let y = 0; y < img.height; y++) out.set(img.data.subarray(y * row, (y + 1) * row), base + y * w * c);
    }
    // The batch padding around the image's canvas (a fresh array is already zero).
    if (pad !== 0 || recycled !== null) {
      if (img.width < w) for (let y = 0; y < img.height; y++) out.fill(pad, base + (y * w + img.width) * c, base + (y + 1) * w * c);
      out.fill(pad, base + img.height * w * c, base + h * w * c);
    }
    const s: DetSample = { meta: toMeta((r.img_metas ?? {}) as Record<string, unknown>, [h, w]) };
    if (r.gt_bboxes !== undefined) s.gt_bboxes = r.gt_bboxes;
    if (r.gt_labels !== undefined) s.gt_labels = r.gt_labels;
    if (r.gt_bboxes_ignore !== undefined) s.gt_bboxes_ignore = r.gt_bboxes_ignore;
    if (r.gt_masks !== undefined) s.gt_masks = r.gt_masks as InstanceMasks;
    return s;
  });
  return { img: out, imgShape: [rs.length, h, w, c], samples: batchSamples };
}

/** The ArrayBuffers of a batch that can be transferred to another thread without copying. */
export function transferables(batch: DetBatch): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined): void => {
    if (a === undefined) return;
    const buf = a.buffer;
    if (buf instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === buf.byteLength) seen.add(buf);
  };
  add(batch.img);
  for (const aug of batch.augs ?? []) for (const buf of transferables(aug)) seen.add(buf);
  for (const s of batch.samples) {
    add(s.gt_bboxes);
    add(s.gt_labels);
    add(s.gt_bboxes_ignore);
    if (s.gt_masks?.kind === 'bitmap') s.gt_masks.masks.forEach(add);
    else if (s.gt_masks?.kind === 'polygon') s.gt_masks.polygons.forEach((inst) => inst.forEach(add));
  }
  return [...seen];
}
