/**
 * @module Test-time post-processing shared by dense heads: mmdet 2.28
 * `BaseDenseHead._get_bboxes_single` + `filter_scores_and_topk` + `_bbox_post_process`, on typed arrays,
 * with or without NMS (the latter for test-time augmentation, {@link detectDenseCandidates}).
 */
import { tf } from '../../backend/index.js';
import { batchedNms, bbox2result, type NmsConfig } from '../../ops/index.js';
import type { ImageMeta } from '../../structures/det_types.js';
import { gatherRows } from '../task_modules/samplers/sampling_result.js';
import type { AugCandidates } from '../test_time_augs/merge_augs.js';
import type { ClassDetections } from '../../structures/det_types.js';

/** mmdet dense-head `test_cfg`. */
export interface DenseTestConfig {
  /** Top (prior, class) pairs kept per level before NMS (-1: all). */
  nms_pre?: number;
  /** Minimum box size (accepted; mmdet 2.28 ignores it for most dense heads). */
  min_bbox_size?: number;
  /** Pairs with score ≤ score_thr are dropped. */
  score_thr?: number;
  nms?: NmsConfig;
  /** Detections kept per image. */
  max_per_img?: number;
}

/** One level's activated outputs for one image. */
export interface LevelOutputs {
  /** `[n, C]` class scores (after sigmoid/softmax, background column removed). */
  scores: Float32Array;
  numClasses: number;
  /** Decodes the boxes of the given prior indices: returns `[k, 4]`. */
  decode(indices: Int32Array): Float32Array;
  /** `[n]` factors multiplied into the scores after filtering (centerness), or null. */
  scoreFactors: Float32Array | null;
}

/**
 * Keeps (prior, class) pairs with score > `scoreThr`, the `topk` best by score (mmdet
 * `filter_scores_and_topk`).
 * @returns scores, labels and prior indices of the kept pairs, by descending score
 */
export function filterScoresAndTopk(scores: Float32Array, numClasses: number, scoreThr: number, topk: number): { scores: Float32Array; labels: Int32Array; inds: Int32Array } {
  const cand: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > scoreThr) cand.push(i);
  cand.sort((a, b) => scores[b] - scores[a] || a - b);
  const k = topk > 0 ? Math.min(topk, cand.length) : cand.length;
  const out = { scores: new Float32Array(k), labels: new Int32Array(k), inds: new Int32Array(k) };
  for (let j = 0; j < k; j++) {
    out.scores[j] = scores[cand[j]];
    out.labels[j] = cand[j] % numClasses;
    out.inds[j] = Math.floor(cand[j] / numClasses);
  }
  return out;
}

/**
 * Detection candidates of one image before NMS (mmdet `_get_bboxes_single(..., with_nms=False)`):
 * per level filter and top-k, decode, divide by `scaleFactor` when `rescale`, score factors applied.
 */
export function denseCandidates(levels: LevelOutputs[], cfg: DenseTestConfig, scaleFactor: readonly number[], rescale: boolean): AugCandidates {
  const boxes: number[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  for (const lvl of levels) {
    const kept = filterScoresAndTopk(lvl.scores, lvl.numClasses, cfg.score_thr ?? 0, cfg.nms_pre ?? -1);
    const decoded = lvl.decode(kept.inds);
    for (let j = 0; j < kept.inds.length; j++) {
      for (let c = 0; c < 4; c++) boxes.push(decoded[4 * j + c] / (rescale ? scaleFactor[c] : 1));
      scores.push(kept.scores[j] * (lvl.scoreFactors === null ? 1 : lvl.scoreFactors[kept.inds[j]]));
      labels.push(kept.labels[j]);
    }
  }
  return { bboxes: Float32Array.from(boxes), scores: Float32Array.from(scores), labels: Int32Array.from(labels) };
}

/**
 * Detections of one image from its per-level outputs: {@link denseCandidates}, class-wise NMS,
 * `max_per_img`, then per-class arrays (`bbox2result`).
 * @param scaleFactor `[w, h, w, h]` of Resize, divided out when `rescale`
 */
export function denseDetections(levels: LevelOutputs[], cfg: DenseTestConfig, numClasses: number, scaleFactor: readonly number[], rescale: boolean): ClassDetections[] {
  const cand = denseCandidates(levels, cfg, scaleFactor, rescale);
  if (cand.scores.length === 0) return bbox2result(new Float32Array(0), new Int32Array(0), numClasses);
  const { dets, keep } = batchedNms(cand.bboxes, cand.scores, cand.labels, cfg.nms ?? { type: 'nms', iou_threshold: 0.5 });
  const maxPer = cfg.max_per_img ?? 100;
  const n = maxPer > 0 ? Math.min(maxPer, keep.length) : keep.length;
  return bbox2result(dets.subarray(0, n * 5), Int32Array.from(keep.subarray(0, n), (i) => cand.labels[i]), numClasses);
}

/** Inputs of {@link detectDense}: a dense head's per-level outputs and how to decode them. */
export interface DenseDetectInputs {
  /** `[B, H, W, P*C']` class logits per level (`C'` = C, or C + 1 for softmax). */
  clsScores: tf.Tensor4D[];
  /** `[B, H, W, P*4]` box regressions per level. */
  bboxPreds: tf.Tensor4D[];
  /** `[B, H, W, P]` score-factor logits per level (centerness), or null. */
  scoreFactors: tf.Tensor4D[] | null;
  /** Priors per level: `[n, priorDim]` anchors (4) or points (2). */
  priors: Float32Array[];
  priorDim: number;
  numClasses: number;
  /** Sigmoid scores (else softmax with the background column dropped). */
  useSigmoid: boolean;
  /** Decodes `[k, priorDim]` priors and `[k, 4]` regressions into `[k, 4]` boxes clipped to `maxShape`. */
  decode(priors: Float32Array, preds: Float32Array, maxShape: [number, number]): Float32Array;
}

/** Each image's per-level scores, score factors and box decoder (outputs read once per level). */
function imageLevels(inp: DenseDetectInputs, metas: ImageMeta[]): LevelOutputs[][] {
  const c = inp.numClasses;
  // The tidy returns the tensor, not its values: tidy walks a returned typed array element by
  // element looking for tensors (about 1 s for the 737k P3 scores of a 512² RetinaNet).
  const read = (ts: tf.Tensor4D[], f: (x: tf.Tensor) => tf.Tensor): Float32Array[] =>
    ts.map((x) => {
      const t = tf.tidy(() => f(x));
      const values = t.dataSync() as Float32Array;
      if (t !== x) t.dispose();
      return values;
    });
  const scores = read(inp.clsScores, (x) => {
    const flat = x.reshape([x.shape[0], -1, inp.useSigmoid ? c : c + 1]);
    return inp.useSigmoid ? tf.sigmoid(flat) : tf.softmax(flat).slice([0, 0, 0], [-1, -1, c]);
  });
  const factors = inp.scoreFactors === null ? null : read(inp.scoreFactors, tf.sigmoid);
  const preds = read(inp.bboxPreds, (x) => x);
  return metas.map((meta, b) =>
    inp.priors.map((pr, l): LevelOutputs => {
      const n = pr.length / inp.priorDim;
      const pred = preds[l].subarray(b * n * 4, (b + 1) * n * 4);
      return {
        scores: scores[l].subarray(b * n * c, (b + 1) * n * c),
        numClasses: c,
        scoreFactors: factors === null ? null : factors[l].subarray(b * n, (b + 1) * n),
        decode: (inds: Int32Array) => inp.decode(gatherRows(pr, inds, inp.priorDim), gatherRows(pred, inds), [meta.img_shape[0], meta.img_shape[1]]),
      };
    }),
  );
}

/**
 * Detections of every image of a batch from a dense head's outputs (mmdet `get_bboxes`): activates
 * scores and score factors once per level, then runs {@link denseDetections} per image.
 */
export function detectDense(inp: DenseDetectInputs, metas: ImageMeta[], cfg: DenseTestConfig, rescale: boolean): ClassDetections[][] {
  return imageLevels(inp, metas).map((levels, b) => denseDetections(levels, cfg, inp.numClasses, metas[b]!.scale_factor, rescale));
}

/**
 * Each image's candidates before NMS, in `img_shape` pixels (mmdet
 * `get_bboxes(..., rescale=False, with_nms=False)`, what `aug_test_bboxes` collects per augmentation).
 */
export function detectDenseCandidates(inp: DenseDetectInputs, metas: ImageMeta[], cfg: DenseTestConfig): AugCandidates[] {
  return imageLevels(inp, metas).map((levels, b) => denseCandidates(levels, cfg, metas[b]!.scale_factor, false));
}
