import { describe, expect, it } from 'vitest';
import { pyFloatRepr, pyRepr, pySetRepr, pyStrRepr, pyTypeRepr } from './py_repr.js';

// Expected strings are what CPython 3 prints for repr() of the same values.
describe('Python repr', () => {
  it.each([
    [0.5, '0.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [123.675, '123.675'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [2.5e15, '2500000000000000.0'],
    [-0.25, '-0.25'],
    [Infinity, 'inf'],
    [NaN, 'nan'],
  ])('float %s', (x, want) => {
    expect(pyFloatRepr(x)).toBe(want);
  });

  it('strings pick quotes as Python does', () => {
    expect(pyStrRepr('abc')).toBe("'abc'");
    expect(pyStrRepr("it's")).toBe('"it\'s"');
    expect(pyStrRepr(`a'b"c`)).toBe(`'a\\'b"c'`);
    expect(pyStrRepr('a\nb\\')).toBe("'a\\nb\\\\'");
  });

  it('renders nested config values', () => {
    expect(pyRepr({ type: 'LoadImageFromFile', keys: ['img'], flip: false, x: null, r: 0.5, n: 3 })).toBe(
      "{'type': 'LoadImageFromFile', 'keys': ['img'], 'flip': False, 'x': None, 'r': 0.5, 'n': 3}",
    );
    expect(pySetRepr(['log_level'])).toBe("{'log_level'}");
    expect(pyTypeRepr([1])).toBe("<class 'list'>");
    expect(pyTypeRepr(2)).toBe("<class 'int'>");
    expect(pyTypeRepr(0.5)).toBe("<class 'float'>");
    expect(pyTypeRepr('x')).toBe("<class 'str'>");
    expect(pyTypeRepr(true)).toBe("<class 'bool'>");
    expect(pyTypeRepr(null)).toBe("<class 'NoneType'>");
  });
});
