/**
 * @module Naming config keys in data errors: components throw errors with a key relative to their
 * own config node (`img_scale`, `classes`); builders that know the node's path make it absolute.
 */
import { DetkitError } from '../utils/errors.js';

/** Codes of errors about the annotation file (named by `ann_file`). */
const ANN_FILE_CODES = new Set(['DATA_ANN_NOT_FOUND', 'DATA_ANN_PARSE', 'DATA_BAD_ANN', 'DATA_BAD_COCO', 'DATA_BAD_BOX', 'DATA_XML_PARSE', 'DATA_BAD_XML']);

/**
 * Prefixes a dataset error's config key with the dataset's own path (`classes` →
 * `data.train.classes`; annotation errors → `data.train.ann_file`). Other errors pass unchanged.
 */
export function withConfigPath(err: unknown, base: string | undefined, file: string | undefined): unknown {
  if (!(err instanceof DetkitError) || base === undefined) return err;
  const own = err.configPath ?? (ANN_FILE_CODES.has(err.code) ? 'ann_file' : undefined);
  if (own !== undefined && own.startsWith(base)) return err;
  const e = err as { configPath: string | undefined; file: string | undefined };
  e.configPath = own === undefined ? base : `${base}.${own}`;
  e.file ??= file;
  return err;
}
