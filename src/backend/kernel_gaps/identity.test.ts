/** The buffer-sharing `Identity` on wasm: same values, one buffer, freed with its last holder. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';
import { expectLeakFree, onBackend } from '../../testing/backend.js';

describe('Identity on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const dataIds = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

  it('clone shares the buffer (no new data id) and outlives its source', () => {
    const x = tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
    const before = dataIds();
    const y = tf.clone(x);
    expect(dataIds()).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3, 4, 5, -6]);
    y.dispose();
    expect(dataIds()).toBe(before - 1);
  });

  it('int32 and bool keep their dtype and values', () => {
    tf.tidy(() => {
      expect(tf.clone(tf.tensor1d([7, -8], 'int32')).arraySync()).toEqual([7, -8]);
      expect(tf.clone(tf.tensor1d([1, 0], 'bool')).dtype).toBe('bool');
    });
  });

  it('gradients through ops whose saved tensors go through Identity match the cpu backend', async () => {
    const run = () => {
      const x = tf.tensor2d([[0.5, -1.5, 2], [3, -0.25, 1]]);
      const f = (a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.exp(tf.mul(a, 0.3))));
      return [tf.grad(f)(x)];
    };
    const [cpu] = await onBackend('cpu', run);
    const [wasm] = await onBackend('wasm', run);
    Array.from(wasm!).forEach((v, i) => expect(v).toBeCloseTo(cpu![i]!, 5));
  });

  it('does not leak', async () => {
    const x = tf.ones([64, 64]);
    await expectLeakFree(() => {
      tf.tidy(() => tf.clone(tf.clone(x)).sum().dataSync());
    }, 100);
    x.dispose();
  });
});
