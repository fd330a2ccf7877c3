/**
 * @module Helpers shared by the pipeline transforms (config normalisation, re-exported types).
 */
import type { InstanceMasks } from '../../structures/det_types.js';
import { ValueError } from '../../utils/errors.js';

export type { Image, Results, Transform, TransformContext, FlipDirection } from './types.js';
/** Instance masks of either kind (alias used by the transforms). */
export type InstanceMasksLike = InstanceMasks;

/**
 * Normalises an mmdet scale option: one `(w, h)` pair or a list of pairs → a list of pairs.
 * @param key option name for the error message
 */
export function asScaleList(v: unknown, key: string): Array<[number, number]> {
  const isPair = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((n) => typeof n === 'number');
  if (isPair(v)) return [[v[0], v[1]]];
  if (Array.isArray(v) && v.length > 0 && v.every(isPair)) return v.map((p) => [p[0], p[1]] as [number, number]);
  throw new ValueError('DATA_BAD_SCALE', `${key} must be a (w, h) pair or a list of pairs, got ${JSON.stringify(v)}`, { configPath: key });
}
