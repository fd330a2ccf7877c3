import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { HEADS } from '../../registry/root.js';
import type { ImageMeta } from '../../structures/det_types.js';
import { Rng } from '../../utils/rng.js';
import type { RPNHead, RPNProposalConfig } from './rpn_head.js';
import type { DenseHeadOutputs } from './anchor_head.js';

const S = 64;

function meta(): ImageMeta {
  return { filename: 'x.png', ori_filename: 'x.png', ori_shape: [S, S, 3], img_shape: [S, S, 3], pad_shape: [S, S, 3], scale_factor: [2, 2, 2, 2], flip: false, flip_direction: null };
}

/** Two levels with the SAME stride 8 (one 32-px anchor per cell), so both levels hold identical anchors. */
function head(): RPNHead {
  return HEADS.build<RPNHead>({
    type: 'RPNHead', in_channels: 4, feat_channels: 4,
    anchor_generator: { type: 'AnchorGenerator', scales: [4], ratios: [1.0], strides: [8, 8] },
    train_cfg: {
      assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.7, neg_iou_thr: 0.3, min_pos_iou: 0.3, match_low_quality: true, ignore_iof_thr: -1 },
      sampler: { type: 'RandomSampler', num: 16, pos_fraction: 0.5, neg_pos_ub: -1, add_gt_as_proposals: false },
      allowed_border: -1, pos_weight: -1,
    },
    test_cfg: { nms_pre: 1000, max_per_img: 1000, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
  });
}

/** Outputs with logit `hot` at cell (y, x) of both levels, `cold` elsewhere (plus a tiny per-cell ramp), zero deltas. */
function outputs(hot: [number, number], ramp = 1e-3): DenseHeadOutputs {
  const logits = new Float32Array(64);
  for (let i = 0; i < 64; i++) logits[i] = -4 + ramp * i;
  logits[hot[0] * 8 + hot[1]] = 3;
  const cls = () => tf.tensor4d(logits, [1, 8, 8, 1]);
  return { clsScores: [cls(), cls()], bboxPreds: [tf.zeros([1, 8, 8, 4]) as tf.Tensor4D, tf.zeros([1, 8, 8, 4]) as tf.Tensor4D] };
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('RPNHead', () => {
  it('forward equals rpn_conv -> ReLU -> rpn_cls / rpn_reg as separate layers, in value and in gradients', () => {
    const h = HEADS.build<RPNHead>({ type: 'RPNHead', in_channels: 4, feat_channels: 8, anchor_generator: { type: 'AnchorGenerator', scales: [4], ratios: [0.5, 1.0, 2.0], strides: [8] } });
    h.initWeights(new Rng(1));
    const x = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const gc = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 4), gr = tf.randomNormal([2, 5, 6, 12], 0, 1, 'float32', 5);
    const params = [...h.namedParameters().values()];
    const run = (f: (xx: tf.Tensor4D) => [tf.Tensor4D, tf.Tensor4D]) => tf.tidy(() => {
      const loss = (xx: tf.Tensor4D) => {
        const [c, r] = f(xx);
        return tf.add(tf.sum(tf.mul(c, gc)), tf.sum(tf.mul(r, gr))) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(() => loss(x), params);
      const gx = tf.grad((xx: tf.Tensor) => loss(xx as tf.Tensor4D))(x);
      return [value, gx, ...params.map((p) => grads[p.name]!)].map((t) => Array.from(t.dataSync()));
    });
    const plain = (xx: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] => {
      const f = tf.relu(h.rpn_conv.forward(xx)) as tf.Tensor4D;
      return [h.rpn_cls.forward(f), h.rpn_reg.forward(f)];
    };
    const a = run(plain);
    const b = run((xx) => h.forwardSingle(xx));
    a.forEach((arr, i) => {
      expect(b[i]!.length).toBe(arr.length);
      arr.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, 4));
    });
    const before = tf.memory().numTensors;
    tf.dispose(h.forwardSingle(x));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gc, gr]);
    h.dispose();
  });

  it('the 3x3 conv + ReLU keeps only its input and output for the backward (no conv output, no pre-ReLU sum)', () => {
    const h = HEADS.build<RPNHead>({ type: 'RPNHead', in_channels: 4, feat_channels: 8, anchor_generator: { type: 'AnchorGenerator', scales: [4], ratios: [1.0], strides: [8] } });
    h.initWeights(new Rng(1));
    const x = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const params = [...h.namedParameters().values()];
    let savedMaps = -1;
    const { value, grads } = tf.variableGrads(() => {
      const [c, r] = h.forwardSingle(x);
      // every distinct [2, 5, 6, *] map the tape keeps for the backward (tfjs' tape of this scope)
      const tape = (tf.engine() as unknown as { state: { activeTape: Array<{ saved?: tf.Tensor[] }> } }).state.activeTape;
      const ids = new Set<unknown>();
      for (const node of tape) for (const t of node.saved ?? []) if (t.rank === 4 && t.shape[0] === 2 && t.shape[1] === 5) ids.add((t as unknown as { dataId: unknown }).dataId);
      savedMaps = ids.size;
      return tf.add(c.sum(), r.sum()) as tf.Scalar;
    }, params);
    // x, the ReLU output (shared by rpn_cls/rpn_reg's 1x1 conv), and that conv's own [2, 5, 6, 5] output
    expect(savedMaps).toBe(3);
    tf.dispose([value, ...Object.values(grads), x]);
    h.dispose();
  });

  it('has mmdet layer names: rpn_conv 3x3, rpn_cls A outputs (sigmoid), rpn_reg 4A', () => {
    const h = head();
    const sd = h.stateDict();
    expect(sd.get('rpn_conv.weight')!.shape).toEqual([3, 3, 4, 4]);
    expect(sd.get('rpn_cls.weight')!.shape).toEqual([1, 1, 4, 1]);
    expect(sd.get('rpn_reg.weight')!.shape).toEqual([1, 1, 4, 4]);
    expect(h.numClasses).toBe(1);
    h.dispose();
  });

  it('NMS runs within each level (level index as group): the same box on two levels survives twice', () => {
    const h = head();
    const outs = outputs([3, 3]);
    const [p] = h.getProposals(outs, [meta()], { nms_pre: 1, max_per_img: 10, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 } as RPNProposalConfig);
    // top-1 per level is cell (3,3): anchor centred at (24, 24), 32 px
    expect(Array.from(p)).toEqual([8, 8, 40, 40, p[4], 8, 8, 40, 40, p[9]]);
    expect(p[4]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    tf.dispose([...outs.clsScores, ...outs.bboxPreds]);
    h.dispose();
  });

  it('keeps the per-level top nms_pre, suppresses at 0.7 IoU, filters min_bbox_size, truncates to max_per_img', () => {
    const h = head();
    const outs = outputs([3, 3]);
    const cfg: RPNProposalConfig = { nms_pre: 4, max_per_img: 1000, nms: { type: 'nms', iou_threshold: 0.99 }, min_bbox_size: -1 };
    const [all] = h.getProposals(outs, [meta()], cfg);
    // 4 per level, no overlap reaches 0.99 → 8, by descending score
    expect(all.length / 5).toBe(8);
    for (let i = 1; i < 8; i++) expect(all[5 * i + 4]).toBeLessThanOrEqual(all[5 * (i - 1) + 4]);
    // top-4 of one level: the hot cell and the ramp's cells 63, 62, 61 (row 7: centres x 56, 48, 40; clipped to 64)
    const boxes = new Set(Array.from({ length: 8 }, (_, i) => Array.from(all.subarray(5 * i, 5 * i + 4)).join(',')));
    expect(boxes).toEqual(new Set(['8,8,40,40', '40,40,64,64', '32,40,64,64', '24,40,56,64']));
    // at 0.7: IoU(cell 63, cell 62) = 576 / 768 = 0.75 suppresses cell 62; IoU(63, 61) = 384 / 960 = 0.4 keeps 61
    const [nms7] = h.getProposals(outs, [meta()], { ...cfg, nms: { type: 'nms', iou_threshold: 0.7 } });
    expect(nms7.length / 5).toBe(6);
    expect(Array.from({ length: 6 }, (_, i) => nms7[5 * i]).filter((x) => x === 32)).toEqual([]);
    // clipped boxes 24 px high are dropped by min_bbox_size 24 (w and h must be > 24): only the hot boxes stay
    const [big] = h.getProposals(outs, [meta()], { ...cfg, min_bbox_size: 24 });
    expect(big.length / 5).toBe(2);
    const [few] = h.getProposals(outs, [meta()], { ...cfg, max_per_img: 3 });
    expect(Array.from(few)).toEqual(Array.from(all.subarray(0, 15)));
    // rescale divides by scale_factor
    const [res] = h.getProposals(outs, [meta()], { ...cfg, nms_pre: 1 }, true);
    expect(Array.from(res.subarray(0, 4))).toEqual([4, 4, 20, 20]);
    tf.dispose([...outs.clsScores, ...outs.bboxPreds]);
    h.dispose();
  });

  it('rejects a proposal config without nms', () => {
    const h = head();
    const outs = outputs([0, 0]);
    expect(() => h.getProposals(outs, [meta()], { nms_pre: 1 })).toThrow(expect.objectContaining({ code: 'RPN_BAD_PROPOSAL_CFG' }));
    tf.dispose([...outs.clsScores, ...outs.bboxPreds]);
    h.dispose();
  });

  it('loss is class-agnostic (gt labels ignored), keys loss_rpn_cls / loss_rpn_bbox, no tensor leaks', () => {
    const h = head();
    const outs = outputs([3, 3], 0);
    const sample = (label: number) => ({ meta: meta(), gt_bboxes: Float32Array.from([8, 8, 40, 40]), gt_labels: Int32Array.from([label]) });
    const before = tf.memory().numTensors;
    const a = tf.tidy(() => {
      const l = h.loss(outs, [sample(0)]);
      expect(Object.keys(l)).toEqual(['loss_rpn_cls', 'loss_rpn_bbox']);
      return [l.loss_rpn_cls.dataSync()[0], l.loss_rpn_bbox.dataSync()[0]];
    });
    const b = tf.tidy(() => {
      const l = h.loss(outs, [sample(3)]);
      return [l.loss_rpn_cls.dataSync()[0], l.loss_rpn_bbox.dataSync()[0]];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toEqual(a);
    // the gt is exactly the hot anchor on both levels: 2 positives (logit 3) and 14 sampled negatives (logit -4);
    // BCE averaged over the 16 samples
    const pos = Math.log(1 + Math.exp(-3));
    const neg = Math.log(1 + Math.exp(-4));
    expect(a[0]).toBeCloseTo((2 * pos + 14 * neg) / 16, 5);
    expect(a[1]).toBe(0);
    tf.dispose([...outs.clsScores, ...outs.bboxPreds]);
    h.dispose();
  });
});
