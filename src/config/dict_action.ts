/**
 * @module Port of `DictAction` in `mmcv/utils/config.py` @ v1.7.2: parses `--cfg-options KEY=VALUE`
 * tokens into the dict that {@link Config.mergeFromDict} takes.
 *
 * Values Python parses as floats with an integral value (`1.`, `2.0`, `1e3`) are marked as floats
 * on their container (see `py_marks.ts`), so mmcv's messages can print them as `1.0`.
 *
 * Porting note: tuples become arrays (flagged as tuples for Python-style messages). mmcv keeps only the last `--cfg-options` occurrence;
 * detkit's CLI collects every occurrence (mmengine behaviour), later keys overriding earlier ones.
 */
import { AssertionError_, ValueError } from '../utils/errors.js';
import { markFloat, markTuple } from './py_marks.js';

/** One `--cfg-options` value after parsing: a scalar or (nested) array of them. */
export type CfgOptionValue = number | boolean | string | null | CfgOptionValue[];

const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_INT_RE = new RegExp(`^[+-]?${DIGITS}$`);
const PY_FLOAT_RE = new RegExp(`^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?$`);
const PY_FLOAT_SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * mmcv `DictAction._parse_int_float_bool`: Python `int()`, then `float()`, then case-insensitive
 * `true`/`false`, then exactly `None`, else the string itself.
 * @example parseIntFloatBool('1_000') // 1000;  parseIntFloatBool('0x10') // '0x10'
 */
export function parseIntFloatBool(val: string): CfgOptionValue {
  return parseScalar(val).value;
}

/** {@link parseIntFloatBool} plus whether Python would have made a `float` of it. */
function parseScalar(val: string): { value: CfgOptionValue; isFloat: boolean } {
  const t = val.trim();
  if (PY_INT_RE.test(t)) return { value: Number(t.replace(/_/g, '')), isFloat: false };
  if (PY_FLOAT_RE.test(t) || PY_FLOAT_SPECIAL_RE.test(t)) return { value: parseFloatText(t), isFloat: true };
  return { value: parseOther(val), isFloat: false };
}

/** Python `float()` of text that matched the float grammar. */
function parseFloatText(t: string): number {
  const special = PY_FLOAT_SPECIAL_RE.exec(t);
  if (special === null) return Number(t.replace(/_/g, ''));
  if (special[2]!.toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** The bool / None / string cases of `_parse_int_float_bool`. */
function parseOther(val: string): CfgOptionValue {
  const lower = val.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (val === 'None') return null;
  return val;
}

/** Counts occurrences of one character. */
function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** Index of the next top-level comma (outside `()`/`[]`), or the length when there is none. */
function findNextComma(s: string): number {
  if (count(s, '(') !== count(s, ')') || count(s, '[') !== count(s, ']')) {
    throw new AssertionError_('CONFIG_OPTION_BRACKETS', `Imbalanced brackets exist in ${s}`);
  }
  let round = 0;
  let square = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ',' && round === 0 && square === 0) return i;
    if (c === '(') round++;
    else if (c === ')') round--;
    else if (c === '[') square++;
    else if (c === ']') square--;
  }
  return s.length;
}

/**
 * mmcv `DictAction._parse_iterable`: strips surrounding quotes and all spaces, then parses
 * `[...]`/`(...)`/`a,b` into arrays (recursively) and other text with {@link parseIntFloatBool}.
 * @example parseIterable('[(1, 2, 3), [a, b], c]') // [[1, 2, 3], ['a', 'b'], 'c']
 * @throws AssertionError_ `CONFIG_OPTION_BRACKETS` on unbalanced brackets
 * @throws ValueError `CONFIG_OPTION_BRACKETS` on brackets nested so that mmcv would recurse forever
 */
export function parseIterable(raw: string): CfgOptionValue {
  return parseIterableMarked(raw).value;
}

/** {@link parseIterable}, also telling whether a scalar result is a Python float. */
function parseIterableMarked(raw: string): { value: CfgOptionValue; isFloat: boolean } {
  let val = raw.replace(/^['"]+|['"]+$/g, '').replace(/ /g, '');
  const isTupleText = val.startsWith('(') && val.endsWith(')');
  const wrapped = isTupleText || (val.startsWith('[') && val.endsWith(']'));
  if (wrapped) val = val.slice(1, -1);
  else if (!val.includes(',')) return parseScalar(val);
  if (!wrapped && findNextComma(val) === val.length) {
    // A comma, but none at the top level (e.g. `],a[`): Python recurses on the same text until RecursionError.
    throw new ValueError('CONFIG_OPTION_BRACKETS', `Cannot parse "${val}": its brackets are not nested properly`, {
      hint: 'write lists as [a,b] or a,b and tuples as (a,b)',
    });
  }
  const values: CfgOptionValue[] = [];
  while (val.length > 0) {
    const comma = findNextComma(val);
    const item = parseIterableMarked(val.slice(0, comma));
    values.push(item.value);
    if (item.isFloat) markFloat(values, values.length - 1, true);
    val = val.slice(comma + 1);
  }
  return { value: isTupleText ? markTuple(values) : values, isFloat: false };
}

/**
 * Parses `--cfg-options` tokens (`KEY=VALUE`, split at the first `=`) as mmcv's `DictAction`.
 * @param tokens e.g. `['model.bbox_head.num_classes=3', 'data.train.pipeline.2.img_scale=(640,480)']`
 * @returns dotted key → parsed value, in token order (a repeated key keeps its last value)
 * @throws ValueError `CONFIG_OPTION_SYNTAX` for a token without `=`
 * @throws AssertionError_ `CONFIG_OPTION_BRACKETS` on unbalanced brackets
 */
export function parseCfgOptions(tokens: readonly string[]): Record<string, CfgOptionValue> {
  const options: Record<string, CfgOptionValue> = {};
  for (const kv of tokens) {
    const eq = kv.indexOf('=');
    if (eq < 0) {
      throw new ValueError('CONFIG_OPTION_SYNTAX', `--cfg-options expects KEY=VALUE, got '${kv}'`, {
        hint: 'write e.g. --cfg-options model.bbox_head.num_classes=3 (no spaces around =)',
      });
    }
    const key = kv.slice(0, eq);
    const parsed = parseIterableMarked(kv.slice(eq + 1));
    options[key] = parsed.value;
    markFloat(options, key, parsed.isFloat);
  }
  return options;
}
