/**
 * @module Port of `mmcv/fileio/handlers/{json_handler,yaml_handler}.py` @ v1.7.2: read and write
 * config data files the way mmcv does.
 *
 * YAML is read as PyYAML reads it (YAML 1.1 resolvers: `yes`/`on` are `true`, `010` is 8,
 * `1_000` is 1000, `1e-3` stays a string because PyYAML's float needs a dot and a signed
 * exponent). Parse errors name the file, line and column.
 *
 * Porting note: YAML timestamps stay strings (PyYAML makes `datetime` objects, which mmcv
 * cannot dump to JSON anyway).
 */
import { Document, parseDocument, type ScalarTag, type Tags } from 'yaml';
import { ConfigParseError } from './errors.js';

// ---- PyYAML 1.1 implicit resolvers (yaml/resolver.py, yaml/constructor.py) ----

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;

/** Splits a leading sign off a PyYAML number literal (underscores already removed). */
function splitSign(text: string): [number, string] {
  if (text.startsWith('-')) return [-1, text.slice(1)];
  if (text.startsWith('+')) return [1, text.slice(1)];
  return [1, text];
}

/** Base-60 value of `1:30:15` style literals. */
function sexagesimal(text: string, parse: (s: string) => number): number {
  return text.split(':').reduce((acc, part) => acc * 60 + parse(part), 0);
}

/** PyYAML `construct_yaml_int`. */
function resolvePyInt(raw: string): number {
  const [sign, v] = splitSign(raw.replace(/_/g, ''));
  if (v === '0') return 0;
  if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
  if (v.startsWith('0')) return sign * parseInt(v, 8);
  if (v.includes(':')) return sign * sexagesimal(v, (s) => parseInt(s, 10));
  return sign * parseInt(v, 10);
}

/** PyYAML `construct_yaml_float`. */
function resolvePyFloat(raw: string): number {
  const [sign, v] = splitSign(raw.replace(/_/g, '').toLowerCase());
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) return sign * sexagesimal(v, (s) => parseFloat(s));
  return sign * Number(v);
}

/** Writes a float so that PyYAML reads it back as a float (`1.0e-07`, `.inf`). */
function stringifyPyFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (!Number.isFinite(x)) return x > 0 ? '.inf' : '-.inf';
  const s = String(x);
  if (!s.includes('e')) return s.includes('.') ? s : `${s}.0`;
  const [m, e] = s.split('e') as [string, string];
  return `${m.includes('.') ? m : `${m}.0`}e${e}`;
}

const PY_TAGS: ScalarTag[] = [
  { identify: (v) => v === null || v === undefined, default: true, tag: 'tag:yaml.org,2002:null', test: NULL_RE, resolve: () => null, stringify: () => 'null' },
  { identify: (v) => typeof v === 'boolean', default: true, tag: 'tag:yaml.org,2002:bool', test: BOOL_RE, resolve: (s) => /^(?:yes|true|on)$/i.test(s), stringify: (n) => (n.value ? 'true' : 'false') },
  { identify: (v) => typeof v === 'number' && Number.isInteger(v), default: true, tag: 'tag:yaml.org,2002:int', test: INT_RE, resolve: resolvePyInt, stringify: (n) => String(n.value) },
  { identify: (v) => typeof v === 'number', default: true, tag: 'tag:yaml.org,2002:float', test: FLOAT_RE, resolve: resolvePyFloat, stringify: (n) => stringifyPyFloat(Number(n.value)) },
];

const REPLACED = new Set(['tag:yaml.org,2002:null', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);

/** The yaml package's YAML 1.1 tags with null/bool/int/float swapped for PyYAML's resolvers. */
function pyYamlTags(tags: Tags): Tags {
  return [...PY_TAGS, ...tags.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag))];
}

const YAML_OPTIONS = { version: '1.1', schema: 'yaml-1.1', customTags: pyYamlTags, merge: true, uniqueKeys: false } as const;

/**
 * Parses YAML text as PyYAML's `yaml.load` would.
 * @param text the YAML source
 * @param file the file name used in error messages
 * @throws ConfigParseError `CONFIG_PARSE` with the 1-based line and column
 */
export function loadYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, YAML_OPTIONS);
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = err.linePos?.[0];
    const where = pos === undefined ? '' : `, line ${pos.line}, column ${pos.col}`;
    const first = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigParseError(`Malformed YAML in ${file}${where}: ${first}`, 'YAMLError', {
      file,
      cause: err,
      ...(pos === undefined ? {} : { line: pos.line, column: pos.col }),
    });
  }
  return doc.toJS({ maxAliasCount: -1 });
}

/**
 * Serialises data as YAML that PyYAML (and {@link loadYaml}) read back to the same values.
 * @param data plain config data
 */
export function dumpYaml(data: unknown): string {
  const doc = new Document(data, YAML_OPTIONS);
  return doc.toString({ lineWidth: 0 });
}

/**
 * Parses JSON text; errors name the file, line and column.
 * @param text the JSON source
 * @param file the file name used in error messages
 * @throws ConfigParseError `CONFIG_PARSE`
 */
export function loadJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const found = jsonErrorAt(text);
    const before = text.slice(0, found.offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1]!.length + 1;
    throw new ConfigParseError(`Malformed JSON in ${file}, line ${line}, column ${column}: ${found.reason}`, 'JSONDecodeError', {
      file,
      line,
      column,
      cause: err,
    });
  }
}

/**
 * Finds where a JSON text stops being valid (Node 20's `JSON.parse` messages carry no position).
 * @returns the 0-based offset of the first bad character and what was expected there
 */
function jsonErrorAt(text: string): { offset: number; reason: string } {
  let i = 0;
  class Stop extends Error {}
  const fail = (reason: string): never => {
    const got = i < text.length ? `unexpected ${JSON.stringify(text[i])}` : 'unexpected end of input';
    throw Object.assign(new Stop(), { reason: `${got}, expected ${reason}` });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const str = (): void => {
    if (text[i] !== '"') fail('a double-quoted string');
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('a closing quote');
      i++;
    }
    if (i >= text.length) fail('a closing quote');
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail("':'");
        i++;
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') return void i++;
        fail("',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') return void i++;
        fail("',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(text.slice(i));
    if (m === null) fail('a value');
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('end of input');
    return { offset: i, reason: 'invalid JSON' };
  } catch (e) {
    if (e instanceof Stop) return { offset: i, reason: (e as Stop & { reason: string }).reason };
    throw e;
  }
}
