/**
 * @module Port of `Compose` from `mmdet/datasets/pipelines/compose.py` @ v2.28.2.
 *
 * Builds each step from PIPELINES (or takes a ready {@link Transform}) and runs them in order;
 * a step returning `null` ends the pipeline with `null`. Any error is re-thrown as
 * `DATA_PIPELINE_FAILED` naming the transform and the image file, with the original as `cause`.
 */
import { PIPELINES } from '../../registry/root.js';
import { configPathOf } from '../../utils/config_meta.js';
import { DetkitError, TypeError_ } from '../../utils/errors.js';
import { withConfigPath } from '../config_path.js';
import { transformName, type Results, type Transform, type TransformContext } from './types.js';

/** A pipeline step: a transform config (`{type: 'Resize', ...}`) or a built transform. */
export type TransformSpec = { type: string; [key: string]: unknown } | Transform;

function isTransform(x: unknown): x is Transform {
  return typeof x === 'object' && x !== null && typeof (x as Transform).apply === 'function';
}

/** The image a results dict is about, for error messages. */
export function resultsFile(results: Results): string | undefined {
  if (typeof results.filename === 'string') return results.filename;
  const f = results.img_info?.filename;
  if (f === undefined) return undefined;
  return typeof results.img_prefix === 'string' && results.img_prefix !== '' ? `${results.img_prefix.replace(/\/$/, '')}/${f}` : f;
}

/** Runs transforms in sequence. */
export class Compose implements Transform {
  static readonly type = 'Compose';
  readonly transforms: Transform[];

  /**
   * @param transforms transform configs or instances
   * @param path config key path of the list (for errors), e.g. `data.train.pipeline`
   */
  constructor(transforms: readonly TransformSpec[], path?: string) {
    if (!Array.isArray(transforms)) throw new TypeError_('DATA_BAD_PIPELINE', 'pipeline must be a list of transform configs', { configPath: path });
    const base = path ?? configPathOf(transforms);
    this.transforms = transforms.map((t, i) => {
      if (isTransform(t)) return t;
      if (typeof t === 'object' && t !== null) {
        const p = configPathOf(t) ?? (base === undefined ? undefined : `${base}[${i}]`);
        try {
          return PIPELINES.build<Transform>(t, undefined, { path: p });
        } catch (err) {
          throw withConfigPath(err, p, undefined);
        }
      }
      throw new TypeError_('DATA_BAD_PIPELINE', `transform must be callable or a dict, got ${typeof t}`, { configPath: base === undefined ? undefined : `${base}[${i}]` });
    });
  }

  async apply(results: Results, ctx: TransformContext): Promise<Results | null> {
    let data: Results | null = results;
    for (const t of this.transforms) {
      const file = resultsFile(data);
      try {
        data = await t.apply(data, ctx);
      } catch (err) {
        if (err instanceof DetkitError && err.code === 'DATA_PIPELINE_FAILED') throw err;
        const name = transformName(t);
        const msg = err instanceof Error ? err.message : String(err);
        const code = err instanceof DetkitError ? ` (${err.code})` : '';
        throw new DetkitError('DATA_PIPELINE_FAILED', `${name} failed on ${file ?? '<unknown image>'}: ${msg}${code}`, {
          file: file ?? (err instanceof DetkitError ? err.file : undefined),
          cause: err,
          hint: err instanceof DetkitError ? err.hint : undefined,
        });
      }
      if (data === null) return null;
    }
    return data;
  }

  toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${t.toString()}`).join('\n')}\n)`;
  }
}
