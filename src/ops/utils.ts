/**
 * @module Helpers shared by the ops in this folder: reading tensors or typed arrays into flat
 * float32 / int32 arrays, shape checks with coded errors, and a stable descending argsort.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';

/** A flat row-major float matrix given as a tensor or as a typed array. */
export type FloatInput = tf.Tensor | Float32Array | Float64Array | readonly number[];
/** Integer ids given as a tensor or as a typed/plain array. */
export type IntInput = tf.Tensor | Int32Array | Uint8Array | Uint16Array | Uint32Array | readonly number[];

/**
 * Reads `x` into a Float32Array (no copy for a Float32Array; `dataSync` for a tensor).
 * @param x tensor or array
 * @returns flat row-major float32 values
 */
export function readFloat(x: FloatInput): Float32Array {
  if (x instanceof Float32Array) return x;
  if (x instanceof tf.Tensor) {
    const d = x.dataSync();
    return d instanceof Float32Array ? d : Float32Array.from(d);
  }
  return Float32Array.from(x);
}

/**
 * Reads `x` into an Int32Array (no copy for an Int32Array).
 * @param x tensor or array of integer ids
 * @returns flat int32 values
 */
export function readInt(x: IntInput): Int32Array {
  if (x instanceof Int32Array) return x;
  if (x instanceof tf.Tensor) {
    const d = x.dataSync();
    return d instanceof Int32Array ? d : Int32Array.from(d);
  }
  return Int32Array.from(x);
}

/**
 * Throws `OPS_BAD_SHAPE` unless `cond`.
 * @param where op and argument, e.g. `nms(boxes)`
 * @param expected what was expected, e.g. `[N, 4]`
 * @param actual what was given
 * @throws ValueError `OPS_BAD_SHAPE`
 */
export function checkShape(cond: boolean, where: string, expected: string, actual: string): void {
  if (!cond) throw new ValueError('OPS_BAD_SHAPE', `${where}: expected ${expected}, got ${actual}.`);
}

/** Describes an input's shape for an error message. */
export function describeShape(x: FloatInput | IntInput): string {
  if (x instanceof tf.Tensor) return `shape [${x.shape.join(', ')}]`;
  return `a flat array of length ${x.length}`;
}

/**
 * Indices of `scores` sorted by descending score; ties keep their input order (stable), as
 * torchvision's CPU nms (`scores.sort(stable=True, descending=True)`).
 * @param scores `[N]`
 * @returns `[N]` int32 permutation
 */
export function argsortDesc(scores: Float32Array): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // V8's TypedArray sort is stable; the index tie-break keeps it explicit.
  order.sort((a, b) => (scores[b]! - scores[a]!) || a - b);
  return order;
}
