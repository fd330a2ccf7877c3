/**
 * @module Option and input checks shared by the augmentation transforms; every failure is a
 * coded {@link DetkitError} naming the transform and the config key.
 */
import type { BuildContext } from '../../../registry/registry.js';
import { AssertionError_, DetkitError, KeyError, TypeError_, type DetkitErrorOptions } from '../../../utils/errors.js';
import type { Image, Results } from '../types.js';

/** mmdet's `assert results['img_fields'] == ['img'], 'Only single img_fields is allowed'`. */
export function requireSingleImg(results: Results, name: string): void {
  const f = results.img_fields;
  if (f !== undefined && (f.length !== 1 || f[0] !== 'img')) {
    throw new AssertionError_('DATA_MULTIPLE_IMG_FIELDS', `${name}: Only single img_fields is allowed (got ${JSON.stringify(f)})`);
  }
}

/** `results['img']`, or a KeyError when the pipeline did not load an image. */
export function requireImage(results: Results, name: string): Image {
  const img = results.img;
  if (img === undefined) throw new KeyError('DATA_NO_IMG', `${name}: results has no 'img'`, { hint: 'put LoadImageFromFile before it in the pipeline' });
  return img;
}

/** Checks a `(min, max)` option with `min <= max`; returns it as a tuple. */
export function checkRange(v: unknown, key: string, name: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || v[0] > v[1]) {
    throw new AssertionError_('DATA_BAD_AUG_OPTION', `${name}: ${key} must be a (min, max) pair with min <= max, got ${JSON.stringify(v)}`, { configPath: key });
  }
  return [v[0] as number, v[1] as number];
}

/** Checks a probability in `[0, 1]`. */
export function checkProb(p: number, key: string, name: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new AssertionError_('DATA_BAD_AUG_OPTION', `${name}: ${key} should be in range [0,1]. got ${String(p)}.`, { configPath: key });
  }
  return p;
}

/** Checks a `(h, w)` pair of positive integers. */
export function checkScaleHW(v: unknown, key: string, name: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x) && (x as number) > 0)) {
    throw new AssertionError_('DATA_BAD_AUG_OPTION', `${name}: ${key} must be a (h, w) pair of positive integers, got ${JSON.stringify(v)}`, { configPath: key });
  }
  return [v[0] as number, v[1] as number];
}

/**
 * Builds a transform from a config node (the registry's `fromConfig` hook): rejects keys the mmdet
 * constructor does not take (Python's `unexpected keyword argument`) and prefixes the key path of
 * any option error with the node's path (`data.train.pipeline[3].crop_size`).
 */
export function buildFromConfig<T>(name: string, args: Record<string, unknown>, ctx: BuildContext, keys: readonly string[], make: (a: Record<string, unknown>) => T): T {
  const base = ctx.path;
  const join = (k: string) => (base === undefined ? k : `${base}.${k}`);
  for (const k of Object.keys(args)) {
    if (!keys.includes(k)) {
      throw new TypeError_('CONFIG_UNEXPECTED_KEY', `${name}.__init__() got an unexpected keyword argument '${k}'`, { configPath: join(k), file: ctx.file, hint: `${name} takes: ${keys.join(', ')}` });
    }
  }
  try {
    return make(args);
  } catch (err) {
    if (!(err instanceof DetkitError) || err.configPath === undefined || base === undefined) throw err;
    const Ctor = err.constructor as new (code: string, message: string, o: DetkitErrorOptions) => DetkitError;
    throw new Ctor(err.code, err.message, { configPath: join(err.configPath), file: ctx.file ?? err.file, hint: err.hint, cause: err });
  }
}
