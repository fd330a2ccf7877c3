import { expect, it } from 'vitest';
import { tf } from '../../../backend/index.js';
import { roiAlign, roiAlignLevels } from '../../../ops/roi_align.js';
import { describeEachBackend, expectLeakFree } from '../../../testing/backend.js';
import { Rng } from '../../../utils/rng.js';
import '../../../register_all.js';
import { ROI_EXTRACTORS } from '../../../registry/root.js';
import type { SingleRoIExtractor } from './single_level_roi_extractor.js';

const rand = (shape: number[], rng: Rng): tf.Tensor4D =>
  tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape as [number, number, number, number]);

// C = 8: the wasm SIMD path of the row sums (C % 4 === 0) as well as the cpu reference.
const ROIS = [[1, 0, 0, 120, 120], [0, 4, 4, 20, 30], [1, 2, 3, 40, 50], [0, 0, 0, 150, 100], [1, 60, 10, 62, 11]];

describeEachBackend('SingleRoIExtractor (one multi-level RoIAlign)', () => {
  const build = () => ROI_EXTRACTORS.build<SingleRoIExtractor>({
    type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: 3, sampling_ratio: 0 }, out_channels: 8, featmap_strides: [4, 8],
  });

  it('gradient of each level equals the sum of per-RoI roiAlign gradients on that level', () => {
    const rng = new Rng(11);
    const e = build();
    const feats = [rand([2, 16, 16, 8], rng), rand([2, 8, 8, 8], rng)];
    const rois = tf.tensor2d(ROIS);
    const g = rand([ROIS.length, 3, 3, 8], rng);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(e.forward([a as tf.Tensor4D, b as tf.Tensor4D], rois), g)))(feats);
    // reference: one single-level roiAlign per RoI on the level mapRoiLevels picks
    const levels = e.mapRoiLevels(Float32Array.from(ROIS.flat()), 2);
    expect(Array.from(levels)).toEqual([1, 0, 0, 1, 0]);
    const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const parts = ROIS.map((r, i) => {
        const l = levels[i]!;
        const out = roiAlign([a, b][l] as tf.Tensor4D, tf.tensor2d([r]), { outputSize: 3, spatialScale: 1 / [4, 8][l]!, samplingRatio: 0 });
        return tf.sum(tf.mul(out, g.slice([i, 0, 0, 0], [1, -1, -1, -1])));
      });
      return tf.addN(parts);
    })(feats);
    for (let l = 0; l < 2; l++) {
      expect(grads[l]!.shape).toEqual(feats[l]!.shape);
      const got = grads[l]!.dataSync(), want = ref[l]!.dataSync();
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    }
    tf.dispose([...feats, rois, g, ...grads, ...ref]);
  });

  it('does not leak tensors (forward and gradient), also with no RoIs', async () => {
    const rng = new Rng(2);
    const e = build();
    const feats = [rand([2, 16, 16, 8], rng), rand([2, 8, 8, 8], rng)];
    const rois = tf.tensor2d(ROIS);
    const none = tf.zeros([0, 5]) as tf.Tensor2D;
    await expectLeakFree(() => e.forward(feats, rois));
    await expectLeakFree(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(e.forward([a as tf.Tensor4D, b as tf.Tensor4D], rois)))(feats));
    const empty = e.forward(feats, none);
    expect(empty.shape).toEqual([0, 3, 3, 8]);
    tf.dispose([...feats, rois, none, empty]);
  });

  it('rejects levels with different channel counts with a coded error', () => {
    const rng = new Rng(3);
    const feats = [rand([1, 8, 8, 8], rng), rand([1, 4, 4, 4], rng)];
    const rois = tf.tensor2d([[0, 0, 0, 8, 8]]);
    expect(() => roiAlignLevels(feats, rois, Int32Array.from([1]), [1 / 4, 1 / 8], { outputSize: 2 })).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_SHAPE' }),
    );
    tf.dispose([...feats, rois]);
  });
});
