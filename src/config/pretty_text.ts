/**
 * @module Port of `Config.pretty_text` in `mmcv/utils/config.py` @ v1.7.2, and the `.ts` module
 * text that `Config.dump('x.ts')` writes.
 *
 * `prettyText` renders the config as mmcv does, as Python source: top-level `key = value` lines,
 * dicts as `dict(k=v)` (or `{'k': v}` when a key is not an identifier), `True`/`None`, strings
 * single-quoted. Porting note: mmcv hands its text to yapf; detkit lays it out itself with the
 * same look (a value stays on one line when it fits in 79 columns, otherwise one item per line).
 */
import { TypeError_ } from '../utils/errors.js';
import { isFloatAt, isTuple } from './py_marks.js';
import { isPlainDict } from './merge.js';
import { pyRepr, pyStrRepr } from './py_repr.js';

const WIDTH = 79;
const INDENT = 4;
const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** Whether `k` can be a Python keyword argument name (`dict(k=...)`). */
function isPyIdentifier(k: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !PY_KEYWORDS.has(k);
}

/** One-line Python literal of a value (`isFloat`: an integral number written as a float). */
function pyInline(v: unknown, isFloat = false): string {
  if (Array.isArray(v)) {
    const items = v.map((x, i) => pyInline(x, isFloatAt(v, i)));
    if (isTuple(v)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  if (isPlainDict(v)) {
    const entries = Object.entries(v);
    if (entries.every(([k]) => isPyIdentifier(k))) return `dict(${entries.map(([k, x]) => `${k}=${pyInline(x, isFloatAt(v, k))}`).join(', ')})`;
    return `{${entries.map(([k, x]) => `${pyStrRepr(k)}: ${pyInline(x, isFloatAt(v, k))}`).join(', ')}}`;
  }
  return pyRepr(v, isFloat);
}

/** Python literal of `v`, written after `used` columns of the current line at nesting `indent`. */
function pyBlock(v: unknown, indent: number, used: number, isFloat = false): string {
  const flat = pyInline(v, isFloat);
  const isContainer = Array.isArray(v) ? v.length > 0 : isPlainDict(v) && Object.keys(v).length > 0;
  if (!isContainer || used + flat.length + 1 <= WIDTH) return flat;
  const pad = ' '.repeat(indent + INDENT);
  if (Array.isArray(v)) {
    const items = v.map((x, i) => pad + pyBlock(x, indent + INDENT, pad.length, isFloatAt(v, i)));
    return isTuple(v) ? `(\n${items.join(',\n')}${items.length === 1 ? ',' : ''})` : `[\n${items.join(',\n')}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  const mapping = !entries.every(([k]) => isPyIdentifier(k));
  const items = entries.map(([k, x]) => {
    const head = mapping ? `${pyStrRepr(k)}: ` : `${k}=`;
    return pad + head + pyBlock(x, indent + INDENT, pad.length + head.length, isFloatAt(v, k));
  });
  return mapping ? `{\n${items.join(',\n')}}` : `dict(\n${items.join(',\n')})`;
}

/**
 * mmcv's `pretty_text`: the config as Python source, one `key = value` statement per top-level key.
 * @param cfg the config dict
 */
export function prettyText(cfg: Readonly<Record<string, unknown>>): string {
  const lines = Object.entries(cfg).map(([k, v]) => {
    const head = isPyIdentifier(k) ? `${k} = ` : `globals()[${pyStrRepr(k)}] = `;
    return head + pyBlock(v, 0, head.length, isFloatAt(cfg, k));
  });
  return `${lines.join('\n')}\n`;
}

/** A JS/TS literal of a scalar config value. */
function jsScalar(v: unknown, path: string): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return jsString(v);
  throw new TypeError_('CONFIG_DUMP_UNSUPPORTED', `cannot dump a ${typeof v} config value as data (at ${path || '<root>'})`, {
    configPath: path,
    hint: 'only plain objects, arrays, strings, numbers, booleans and null can be written to a config file',
  });
}

/** Single-quoted JS string literal. */
function jsString(s: string): string {
  const body = JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${body}'`;
}

/** A JS/TS literal of `v` at nesting `indent` (2-space), arrays of scalars kept on one line when short. */
function jsBlock(v: unknown, indent: number, path: string): string {
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => !Array.isArray(x) && !isPlainDict(x))) {
      const flat = `[${v.map((x, i) => jsScalar(x, `${path}[${i}]`)).join(', ')}]`;
      if (indent + flat.length <= 100) return flat;
    }
    return `[\n${v.map((x, i) => `${pad}${jsBlock(x, indent + 2, `${path}[${i}]`)},`).join('\n')}\n${' '.repeat(indent)}]`;
  }
  if (isPlainDict(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    const items = entries.map(([k, x]) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : jsString(k);
      return `${pad}${key}: ${jsBlock(x, indent + 2, path === '' ? k : `${path}.${k}`)},`;
    });
    return `{\n${items.join('\n')}\n${' '.repeat(indent)}}`;
  }
  return jsScalar(v, path);
}

/**
 * The text of a config module that loads back to `cfg`: `export default {...};`.
 * @param cfg plain config data
 * @throws TypeError_ `CONFIG_DUMP_UNSUPPORTED` for functions and other non-data values
 */
export function tsModuleText(cfg: Readonly<Record<string, unknown>>): string {
  return `export default ${jsBlock(cfg, 0, '')};\n`;
}
