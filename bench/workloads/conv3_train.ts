/**
 * @module Workload `conv3-train`: one SGD step of three 3×3 convs (torch_bench.py `conv3_train`).
 *
 * 3→32 stride 2, 32→64 stride 2, 64→64 stride 1, no bias, each followed by ReLU; batch 8 of
 * 128×128 (NHWC); loss `mean(y²)`; SGD lr 0.01. Weights use PyTorch's default init
 * (kaiming-uniform with a = √5, i.e. U(±1/√fan_in)).
 */
import { tf } from '../../src/backend/index.js';
import type { Workload } from '../workload.js';

interface Ctx {
  x: tf.Tensor4D;
  weights: tf.Variable[];
  opt: tf.SGDOptimizer;
}

function convWeight(k: number, cin: number, cout: number, seed: number): tf.Variable {
  const bound = 1 / Math.sqrt(cin * k * k);
  return tf.variable(tf.randomUniform([k, k, cin, cout], -bound, bound, 'float32', seed));
}

const workload: Workload<Ctx> = {
  name: 'conv3-train',
  description: 'three 3x3 convs (3->32 s2, 32->64 s2, 64->64 s1) + ReLU, batch 8 of 128x128, SGD step',
  warmup: 2,
  runs: 7,
  setup() {
    return {
      x: tf.randomNormal([8, 128, 128, 3], 0, 1, 'float32', 0),
      weights: [convWeight(3, 3, 32, 1), convWeight(3, 32, 64, 2), convWeight(3, 64, 64, 3)],
      opt: tf.train.sgd(0.01),
    };
  },
  run({ x, weights, opt }) {
    const [w1, w2, w3] = weights as [tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R4>];
    const loss = opt.minimize(() => {
      const h1 = tf.relu(tf.conv2d(x, w1, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]));
      const h2 = tf.relu(tf.conv2d(h1, w2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]));
      const h3 = tf.relu(tf.conv2d(h2, w3, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]));
      return tf.mean(tf.square(h3)) as tf.Scalar;
    }, true, weights);
    loss?.dataSync();
    loss?.dispose();
  },
  teardown({ x, weights, opt }) {
    x.dispose();
    for (const w of weights) w.dispose();
    opt.dispose();
  },
};
export default workload;
