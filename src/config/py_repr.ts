/**
 * @module Python-compatible `repr()` and `type()` text for config values, so that error messages
 * match mmcv's word for word (`train_pipeline={'type': 'LoadImageFromFile'} in child config ...`,
 * `<class 'list'>`).
 *
 * Porting note: JS has one number type. An integral number prints as a Python `int` (`1`) unless
 * its container marks it as a float (a YAML/JSON/`--cfg-options` `1.0`, see `py_marks.ts`);
 * any other number prints as a Python `float` (`0.5`, `1e-05`).
 */
import { isFloatAt, isTuple } from './py_marks.js';

/**
 * Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; escapes `\\`, the
 * quote, `\n`, `\r`, `\t` and other control characters.
 */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/**
 * Python's `repr(float)` (shortest round-trip digits; exponent form below 1e-4 and from 1e16).
 * @param x any finite or non-finite number
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) body = `0.${'0'.repeat(-exp - 1)}${digits}`;
    else if (digits.length <= exp + 1) body = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    else body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    body = `${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return neg ? `-${body}` : body;
}

/** Python's `repr(number)`: integral values as `int` unless `isFloat`, the rest as `float`. */
export function pyNumberRepr(x: number, isFloat = false): string {
  if (Number.isInteger(x) && !isFloat) return Math.abs(x) < 1e21 ? x.toFixed(0) : BigInt(x).toString();
  return pyFloatRepr(x);
}

/**
 * Python's `repr()` of a config value: dicts `{'k': v}`, lists `[1, 2]`, `True`, `None`, ...
 * @param value plain config data (objects, arrays, scalars)
 */
export function pyRepr(value: unknown, isFloat = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumberRepr(value, isFloat);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'function') return `<function ${value.name || '<lambda>'}>`;
  if (Array.isArray(value)) {
    const items = value.map((v, i) => pyRepr(v, isFloatAt(value, i)));
    if (isTuple(value)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v, isFloatAt(value, k))}`);
    return `{${parts.join(', ')}}`;
  }
  return String(value);
}

/** Python's `repr()` of a set of strings, e.g. `{'log_level'}` (`set()` when empty). */
export function pySetRepr(items: readonly string[]): string {
  return items.length === 0 ? 'set()' : `{${items.map(pyStrRepr).join(', ')}}`;
}

/** Python's type name of a config value as `str(type(v))` prints it, e.g. `<class 'list'>`. */
export function pyTypeRepr(value: unknown, isFloat = false): string {
  return `<class '${pyTypeName(value, isFloat)}'>`;
}

/** Python's bare type name of a config value: `dict`, `list`, `int`, `float`, `str`, `bool`, `NoneType`. */
export function pyTypeName(value: unknown, isFloat = false): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) && !isFloat ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'function') return 'function';
  if (Array.isArray(value)) return isTuple(value) ? 'tuple' : 'list';
  return 'dict';
}
