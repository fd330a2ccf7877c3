/**
 * @module Keyword-argument checks shared by the optimizers, the optimizer constructor and the
 * schedule hooks: Python rejects an unknown keyword in `__init__`, so do we (with a hint).
 */
import { AssertionError_, TypeError_ } from '../../utils/errors.js';
import { nearestNames } from '../../utils/nearest.js';

/**
 * Throws for keys of `args` that `owner` does not accept, as Python's
 * `__init__() got an unexpected keyword argument 'x'`.
 * @param args the config node (minus `type`)
 * @param allowed accepted keys
 * @param owner class name for the message, e.g. `StepLrUpdaterHook`
 * @throws TypeError_ `UNEXPECTED_ARG`, with the nearest accepted keys as a hint
 */
export function checkArgs(args: object, allowed: readonly string[], owner: string): void {
  for (const [key, value] of Object.entries(args)) {
    // An `undefined` value is an absent key (JS spreads produce them; Python kwargs cannot).
    if (value !== undefined && !allowed.includes(key)) {
      const near = nearestNames(key, [...allowed]);
      throw new TypeError_('UNEXPECTED_ARG', `${owner}.__init__() got an unexpected keyword argument '${key}'`, {
        hint: near.length > 0 ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : `accepted: ${allowed.join(', ')}`,
      });
    }
  }
}

/**
 * Python's `assert cond, message` for argument validation.
 * @throws AssertionError_ with `code` when `cond` is false
 */
export function assertArg(cond: boolean, code: string, message: string): asserts cond {
  if (!cond) throw new AssertionError_(code, message);
}

/** A Python-style repr of a value for error messages (`[5, 15]`, `'cos'`, `None`). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  return JSON.stringify(v);
}

/** Python's type name of a config value (`int`, `float`, `str`, `list`, `dict`, `NoneType`, `bool`). */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
