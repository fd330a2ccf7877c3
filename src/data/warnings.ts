/**
 * @module Data warnings (mmdet's `warnings.warn` / logger warnings for suspicious annotations).
 *
 * Emitted through `process.emitWarning` with a stable code so callers and tests can filter them;
 * each message names the file and the item.
 */

/** Emits a data warning, e.g. `dataWarn('DATA_UNKNOWN_CATEGORY', 'a.json: annotation 3 ...')`. */
export function dataWarn(code: string, message: string): void {
  process.emitWarning(message, { code, type: 'DetkitDataWarning' });
}
