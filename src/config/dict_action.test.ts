import { describe, expect, it } from 'vitest';
import { parseCfgOptions, parseIntFloatBool, parseIterable } from './dict_action.js';
import { AssertionError_, ValueError } from '../utils/errors.js';
import { pyRepr } from './py_repr.js';

// Expected values: engine-spec §7.8 item 49 and mmcv's DictAction docstrings (Python results,
// tuples written as arrays).
describe('DictAction value parsing', () => {
  const table: [string, unknown][] = [
    ['1,2', [1, 2]],
    ['[1]', [1]],
    ['(1)', [1]],
    ['[]', []],
    ['()', []],
    ['[(a,b),(c,d)]', [['a', 'b'], ['c', 'd']]],
    ['[(1, 2, 3), [a, b], c]', [[1, 2, 3], ['a', 'b'], 'c']],
    ['true', true],
    ['FALSE', false],
    ['None', null],
    ['none', 'none'],
    ['1e-3', 0.001],
    ['1.', 1],
    ['0x10', '0x10'],
    ['1_000', 1000],
    ['+3', 3],
    ['-2.5', -2.5],
    ['"hello world"', 'helloworld'],
    ["'a'", 'a'],
    ['', ''],
    ['x,', ['x']],
    ['"[1, 2]"', [1, 2]],
    ['(1333,800)', [1333, 800]],
    ['[[1333,640],[1333,800]]', [[1333, 640], [1333, 800]]],
  ];
  it.each(table)('%s', (raw, want) => {
    expect(parseIterable(raw)).toEqual(want);
  });

  it('parses Python float specials', () => {
    expect(parseIntFloatBool('inf')).toBe(Infinity);
    expect(parseIntFloatBool('-Infinity')).toBe(-Infinity);
    expect(Number.isNaN(parseIntFloatBool('nan'))).toBe(true);
    expect(parseIntFloatBool('1__0')).toBe('1__0');
    expect(parseIntFloatBool('_1')).toBe('_1');
  });

  it('keeps tuples and floats visible to Python-style messages', () => {
    // CPython: repr({'k': DictAction._parse_iterable(v)})
    expect(pyRepr(parseCfgOptions(['k=(a)']))).toBe("{'k': ('a',)}");
    expect(pyRepr(parseCfgOptions(['k=[(1,2.),[3.]]']))).toBe("{'k': [(1, 2.0), [3.0]]}");
    expect(pyRepr(parseCfgOptions(['k=1.', 'j=1e3', 'i=1_0']))).toBe("{'k': 1.0, 'j': 1000.0, 'i': 10}");
    expect(pyRepr(parseCfgOptions(['k=()']))).toBe("{'k': ()}");
  });

  it('stops where mmcv would recurse forever', () => {
    expect(() => parseIterable('Auf(0,i)')).toThrow(ValueError);
    expect(() => parseIterable('],a[')).toThrow('Cannot parse "],a[": its brackets are not nested properly');
  });

  it('rejects imbalanced brackets with mmcv\'s message', () => {
    expect(() => parseIterable('[(a,b), [1,2], false')).toThrow(AssertionError_);
    expect(() => parseIterable('[(a,b), [1,2], false')).toThrow('Imbalanced brackets exist in [(a,b),[1,2],false');
  });
});

describe('parseCfgOptions', () => {
  it('splits at the first = only', () => {
    expect(parseCfgOptions(['a=b=c'])).toEqual({ a: 'b=c' });
  });
  it('keeps token order and lets a repeated key take its last value', () => {
    const got = parseCfgOptions(['model.bbox_head.num_classes=3', 'data.train.pipeline.2.img_scale=(640,480)', 'x=1', 'x=2']);
    expect(got).toEqual({ 'model.bbox_head.num_classes': 3, 'data.train.pipeline.2.img_scale': [640, 480], x: 2 });
    expect(Object.keys(got)).toEqual(['model.bbox_head.num_classes', 'data.train.pipeline.2.img_scale', 'x']);
  });
  it('reports a token without = with a stable code', () => {
    expect(() => parseCfgOptions(['model.depth'])).toThrow(ValueError);
    try {
      parseCfgOptions(['model.depth']);
    } catch (e) {
      expect((e as ValueError).code).toBe('CONFIG_OPTION_SYNTAX');
    }
  });
});
