import { describe, expect, it } from 'vitest';
import { Config } from './config.js';
import { replaceCfgVals } from './replace_cfg_vals.js';
import { AssertionError_, KeyError } from '../utils/errors.js';

// Expected values worked out by hand from mmdet 2.28's `replace_cfg_vals` (Python str() of values).
describe('replaceCfgVals', () => {
  it('replaces whole-value and embedded ${key} references from the original config', () => {
    const cfg = new Config({
      data_root: 'data/voc/',
      num_classes: 20,
      ratio: 0.5,
      scale: [1333, 800],
      model: { bbox_head: { num_classes: '${num_classes}' } },
      data: { train: { ann_file: '${data_root}train.json', img_scale: '${scale}', note: '${num_classes}x${ratio}-${flag}' } },
      flag: true,
      nothing: null,
      msg: 'n=${nothing}',
    } as object);
    const out = replaceCfgVals(cfg).toDict() as Record<string, any>;
    expect(out['model'].bbox_head.num_classes).toBe(20);
    expect(out['data'].train).toEqual({ ann_file: 'data/voc/train.json', img_scale: [1333, 800], note: '20x0.5-True' });
    expect(out['msg']).toBe('n=None');
    // the input is left alone
    expect((cfg.dict as any).model.bbox_head.num_classes).toBe('${num_classes}');
  });

  it('uses model_wrapper as the model', () => {
    const out = replaceCfgVals(new Config({ model: { type: 'A' }, model_wrapper: { type: 'B', inner: '${model}' }, x: 1 })).toDict();
    expect(out).toEqual({ model: { type: 'B', inner: { type: 'A' } }, x: 1 });
    expect(Object.keys(out)).toEqual(['model', 'x']);
  });

  it('rejects a dict or list inside a longer string, and missing keys', () => {
    expect(() => replaceCfgVals(new Config({ a: [1], b: 'x${a}' }))).toThrow(AssertionError_);
    expect(() => replaceCfgVals(new Config({ a: [1], b: 'x${a}' }))).toThrow("the type of the value of '$${a}' can not be dict, list, or tuplebut you input <class 'list'> in x${a}");
    expect(() => replaceCfgVals(new Config({ b: '${a.c}' }))).toThrow(KeyError);
  });
});
