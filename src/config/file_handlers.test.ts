import { describe, expect, it } from 'vitest';
import { dumpYaml, loadJson, loadYaml } from './file_handlers.js';
import { ConfigParseError } from './errors.js';
import { isFloatAt } from './py_marks.js';

// PyYAML (YAML 1.1 resolvers) results, from yaml/resolver.py and yaml/constructor.py.
describe('YAML as PyYAML reads it', () => {
  it.each([
    ['1e-3', '1e-3'],
    ['1.0e-3', 0.001],
    ['1.0e3', '1.0e3'],
    ['1.0e+3', 1000],
    ['yes', true],
    ['No', false],
    ['on', true],
    ['OFF', false],
    ['y', 'y'],
    ['010', 8],
    ['0x1F', 31],
    ['0b101', 5],
    ['1_000', 1000],
    ['1:30', 90],
    ['.5', 0.5],
    ['1.', 1],
    ['-.inf', -Infinity],
    ['~', null],
    ['null', null],
    ['', null],
    ["'010'", '010'],
    ['2020-01-01', '2020-01-01'],
  ])('%s', (text, want) => {
    expect((loadYaml(`v: ${text}\n`, 't.yaml') as { v: unknown }).v).toEqual(want);
  });

  it('flattens << merge keys in PyYAML\'s key order', () => {
    const text = "a: &a {x: 1, y: 2}\nb: &b\n  <<: *a\n  z: 3\n  x: 10\nc:\n  <<: [*b, {q: 1, x: 7}]\n  w: 0\nd:\n  '<<': 5\n  k: 1\ne:\n  k: 2\n  <<: {n: {deep: &dd {m: 1}}}\n  <<: *a\nf:\n  list:\n    - <<: *dd\n      j: 2\n    - {<<: *a, y: 0}\n";
    // PyYAML 6 (yaml.Loader), json.dumps of the loaded document:
    const want = "{\"a\":{\"x\":1,\"y\":2},\"b\":{\"x\":10,\"y\":2,\"z\":3},\"c\":{\"q\":1,\"x\":10,\"y\":2,\"z\":3,\"w\":0},\"d\":{\"<<\":5,\"k\":1},\"e\":{\"n\":{\"deep\":{\"m\":1}},\"x\":1,\"y\":2,\"k\":2},\"f\":{\"list\":[{\"m\":1,\"j\":2},{\"x\":1,\"y\":0}]}}";
    expect(JSON.stringify(loadYaml(text, 'merge.yaml'))).toBe(want);
    expect(() => loadYaml('a:\n  <<: 5\n', 'bad.yaml')).toThrow('expected a mapping or list of mappings for merging');
  });

  it('dumps strings that would resolve to other types quoted, so they read back as strings', () => {
    const data = { a: 'yes', b: '010', c: '1.5', d: 'null', e: 1e-7, f: 2.5, g: [1, true, null], h: 'plain', i: '', j: '1e-3' };
    expect(loadYaml(dumpYaml(data), 'rt.yaml')).toEqual(data);
  });

  it('names the file, line and column of malformed YAML', () => {
    const text = 'a: 1\nb:\n  - x\n  y: [1, 2\nc: 3\n';
    let err: unknown;
    try {
      loadYaml(text, '/cfg/bad.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigParseError);
    const e = err as ConfigParseError;
    expect(e.code).toBe('CONFIG_PARSE');
    expect(e.file).toBe('/cfg/bad.yaml');
    expect(e.line).toBe(4);
    expect(e.message).toContain('/cfg/bad.yaml, line 4');
  });
});

describe('JSON', () => {
  it('names the file, line and column of malformed JSON', () => {
    const text = '{\n  "a": 1,\n  "b": }\n';
    let err: unknown;
    try {
      loadJson(text, 'bad.json');
    } catch (e) {
      err = e;
    }
    const e = err as ConfigParseError;
    expect(e).toBeInstanceOf(ConfigParseError);
    expect([e.line, e.column]).toEqual([3, 8]);
    // Python: json.loads(text) -> JSONDecodeError("Expecting value: line 3 column 8 (char 19)")
    expect(e.message).toBe('Malformed JSON in bad.json: Expecting value: line 3 column 8 (char 19)');
    expect(e.pythonType).toBe('JSONDecodeError');
  });
  it('parses what Python\'s json.load parses, in key order', () => {
    const v = loadJson('{"b": "x\\"y\\u00e9\\n", "a": [1, -2.5e-3, 1E2, null, true, false], "n": NaN, "i": -Infinity, "b2": {}}', 'ok.json') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['b', 'a', 'n', 'i', 'b2']);
    expect(v['b']).toBe('x"y\u00e9\n');
    expect(v['a']).toEqual([1, -0.0025, 100, null, true, false]);
    expect(Number.isNaN(v['n'])).toBe(true);
    expect(v['i']).toBe(-Infinity);
    expect(() => loadJson('{"a": 01}', 'x.json')).toThrow("Expecting ',' delimiter: line 1 column 8 (char 7)");
    expect(() => loadJson("{'a': 1}", 'x.json')).toThrow('Expecting property name enclosed in double quotes: line 1 column 2 (char 1)');
  });

  it('marks floats written with a dot or exponent', () => {
    const v = loadJson('{"f": 1.0, "i": 1, "l": [2.0, 2, 1e3]}', 'm.json') as { l: number[] };
    expect([isFloatAt(v, 'f'), isFloatAt(v, 'i')]).toEqual([true, false]);
    expect([0, 1, 2].map((i) => isFloatAt(v.l, i))).toEqual([true, false, true]);
    const y = loadYaml('f: 1.0\ni: 1\nl: [2., 2, 1.0e+3]\n', 'm.yaml') as { l: number[] };
    expect([isFloatAt(y, 'f'), isFloatAt(y, 'i')]).toEqual([true, false]);
    expect([0, 1, 2].map((i) => isFloatAt(y.l, i))).toEqual([true, false, true]);
  });

  it('finds a missing comma and an unterminated document, worded as Python\'s json', () => {
    expect(() => loadJson('{"a": 1\n "b": 2}', 'x.json')).toThrow("Expecting ',' delimiter: line 2 column 2 (char 9)");
    expect(() => loadJson('[1, 2', 'x.json')).toThrow("Expecting ',' delimiter: line 1 column 6 (char 5)");
    expect(() => loadJson('{"a": "abc', 'x.json')).toThrow('Unterminated string starting at: line 1 column 7 (char 6)');
    expect(() => loadJson('{"a": 1} x', 'x.json')).toThrow('Extra data: line 1 column 10 (char 9)');
  });
});
