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
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Pair, type ScalarTag, type Tags, type YAMLMap } from 'yaml';
import { ConfigParseError } from './errors.js';
import { PyFloat, isFloatAt, markFloat, unwrapFloats } from './py_marks.js';

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

/** PyYAML `construct_yaml_float`; integral results are wrapped so they stay floats. */
function resolvePyFloat(raw: string): number | PyFloat {
  const [sign, v] = splitSign(raw.replace(/_/g, '').toLowerCase());
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  const x = v.includes(':') ? sign * sexagesimal(v, (s) => parseFloat(s)) : sign * Number(v);
  return Number.isInteger(x) ? new PyFloat(x) : x;
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
  {
    identify: (v) => typeof v === 'number' || v instanceof PyFloat,
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: FLOAT_RE,
    resolve: resolvePyFloat,
    stringify: (n) => stringifyPyFloat(n.value instanceof PyFloat ? n.value.value : Number(n.value)),
  },
];

// The merge tag is dropped too: `<<` keys are flattened by {@link flattenMerges} in PyYAML's order.
const REPLACED = new Set([
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:timestamp',
  'tag:yaml.org,2002:merge',
]);

/** The yaml package's YAML 1.1 tags with null/bool/int/float swapped for PyYAML's resolvers. */
function pyYamlTags(tags: Tags): Tags {
  return [...PY_TAGS, ...tags.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag))];
}

const YAML_OPTIONS = { version: '1.1', schema: 'yaml-1.1', customTags: pyYamlTags, merge: false, uniqueKeys: false } as const;

/**
 * PyYAML `SafeConstructor.flatten_mapping`: the pairs of the maps merged with `<<` (a map, or a
 * list of maps taken last to first) go before the map's own pairs; building the dict then keeps
 * each key at its first position with its last value. (The yaml package would append them.)
 * @returns an error message when a `<<` value is not a mapping or a list of mappings
 */
function flattenMerges(doc: Document.Parsed): string | undefined {
  const done = new Set<YAMLMap>();
  let problem: string | undefined;
  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const flatten = (map: YAMLMap): void => {
    if (done.has(map)) return;
    done.add(map);
    const merged: Pair[] = [];
    const own: Pair[] = [];
    for (const pair of map.items as Pair[]) {
      if (!(isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === 'PLAIN')) {
        own.push(pair);
        continue;
      }
      const value = resolve(pair.value);
      if (isMap(value)) {
        flatten(value);
        merged.push(...(value.items as Pair[]));
      } else if (isSeq(value)) {
        const groups: Pair[][] = [];
        for (const item of value.items) {
          const sub = resolve(item);
          if (!isMap(sub)) {
            problem = 'expected a mapping for merging';
            return;
          }
          flatten(sub);
          groups.push(sub.items as Pair[]);
        }
        for (const g of groups.reverse()) merged.push(...g);
      } else {
        problem = 'expected a mapping or list of mappings for merging';
        return;
      }
    }
    if (merged.length > 0) map.items = [...merged, ...own];
  };
  visit(doc, { Map: (_key, map) => void flatten(map) });
  return problem;
}

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
  const mergeProblem = flattenMerges(doc);
  if (mergeProblem !== undefined) {
    throw new ConfigParseError(`Malformed YAML in ${file}: while constructing a mapping: ${mergeProblem}`, 'ConstructorError', { file });
  }
  return unwrapFloats(doc.toJS({ maxAliasCount: -1 }));
}

/** A copy of `v` in which numbers marked as floats become {@link PyFloat}s (written `1.0`). */
function wrapFloats(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x, i) => (isFloatAt(v, i) && Number.isInteger(x) ? new PyFloat(x as number) : wrapFloats(x)));
  if (typeof v === 'object' && v !== null && !(v instanceof PyFloat)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, isFloatAt(v, k) && Number.isInteger(x) ? new PyFloat(x as number) : wrapFloats(x)]),
    );
  }
  return v;
}

/**
 * Serialises data as YAML that PyYAML (and {@link loadYaml}) read back to the same values.
 * @param data plain config data
 */
export function dumpYaml(data: unknown): string {
  const doc = new Document(wrapFloats(data), YAML_OPTIONS);
  return doc.toString({ lineWidth: 0 });
}

/**
 * Parses JSON text as Python's `json.load` does (`NaN`/`Infinity` accepted; `1.0` recorded as a
 * float on its container, see `py_marks.ts`); errors name the file, line and column.
 * @param text the JSON source
 * @param file the file name used in error messages
 * @throws ConfigParseError `CONFIG_PARSE`
 */
export function loadJson(text: string, file: string): unknown {
  let i = 0;
  // Python's json.JSONDecodeError wording, at the same position, plus the file name.
  const fail = (msg: string, at = i): never => {
    const before = text.slice(0, at).split('\n');
    const line = before.length;
    const column = before[before.length - 1]!.length + 1;
    throw new ConfigParseError(`Malformed JSON in ${file}: ${msg}: line ${line} column ${column} (char ${at})`, 'JSONDecodeError', {
      file,
      line,
      column,
    });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const str = (what: string): string => {
    if (text[i] !== '"') fail(what);
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('Invalid control character at');
      if (text[i] === '\\') {
        if (i + 1 >= text.length) break;
        if (text[i + 1] === 'u' && !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('Invalid \\uXXXX escape', i + 1);
        if (!'"\\/bfnrtu'.includes(text[i + 1]!)) fail('Invalid \\escape', i);
        i += 2;
      } else i++;
    }
    if (i >= text.length) fail('Unterminated string starting at', start);
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?|NaN|-?Infinity/y;
  // Returns the value; a number written as a float comes back as a PyFloat so its container can be marked.
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        ws();
        const key = str('Expecting property name enclosed in double quotes');
        ws();
        if (text[i] !== ':') fail("Expecting ':' delimiter");
        i++;
        put(obj, key, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return i++, obj;
        else fail("Expecting ',' delimiter");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        put(arr, arr.length, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return i++, arr;
        else fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return str('Expecting value');
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) return (i += word.length), v;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail('Expecting value');
    i += m[0].length;
    const num = m[0].endsWith('NaN') ? NaN : m[0].endsWith('Infinity') ? (m[0].startsWith('-') ? -Infinity : Infinity) : Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new PyFloat(num) : num;
  };
  const put = (container: Record<string, unknown> | unknown[], key: string | number, v: unknown): void => {
    const isFloat = v instanceof PyFloat;
    (container as Record<string, unknown>)[key] = isFloat ? v.value : v;
    markFloat(container, key, isFloat && Number.isInteger(v.value));
  };
  const result = value();
  ws();
  if (i < text.length) fail('Extra data');
  return result instanceof PyFloat ? result.value : result;
}
