/**
 * The shared-buffer exchange of named tensors between the master and its replicas: layout,
 * round trips of every dtype on both backends, buffer reuse, and no aliasing of the buffer.
 */
import { expect, it } from 'vitest';
import { tf } from '../../backend/index.js';
import { describeEachBackend } from '../../testing/backend.js';
import { layoutOf, tensorAt, viewAt, writeShared } from './protocol.js';

function named(): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['conv.weight', tf.tensor4d([1.5, -2, 3, 4.25, -5, 6], [1, 1, 2, 3])],
    ['bn.num_batches_tracked', tf.scalar(7, 'int32')],
    ['mask', tf.tensor1d([1, 0, 1], 'bool')],
    ['bias', tf.tensor1d([0.5, -0.5, 0.25])],
  ]);
}

describeEachBackend('data-parallel shared tensors', () => {
  it('lays entries out one after the other on 8-byte boundaries', () => {
    const t = named();
    const { layout, bytes } = layoutOf(t);
    expect(layout.names).toEqual(['conv.weight', 'bn.num_batches_tracked', 'mask', 'bias']);
    // 24 bytes, 4 → 8, 3 → 8, 12 → 16
    expect(layout.offsets).toEqual([0, 24, 32, 40]);
    expect(bytes).toBe(56);
    expect(layout.dtypes).toEqual(['float32', 'int32', 'bool', 'float32']);
    tf.dispose([...t.values()]);
  });

  it('round-trips float32, int32 and bool tensors, reusing a buffer that is large enough', () => {
    const t = named();
    const first = writeShared(t, null);
    expect(first.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(first.buffer.byteLength).toBe(56);
    const again = writeShared(t, first.buffer);
    expect(again.buffer).toBe(first.buffer);
    const names = [...t.keys()];
    names.forEach((name, i) => {
      const back = tensorAt(again, i);
      const want = t.get(name)!;
      expect(back.dtype, name).toBe(want.dtype);
      expect(back.shape, name).toEqual(want.shape);
      expect(Array.from(back.dataSync()), name).toEqual(Array.from(want.dataSync()));
      back.dispose();
    });
    expect(Array.from(viewAt(again, 1))).toEqual([7]);
    tf.dispose([...t.values()]);
  });

  it('makes a new buffer when the given one is too small', () => {
    const t = named();
    const small = new SharedArrayBuffer(16);
    const out = writeShared(t, small);
    expect(out.buffer).not.toBe(small);
    expect(out.buffer.byteLength).toBe(56);
    tf.dispose([...t.values()]);
  });

  it('gives tensors that keep their values when the buffer is overwritten', () => {
    const a = new Map([['w', tf.tensor1d([1, 2, 3])]]);
    const shared = writeShared(a, null);
    const t = tensorAt(shared, 0);
    const b = new Map([['w', tf.tensor1d([9, 9, 9])]]);
    writeShared(b, shared.buffer);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([t, ...a.values(), ...b.values()]);
  });
});
