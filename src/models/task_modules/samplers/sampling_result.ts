/**
 * @module Port of `mmdet/core/bbox/samplers/sampling_result.py` @ v2.28.2.
 */
import type { AssignResult } from '../assigners/assign_result.js';

/** Boxes chosen for training: positives with their gts, and negatives. */
export class SamplingResult {
  /** `[p]` indices of positive boxes, ascending. */
  readonly posInds: Int32Array;
  /** `[q]` indices of negative boxes, ascending. */
  readonly negInds: Int32Array;
  /** `[p, 4]` positive boxes. */
  readonly posBboxes: Float32Array;
  /** `[q, 4]` negative boxes. */
  readonly negBboxes: Float32Array;
  /** `[p]` 1 where the positive is a gt added as a proposal. */
  readonly posIsGt: Uint8Array;
  readonly numGts: number;
  /** `[p]` 0-based index of each positive's gt. */
  readonly posAssignedGtInds: Int32Array;
  /** `[p, 4]` gt box of each positive. */
  readonly posGtBboxes: Float32Array;
  /** `[p]` label of each positive, or null when the assignment had no labels. */
  readonly posGtLabels: Int32Array | null;

  constructor(posInds: Int32Array, negInds: Int32Array, bboxes: Float32Array, gtBboxes: Float32Array, assign: AssignResult, gtFlags: Uint8Array) {
    this.posInds = posInds;
    this.negInds = negInds;
    this.posBboxes = gatherRows(bboxes, posInds);
    this.negBboxes = gatherRows(bboxes, negInds);
    this.posIsGt = Uint8Array.from(posInds, (i) => gtFlags[i]);
    this.numGts = gtBboxes.length / 4;
    this.posAssignedGtInds = Int32Array.from(posInds, (i) => assign.gtInds[i] - 1);
    this.posGtBboxes = this.numGts === 0 ? new Float32Array(0) : gatherRows(gtBboxes, this.posAssignedGtInds);
    const labels = assign.labels;
    this.posGtLabels = labels === null ? null : Int32Array.from(posInds, (i) => labels[i]);
  }

  /** Positive boxes followed by negative boxes, `[p+q, 4]`. */
  get bboxes(): Float32Array {
    const out = new Float32Array(this.posBboxes.length + this.negBboxes.length);
    out.set(this.posBboxes, 0);
    out.set(this.negBboxes, this.posBboxes.length);
    return out;
  }
}

/** Rows `idx` of a row-major `[n, cols]` array (boxes by default). */
export function gatherRows(a: Float32Array, idx: Int32Array, cols = 4): Float32Array {
  const out = new Float32Array(idx.length * cols);
  for (let j = 0; j < idx.length; j++) out.set(a.subarray(idx[j] * cols, idx[j] * cols + cols), j * cols);
  return out;
}

/** Indices `i` with `pred(gtInds[i])`, ascending. */
export function indicesWhere(gtInds: Int32Array, pred: (v: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < gtInds.length; i++) if (pred(gtInds[i])) out.push(i);
  return Int32Array.from(out);
}
