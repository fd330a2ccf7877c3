import { describe, expect, it } from 'vitest';
import { pyExp, pyFloatRepr, pyJsonDumps, pyRound, pyTimedelta, pyWorkflowRepr } from './py_format.js';

describe('Python formatting (engine-spec §0)', () => {
  it('formats {:.3e} with a two-digit exponent', () => {
    expect(pyExp(0.0065, 3)).toBe('6.500e-03');
    expect(pyExp(0.00197804, 3)).toBe('1.978e-03');
    expect(pyExp(0.02, 3)).toBe('2.000e-02');
    expect(pyExp(12346, 3)).toBe('1.235e+04');
  });
  it('repr(float) as Python prints it', () => {
    expect(pyFloatRepr(0)).toBe('0.0');
    expect(pyFloatRepr(100)).toBe('100.0');
    expect(pyFloatRepr(0.0065)).toBe('0.0065');
    expect(pyFloatRepr(0.00005)).toBe('5e-05');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(1.5e-7)).toBe('1.5e-07');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(123456789012345.6)).toBe('123456789012345.6');
  });
  it('round(x, 5) and json.dumps separators', () => {
    expect(pyRound(1.003214, 5)).toBe(1.00321);
    expect(pyRound(0.0008, 5)).toBe(0.0008);
    expect(pyJsonDumps({ mode: 'train', epoch: 1, iter: 2, lr: 0.0065, acc: 0, loss: 2.54749 }, new Set(['epoch', 'iter'])))
      .toBe('{"mode": "train", "epoch": 1, "iter": 2, "lr": 0.0065, "acc": 0.0, "loss": 2.54749}');
    expect(pyJsonDumps({ a: [1, 2], b: null, c: true, d: { e: 'é' } }, new Set(['a']))).toBe('{"a": [1, 2], "b": null, "c": true, "d": {"e": "\\u00e9"}}');
  });
  it('str(timedelta) (engine-spec §7.3 cases 13, 15)', () => {
    expect(pyTimedelta(5975.5)).toBe('1:39:35');
    expect(pyTimedelta(5355)).toBe('1:29:15');
    expect(pyTimedelta(0)).toBe('0:00:00');
    expect(pyTimedelta(86400 + 14 * 3600 + 38 * 60 + 6)).toBe('1 day, 14:38:06');
    expect(pyTimedelta(2 * 86400 + 1)).toBe('2 days, 0:00:01');
  });
  it('workflow repr', () => {
    expect(pyWorkflowRepr([['train', 1], ['val', 1]])).toBe("[('train', 1), ('val', 1)]");
  });
});
