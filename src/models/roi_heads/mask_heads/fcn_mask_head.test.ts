import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../backend/index.js';
import '../../index.js';
import { HEADS } from '../../../registry/root.js';
import { Rng } from '../../../utils/rng.js';
import { AssignResult } from '../../task_modules/assigners/assign_result.js';
import { SamplingResult } from '../../task_modules/samplers/sampling_result.js';
import type { BitmapMasks, ImageMeta } from '../../../structures/det_types.js';
import { pasteMask, type FCNMaskHead } from './fcn_mask_head.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const head = (): FCNMaskHead =>
  HEADS.build<FCNMaskHead>({ type: 'FCNMaskHead', num_convs: 2, in_channels: 4, conv_out_channels: 4, num_classes: 3, loss_mask: { type: 'CrossEntropyLoss', use_mask: true, loss_weight: 1.0 } });

describe('FCNMaskHead', () => {
  it('has mmdet names and shapes: convs.i.conv, upsample (deconv x2), conv_logits per class', () => {
    const h = head();
    h.initWeights(new Rng(0));
    const sd = h.stateDict();
    expect(sd.get('convs.1.conv.weight')!.shape).toEqual([3, 3, 4, 4]);
    expect(sd.get('upsample.weight')!.shape).toEqual([2, 2, 4, 4]);
    expect(sd.get('conv_logits.weight')!.shape).toEqual([1, 1, 4, 3]);
    expect(Array.from(sd.get('conv_logits.bias')!.dataSync())).toEqual([0, 0, 0]);
    const before = tf.memory().numTensors;
    const x = tf.ones([2, 7, 7, 4]) as tf.Tensor4D;
    const y = h.forward(x);
    expect(y.shape).toEqual([2, 14, 14, 3]);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    h.dispose();
  });

  it('targets: gt bitmap cropped to each positive RoI and resized (RoIAlign, binarised at 0.5)', () => {
    const h = head();
    // 16x16 image, gt 0: left half filled (x < 8)
    const mask = new Uint8Array(256);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) mask[y * 16 + x] = 1;
    const masks: BitmapMasks = { kind: 'bitmap', height: 16, width: 16, masks: [mask] };
    const assign = new AssignResult(1, Int32Array.from([1, 1]), new Float32Array(2), Int32Array.from([0, 0]));
    // RoI 0 covers x 0..16 → left half of the 4x4 target; RoI 1 covers x 0..8 → all ones
    const res = new SamplingResult(Int32Array.from([0, 1]), new Int32Array(0), Float32Array.from([0, 0, 16, 16, 0, 0, 8, 16]), Float32Array.from([0, 0, 8, 16]), assign, new Uint8Array(2));
    const t = h.getTargets([res], [masks], { assigner: { type: 'x' }, sampler: { type: 'x' }, mask_size: 4 });
    expect(Array.from(t.subarray(0, 16))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(t.subarray(16))).toEqual(new Array(16).fill(1));
    h.dispose();
  });

  it('loss_mask: mean BCE-with-logits of the gt class map', () => {
    const h = head();
    // 1 RoI, 1x1 maps, 3 classes; label 2 → logit 2 against target 1
    const pred = tf.tensor4d([0.5, -1, 2], [1, 1, 1, 3]);
    const l = h.loss(pred, Float32Array.from([1]), Int32Array.from([2]));
    expect(l.loss_mask.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
    tf.dispose([pred, l.loss_mask]);
    h.dispose();
  });

  it('pastes a map into the image by bilinear grid sampling (align_corners=False) and thresholds', () => {
    // a 2x2 map: left column 1, right column 0, pasted over box x 2..6, y 0..4 of an 8x4 image
    const m = pasteMask(Float32Array.from([1, 0, 1, 0]), 2, Float32Array.from([2, 0, 6, 4]), 4, 8, 0.5);
    // columns 2,3 sample input x = -0.25, 0.25 → weight on col 0 ≥ 0.75; column 4 → x 0.75 → 0.25 → off
    // column 1 (x = -1.25, outside) is 0, zero padding
    const rows = Array.from({ length: 4 }, (_, y) => Array.from(m.subarray(y * 8, y * 8 + 8)).join(''));
    expect(rows).toEqual(['00110000', '00110000', '00110000', '00110000']);
  });

  it('getSegMasks: per-class RLEs in detection order, in original-image size when rescale', () => {
    const h = head();
    const meta = { ori_shape: [8, 10, 3], scale_factor: [2, 2, 2, 2] } as unknown as ImageMeta;
    const probs = new Float32Array(2 * 4).fill(1);
    const segms = h.getSegMasks(probs, Float32Array.from([0, 0, 4, 4, 0.9, 2, 2, 6, 6, 0.8]), Int32Array.from([2, 2]), meta, true, 3, 0.5);
    expect(segms.map((s) => s.length)).toEqual([0, 0, 2]);
    expect(segms[2][0].size).toEqual([8, 10]);
    // box 0..4 x 0..4 fully on in an 8x10 image: columns 0-3 hold 4 ones then 4 zeros; the last 4 zeros
    // of column 3 join the 6 empty columns (48): 52
    expect(segms[2][0].counts).toEqual([0, 4, 4, 4, 4, 4, 4, 4, 52]);
    h.dispose();
  });
});
