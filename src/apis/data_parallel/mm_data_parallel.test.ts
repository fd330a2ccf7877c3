import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../../nn/index.js';
import '../../models/index.js';
import type { BaseDetector } from '../../models/detectors/base.js';
import { DETECTORS } from '../../registry/root.js';
import type { DetBatch } from '../../structures/det_types.js';
import { brightSquareBatch } from '../../testing/detection.js';
import { relativeError } from '../../testing/backend.js';
import { DetkitError } from '../../utils/errors.js';
import { Rng } from '../../utils/rng.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from '../../engine/checkpoint/checkpoint.js';
import type { RunnerLike } from '../../engine/types.js';
import { NumClassCheckHook } from '../hooks/num_class_check_hook.js';
import { MMDataParallel, checkGpuIds, replicaImports, replicaModelCfg } from './mm_data_parallel.js';
import { scatterBatch } from './scatter.js';

const S = 64;

/** A tiny RetinaNet (BN in training mode, so batch statistics matter per chunk). */
export const TINY_RETINANET = {
  type: 'RetinaNet',
  backbone: { type: 'ResNet', depth: 18, base_channels: 8, out_indices: [1, 2, 3], norm_eval: false, init_cfg: null },
  neck: { type: 'FPN', in_channels: [16, 32, 64], out_channels: 16, start_level: 0, add_extra_convs: 'on_input', num_outs: 4 },
  bbox_head: {
    type: 'RetinaHead', num_classes: 3, in_channels: 16, stacked_convs: 1, feat_channels: 16,
    anchor_generator: { type: 'AnchorGenerator', octave_base_scale: 4, scales_per_octave: 1, ratios: [1.0], strides: [8, 16, 32, 64] },
    loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
    loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
  },
  train_cfg: { assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.4, min_pos_iou: 0, ignore_iof_thr: -1 }, allowed_border: -1, pos_weight: -1, debug: false },
  test_cfg: { nms_pre: 100, min_bbox_size: 0, score_thr: 0.0, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 10 },
};

function build(seed: number): BaseDetector {
  const m = DETECTORS.build<BaseDetector>(structuredClone(TINY_RETINANET), undefined, { path: 'model' });
  m.initWeights(new Rng(seed));
  return m.train();
}

/** Two images that differ (the second one's square is shifted), named a.png and b.png. */
function twoImages(): DetBatch {
  const b = brightSquareBatch(S);
  const px = S * S * 3;
  for (let i = 0; i < px; i++) b.img[px + i] = b.img[px + i]! * 0.5;
  b.samples[0] = { ...b.samples[0]!, meta: { ...b.samples[0]!.meta, filename: 'a.png' } };
  b.samples[1] = { ...b.samples[1]!, meta: { ...b.samples[1]!.meta, filename: 'b.png' }, gt_bboxes: Float32Array.from([20, 10, 60, 40]) };
  return b;
}

let dp: MMDataParallel;

beforeAll(async () => {
  await initBackend('wasm');
  dp = new MMDataParallel(build(3), { device_ids: [0, 1], model_cfg: TINY_RETINANET });
});

afterAll(async () => {
  await dp.close();
  dp.module.dispose();
});

describe('scatterBatch (torch chunk)', () => {
  it('splits B images into chunks of ceil(B/n); fewer chunks when B < n', () => {
    const b = brightSquareBatch(48);
    expect(scatterBatch(b, 2).map((c) => c.imgShape[0])).toEqual([1, 1]);
    expect(scatterBatch(b, 3).map((c) => c.imgShape[0])).toEqual([1, 1]);
    expect(scatterBatch(b, 1).map((c) => c.imgShape[0])).toEqual([2]);
    const five = { img: new Float32Array(5 * 2), imgShape: [5, 1, 2, 1] as [number, number, number, number], samples: Array.from({ length: 5 }, (_, i) => ({ meta: { filename: `${i}` } })) } as unknown as DetBatch;
    five.img.forEach((_, i) => (five.img[i] = i));
    const parts = scatterBatch(five, 4);
    expect(parts.map((c) => c.imgShape[0])).toEqual([2, 2, 1]);
    expect([...parts[2]!.img]).toEqual([8, 9]);
    expect(parts[2]!.samples.map((s) => s.meta.filename)).toEqual(['4']);
    // chunk 0 is a view, later chunks own their buffers (transferable)
    expect(parts[0]!.img.buffer).toBe(five.img.buffer);
    expect(parts[1]!.img.buffer).not.toBe(five.img.buffer);
  });
});

describe('gpu_ids and replica configs', () => {
  it('rejects malformed or too many device ids naming gpu_ids', () => {
    expect(() => checkGpuIds([])).toThrowError(expect.objectContaining({ code: 'DP_BAD_GPU_IDS', configPath: 'gpu_ids' }));
    expect(() => checkGpuIds([0, 0])).toThrowError(expect.objectContaining({ code: 'DP_BAD_GPU_IDS' }));
    expect(() => checkGpuIds(Array.from({ length: 1000 }, (_, i) => i))).toThrowError(expect.objectContaining({ code: 'DP_TOO_MANY_DEVICES', configPath: 'gpu_ids' }));
    expect(checkGpuIds([0, 1])).toEqual([0, 1]);
  });

  it('resolves custom_imports for replicas against the config file', () => {
    expect(replicaImports({ imports: ['./my_head.ts', '../x/y.ts', 'some-pkg', '/abs/z.ts'] }, '/cfgs/a/b.ts')).toEqual(['/cfgs/a/my_head.ts', '/cfgs/x/y.ts', 'some-pkg', '/abs/z.ts']);
    expect(replicaImports({ imports: 'file:///abs/w.ts' }, undefined)).toEqual(['/abs/w.ts']);
    expect(replicaImports(undefined, '/cfgs/a/b.ts')).toEqual([]);
  });

  it('gives every RandomSampler of replica k the seed (seed ?? 0) + k', () => {
    const cfg = { type: 'X', train_cfg: { rpn: { sampler: { type: 'RandomSampler', num: 4 } }, rcnn: [{ sampler: { type: 'RandomSampler', seed: 10 } }] } };
    const r = replicaModelCfg(cfg, 2) as typeof cfg & { train_cfg: { rpn: { sampler: { seed: number } }; rcnn: Array<{ sampler: { seed: number } }> } };
    expect(r.train_cfg.rpn.sampler.seed).toBe(2);
    expect(r.train_cfg.rcnn[0]!.sampler.seed).toBe(12);
    expect((cfg.train_cfg.rpn.sampler as { seed?: number }).seed).toBeUndefined();
  });
});

describe('MMDataParallel over 2 threads (wasm)', () => {
  it('shows the master to hooks and checkpoints (NumClassCheckHook, CLASSES, state dict without module. prefix)', async () => {
    const hook = new NumClassCheckHook();
    hook.classesByMode.train = ['a', 'b'];
    const runner = { model: dp, model_name: 'RetinaNet' } as unknown as RunnerLike;
    expect(() => hook.before_train_epoch(runner)).toThrowError(expect.objectContaining({ code: 'NUM_CLASSES_MISMATCH', configPath: 'model.bbox_head.num_classes' }));
    hook.classesByMode.train = ['a', 'b', 'c'];
    expect(() => hook.before_train_epoch(runner)).not.toThrow();
    dp.module.CLASSES = ['a', 'b', 'c'];
    const file = join(mkdtempSync(join(tmpdir(), 'detkit-dp-ckpt-')), 'x.safetensors');
    await saveCheckpoint(dp, file, { latest: false });
    expect(readCheckpointMeta(file).CLASSES).toEqual(['a', 'b', 'c']);
    const fresh = build(7);
    loadCheckpoint(fresh, file, { strict: true });
    const want = dp.stateDict();
    for (const [k, v] of fresh.stateDict()) expect(relativeError(v.dataSync(), want.get(k)!.dataSync()), k).toBe(0);
    fresh.dispose();
  });

  it('returns the mean of per-chunk gradients and log_vars, all images, and does not leak', async () => {
    const ref = build(3);
    const [c0, c1] = scatterBatch(twoImages(), 2);
    const r0 = ref.train_step(c0);
    const r1 = ref.train_step(c1);
    const out = await dp.train_step(twoImages());
    expect(out.num_samples).toBe(2);
    expect(out.img_files).toEqual(['a.png', 'b.png']);
    expect(Object.keys(out.log_vars)).toEqual(['loss_cls', 'loss_bbox', 'loss']);
    for (const k of Object.keys(out.log_vars)) expect(out.log_vars[k]).toBeCloseTo((r0.log_vars[k]! + r1.log_vars[k]!) / 2, 5);
    expect(out.loss).toBeCloseTo((r0.loss + r1.loss) / 2, 5);
    expect(r0.log_vars.loss_bbox).not.toBeCloseTo(r1.log_vars.loss_bbox!, 3);
    expect([...out.grads!.keys()].sort()).toEqual([...r0.grads!.keys()].sort());
    let worst = 0;
    for (const [name, g] of out.grads!) {
      const want = tf.tidy(() => tf.div(tf.add(r0.grads!.get(name)!, r1.grads!.get(name)!), 2).dataSync());
      worst = Math.max(worst, relativeError(g.dataSync(), want));
    }
    expect(worst).toBeLessThan(1e-5);
    for (const m of [out.grads!, r0.grads!, r1.grads!]) for (const g of m.values()) g.dispose();
    ref.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) for (const g of (await dp.train_step(twoImages())).grads!.values()) g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects with DP_REPLICA_FAILED naming the device and its images when the replica throws', async () => {
    const bad = twoImages();
    bad.samples[1] = { ...bad.samples[1]!, gt_bboxes: new Float32Array([1, 2, 3]) };
    const before = tf.memory().numTensors;
    const err = await dp.train_step(bad).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as DetkitError).code).toBe('DP_REPLICA_FAILED');
    expect((err as Error).message).toMatch(/device 1 \(images b\.png\)/);
    expect(tf.memory().numTensors).toBe(before);
    // the replica still answers afterwards
    for (const g of (await dp.train_step(twoImages())).grads!.values()) g.dispose();
  });

  it('rejects with DP_REPLICA_INIT_FAILED when a replica cannot build cfg.model, and closes', async () => {
    const master = build(3);
    const broken = new MMDataParallel(master, { device_ids: [0, 1], model_cfg: { ...TINY_RETINANET, type: 'NoSuchDetector' } });
    const err = await broken.train_step(twoImages()).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as DetkitError).code).toBe('DP_REPLICA_INIT_FAILED');
    expect((err as Error).message).toMatch(/device 1 could not be built.*NoSuchDetector/s);
    await broken.close();
    expect(broken.liveReplicas).toBe(0);
    master.dispose();
  });
});
