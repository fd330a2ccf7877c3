import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Config, baseRef } from './config.js';
import { parseCfgOptions } from './dict_action.js';
import { ConfigParseError, OSError_ } from './errors.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import { DetkitError, FileNotFoundError, KeyError, TypeError_ } from '../utils/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'detkit-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to `dir/name` and returns the absolute path. */
function put(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** Runs `fn` and returns what it threw. */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

// Expected values: engine-spec §7.8 items 44-50 (mmcv tests test_merge_from_base,
// test_merge_from_dict, test_pretty_text, delete.py, t.py ...), rewritten in JSON/YAML/TS.
describe('Config.fromFile', () => {
  const baseText = '{"item1": [1, 2], "item2": {"a": 0}, "item3": true, "item4": "test"}\n';
  const base = put('base.json', baseText);
  const dText = '{"_base_": "./base.json", "item1": [2, 3], "item2": {"a": 1}, "item3": false, "item4": "test_base"}\n';
  const d = put('d.json', dText);

  it('merges a single base and records both sources in text (item 44)', async () => {
    const cfg = await Config.fromFile(d);
    expect(cfg.toDict()).toEqual({ item1: [2, 3], item2: { a: 1 }, item3: false, item4: 'test_base' });
    expect(cfg.text).toBe(`${base}\n${baseText}\n${d}\n${dText}`);
    expect(cfg.filename).toBe(d);
  });

  it('merges dicts, replaces lists, honours _delete_ (item 45)', async () => {
    const child = put(
      'e.yaml',
      '_base_: ./base.json\nitem1: {a: 0, _delete_: true}\nitem2: {b: 0}\nitem5: [7]\n',
    );
    const cfg = await Config.fromFile(child);
    expect(cfg.toDict()).toEqual({ item1: { a: 0 }, item2: { a: 0, b: 0 }, item3: true, item4: 'test', item5: [7] });
    expect(cfg.keys()).toEqual(['item1', 'item2', 'item3', 'item4', 'item5']);
    const bad = put('e_bad.yaml', '_base_: ./base.json\nitem3: {a: 1}\n');
    const err = (await thrown(() => Config.fromFile(bad))) as TypeError_;
    expect(err).toBeInstanceOf(TypeError_);
    expect(err.code).toBe('CONFIG_MERGE_TYPE');
    expect(err.configPath).toBe('item3');
    expect(err.file).toBe(bad);
    expect(err.message).toBe(
      "item3={'a': 1} in child config cannot inherit from base because item3 is a dict in the child config but is of type <class 'bool'> in base config. You may set `_delete_=True` to ignore the base config.",
    );
  });

  it('substitutes {{_base_.x}} in data files, whole values only (item 47)', async () => {
    put('tb.yaml', 'item2: {a: 0}\nitem7: {a: 0, b: {c: [3.1, 4.2, 5.3]}}\nname: base\n');
    const t = put(
      't.yaml',
      "_base_: ./tb.yaml\nitem8: '{{fileBasename}}'\nitem9: {{ _base_.item2 }}\nitem10: {{_base_.item7.b.c}}\nitem11: [{{_base_.name}}, x]\n",
    );
    const cfg = await Config.fromFile(t);
    expect(cfg.get('item8')).toBe('t.yaml');
    expect(cfg.get('item9')).toEqual({ a: 0 });
    expect(cfg.get('item10')).toEqual([3.1, 4.2, 5.3]);
    expect(cfg.get('item11')).toEqual(['base', 'x']);
    // a copy, not the base node itself
    expect(cfg.get('item9')).not.toBe(cfg.get('item2'));
  });

  it('reports a {{_base_.x}} that names a missing key', async () => {
    const t = put('t_missing.yaml', '_base_: ./tb.yaml\nx: {{_base_.item7.nope}}\n');
    const err = (await thrown(() => Config.fromFile(t))) as KeyError;
    expect(err).toBeInstanceOf(KeyError);
    expect(err.code).toBe('CONFIG_BASE_VAR_NOT_FOUND');
    expect(err.message).toContain("'nope'");
  });

  it('loads .ts configs: _base_, baseRef / "{{_base_.x}}" strings, intermediate variables (item 47)', async () => {
    put(
      'i_base.ts',
      'const item_cfg = { b: 1 };\nexport default { item_cfg, item5: { cfg: item_cfg }, model: { neck: { type: "FPN", num_outs: 5 } } };\n',
    );
    const child = put(
      'i_child.mts',
      [
        "const item_cfg: { b: number } = { b: 2 };",
        "export default {",
        "  _base_: './i_base.ts',",
        '  item_cfg,',
        '  item6: { cfg: item_cfg },',
        `  neck_copy: '${baseRef('model.neck')}',`,
        "  outs: '{{ _base_.model.neck.num_outs }}',",
        "  embedded: 'x{{_base_.item5}}',",
        "  here: '{{ fileBasenameNoExtension }}{{fileExtname}}',",
        '};',
      ].join('\n'),
    );
    const cfg = await Config.fromFile(child);
    expect(cfg.get('item5')).toEqual({ cfg: { b: 1 } });
    expect(cfg.get('item6')).toEqual({ cfg: { b: 2 } });
    expect(cfg.get('neck_copy')).toEqual({ type: 'FPN', num_outs: 5 });
    expect(cfg.get('outs')).toBe(5);
    expect(cfg.get('embedded')).toBe('x{{_base_.item5}}');
    expect(cfg.get('here')).toBe('i_child.mts');
  });

  it('reports a missing .ts default export and syntax errors', async () => {
    const noDefault = put('nodefault.ts', 'export const a = 1;\n');
    expect(((await thrown(() => Config.fromFile(noDefault))) as DetkitError).code).toBe('CONFIG_NOT_A_DICT');
    const broken = put('broken.ts', 'export default { a: 1,, };\n');
    const err = (await thrown(() => Config.fromFile(broken))) as ConfigParseError;
    expect(err).toBeInstanceOf(ConfigParseError);
    expect(err.pythonType).toBe('SyntaxError');
    expect(err.message).toContain(`There are syntax errors in config file ${broken} (line 1, column 22)`);
    expect([err.line, err.column]).toEqual([1, 22]);
  });

  it('substitutes predefined variables, or leaves them when disabled', async () => {
    const p = put('sub/vars.yaml', "a: '{{ fileDirname }}/work'\nb: '{{fileBasename}}'\nc: '{{ fileBasenameNoExtension }}'\nd: '{{fileExtname}}'\n");
    const cfg = await Config.fromFile(p);
    expect(cfg.toDict()).toEqual({ a: `${join(dir, 'sub')}/work`, b: 'vars.yaml', c: 'vars', d: '.yaml' });
    const raw = await Config.fromFile(p, { usePredefinedVariables: false });
    expect(raw.get('a')).toBe('{{ fileDirname }}/work');
  });

  it('raises mmcv errors for a missing file, a missing base, an unknown format and reserved keys (item 50)', async () => {
    const missing = (await thrown(() => Config.fromFile(join(dir, 'nope.json')))) as FileNotFoundError;
    expect(missing).toBeInstanceOf(FileNotFoundError);
    expect(missing.code).toBe('CONFIG_FILE_NOT_FOUND');
    expect(missing.message).toBe(`file "${join(dir, 'nope.json')}" does not exist`);
    const child = put('missing_base.json', '{"_base_": ["./base.json", "./gone.yaml"]}');
    const e2 = (await thrown(() => Config.fromFile(child))) as FileNotFoundError;
    expect(e2.code).toBe('CONFIG_BASE_NOT_FOUND');
    expect(e2.message).toBe(`file "${join(dir, 'gone.yaml')}" does not exist`);
    const txt = put('cfg.txt', 'a=1');
    const e3 = (await thrown(() => Config.fromFile(txt))) as OSError_;
    expect(e3.pythonType).toBe('OSError');
    expect(e3.code).toBe('CONFIG_UNSUPPORTED_FORMAT');
    const reserved = put('reserved.json', '{"filename": 1}');
    const e4 = (await thrown(() => Config.fromFile(reserved))) as KeyError;
    expect(e4.pythonType).toBe('KeyError');
    expect(e4.code).toBe('CONFIG_RESERVED_KEY');
    expect(e4.message).toBe('filename is reserved for config file');
    expect(() => new Config({ pretty_text: 1 })).toThrow('pretty_text is reserved for config file');
    expect(() => new Config([] as unknown as object)).toThrow("cfg_dict must be a dict, but got <class 'list'>");
  });

  it('reports duplicate keys among bases', async () => {
    put('b1.json', '{"x": 1, "y": 2}');
    put('b2.yaml', 'y: 3\nz: 4\n');
    const child = put('dup.json', '{"_base_": ["b1.json", "b2.yaml"]}');
    const err = (await thrown(() => Config.fromFile(child))) as KeyError;
    expect(err.code).toBe('CONFIG_DUPLICATE_BASE_KEY');
    expect(err.message).toBe("Duplicate key is not allowed among bases. Duplicate keys: {'y'}");
  });

  it('stops a _base_ cycle with a clear error', async () => {
    put('cyc_a.yaml', '_base_: cyc_b.json\na: 1\n');
    put('cyc_b.json', '{"_base_": "cyc_a.yaml", "b": 2}');
    const err = (await thrown(() => Config.fromFile(join(dir, 'cyc_a.yaml')))) as DetkitError;
    expect(err.code).toBe('CONFIG_BASE_CYCLE');
    expect(err.message).toContain(`${join(dir, 'cyc_a.yaml')} -> ${join(dir, 'cyc_b.json')} -> ${join(dir, 'cyc_a.yaml')}`);
  });

  it('reports a code config that throws while evaluated', async () => {
    const p = put('throws.ts', "throw new Error('boom');\nexport default {};\n");
    const err = (await thrown(() => Config.fromFile(p))) as DetkitError;
    expect(err.code).toBe('CONFIG_EVAL');
    expect(err.message).toContain('boom');
  });

  it('names file and line of malformed YAML in a base', async () => {
    const bad = put('bad_base.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
    const child = put('uses_bad.json', '{"_base_": "bad_base.yaml"}');
    const err = (await thrown(() => Config.fromFile(child))) as ConfigParseError;
    expect(err).toBeInstanceOf(ConfigParseError);
    expect(err.file).toBe(bad);
    expect(err.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toContain(`${bad}, line ${err.line}, column`);
  });

  it('tags every dict and array with its dotted path and source file', async () => {
    put('m_base.yaml', 'data:\n  train:\n    pipeline: [{type: A}, {type: B}, {type: C, scale: [1, 2]}]\n  val: {x: 1}\n');
    const child = put('m_child.json', '{"_base_": "m_base.yaml", "data": {"train": {"type": "Coco"}}}');
    const cfg = await Config.fromFile(child);
    const data = cfg.dict.data!;
    const pipeline = (data.train as { pipeline: object[] }).pipeline;
    expect(configPathOf(pipeline[2])).toBe('data.train.pipeline[2]');
    expect(configPathOf((pipeline[2] as { scale: number[] }).scale)).toBe('data.train.pipeline[2].scale');
    expect(configFileOf(pipeline)).toBe(join(dir, 'm_base.yaml'));
    expect(configFileOf(data.val)).toBe(join(dir, 'm_base.yaml'));
    expect(configFileOf(data.train)).toBe(child);
    cfg.mergeFromDict({ 'data.extra.items': [{ a: 1 }] });
    expect(configPathOf((cfg.dict.data!['extra'] as { items: object[] }).items[0])).toBe('data.extra.items[0]');
  });
});

describe('custom_imports', () => {
  const hits = (): number => (globalThis as { __detkitPluginHits?: number }).__detkitPluginHits ?? 0;

  it('imports the listed modules, relative to the config that lists them', async () => {
    put('plugins/plugin.mjs', 'globalThis.__detkitPluginHits = (globalThis.__detkitPluginHits ?? 0) + 1;\nexport const name = "plugin";\n');
    put('plugins/base_with_imports.yaml', "custom_imports: {imports: ['./plugin.mjs'], allow_failed_imports: false}\n");
    const child = put('uses_plugin.json', '{"_base_": "plugins/base_with_imports.yaml", "x": 1}');
    const before = hits();
    await Config.fromFile(child);
    expect(hits()).toBe(before + 1);
    await Config.fromFile(child, { importCustomModules: false });
    expect(hits()).toBe(before + 1);
  });

  it('raises ImportError unless failures are allowed, TypeError for a malformed value', async () => {
    const bad = put('bad_import.json', '{"custom_imports": {"imports": "./missing_plugin.mjs"}}');
    const err = (await thrown(() => Config.fromFile(bad))) as DetkitError;
    expect(err.pythonType).toBe('ImportError');
    expect(err.code).toBe('CONFIG_CUSTOM_IMPORT');
    expect(err.configPath).toBe('custom_imports.imports[0]');
    const allowed = put('allowed_import.json', '{"custom_imports": {"imports": ["./missing_plugin.mjs"], "allow_failed_imports": true}}');
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await expect(Config.fromFile(allowed)).resolves.toBeInstanceOf(Config);
    expect(warn).toHaveBeenCalledWith('./missing_plugin.mjs failed to import and is ignored.', 'UserWarning');
    warn.mockRestore();
    const wrong = put('wrong_import.json', '{"custom_imports": {"imports": 5}}');
    const e2 = (await thrown(() => Config.fromFile(wrong))) as DetkitError;
    expect(e2.pythonType).toBe('TypeError');
    expect(e2.message).toBe("custom_imports must be a list but got type <class 'int'>");
  });
});

describe('Config.mergeFromDict (item 48)', () => {
  it('merges dotted keys', () => {
    const cfg = new Config({ item1: [1, 2], item2: { a: 0 }, item3: true });
    cfg.mergeFromDict({ 'item2.a': 1, 'item2.b': 0.1, item3: false });
    expect(cfg.toDict()).toEqual({ item1: [1, 2], item2: { a: 1, b: 0.1 }, item3: false });
  });

  it('indexes lists with digit keys', () => {
    const cfg = new Config({ item: [{ a: 0 }, { b: 0, c: 0 }] });
    cfg.mergeFromDict({ 'item.0.a': 1, 'item.1.b': 1 });
    expect(cfg.toDict()).toEqual({ item: [{ a: 1 }, { b: 1, c: 0 }] });
  });

  it('raises TypeError for list keys when allowListKeys is false', () => {
    const cfg = new Config({ item: [{ a: 0 }, { b: 0, c: 0 }] });
    const run = (): void => cfg.mergeFromDict({ 'item.0.a': 1 }, { allowListKeys: false });
    expect(run).toThrow(TypeError_);
    expect(run).toThrow("item={'0': {'a': 1}} in child config cannot inherit from base because item is a dict in the child config but is of type <class 'list'> in base config.");
  });

  it('raises KeyError for an index past the end, with mmcv message', () => {
    const cfg = new Config({ item: [{ a: 0 }, { b: 0, c: 0 }] });
    let err: unknown;
    try {
      cfg.mergeFromDict({ 'item.2.a': 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).code).toBe('CONFIG_INDEX_OUT_OF_RANGE');
    expect((err as KeyError).configPath).toBe('item[2]');
    expect((err as KeyError).message).toBe("Index 2 exceeds the length of list [{'a': 0}, {'b': 0, 'c': 0}]");
    expect(cfg.toDict()).toEqual({ item: [{ a: 0 }, { b: 0, c: 0 }] });
  });

  it('takes parsed --cfg-options, replacing a list element value inside a pipeline', () => {
    const cfg = new Config({ data: { train: { pipeline: [{ type: 'Load' }, { type: 'Resize', img_scale: [1333, 800] }] } } });
    cfg.mergeFromDict(parseCfgOptions(['data.train.pipeline.1.img_scale=(640,480)', 'data.samples_per_gpu=4']));
    expect(cfg.toDict()).toEqual({
      data: { train: { pipeline: [{ type: 'Load' }, { type: 'Resize', img_scale: [640, 480] }] }, samples_per_gpu: 4 },
    });
  });

  it('reports options that put a value where a later option needs a dict, as Python does', () => {
    const cfg = new Config({ a: 1 });
    expect(() => cfg.mergeFromDict(parseCfgOptions(['p.q=x', 'p.q.r=1']))).toThrow("'str' object does not support item assignment");
    expect(() => cfg.mergeFromDict(parseCfgOptions(['p.q=1.', 'p.q.r.s=1']))).toThrow("'float' object has no attribute 'setdefault'");
    expect(() => cfg.mergeFromDict(parseCfgOptions(['p=[1]', 'p.r=1']))).toThrow('list indices must be integers or slices, not str');
  });

  it('prints tuples from --cfg-options as tuples in merge errors', () => {
    const cfg = new Config({ lr: 0.5 });
    expect(() => cfg.mergeFromDict(parseCfgOptions(['lr.x=(a,b)']))).toThrow(
      "lr={'x': ('a', 'b')} in child config cannot inherit from base because lr is a dict in the child config but is of type <class 'float'> in base config.",
    );
    cfg.mergeFromDict(parseCfgOptions(['scale=(1333,800)']));
    expect(cfg.prettyText).toContain('scale = (1333, 800)\n');
    expect(cfg.toDict()).toEqual({ lr: 0.5, scale: [1333, 800] });
  });

  it('does not mutate the source dicts', () => {
    const src = { a: { b: 1 } };
    const cfg = new Config(src);
    cfg.mergeFromDict({ 'a.b': 2 });
    expect(src).toEqual({ a: { b: 1 } });
  });
});

describe('Config access, dump and pretty text', () => {
  const sample = {
    model: { type: 'RetinaNet', backbone: { type: 'ResNet', depth: 50, out_indices: [0, 1, 2, 3], norm_cfg: { type: 'BN', requires_grad: true } } },
    workflow: [['train', 1]],
    load_from: null,
    lr: 0.0001,
    odd: { 'a-b': 1, "it's": 'x' },
    strings: ['yes', '010', '1e-3', "q'uote", 'multi\nline'],
    pipeline: [{ type: 'LoadImageFromFile' }, { type: 'Resize', img_scale: [1333, 800], keep_ratio: true }],
  };

  it('get/has/set and missing keys (item 50)', () => {
    const cfg = new Config(sample);
    expect(cfg.has('model')).toBe(true);
    expect(cfg.get('load_from')).toBe(null);
    expect(cfg.get('nope', 3)).toBe(3);
    expect(() => cfg.get('nope')).toThrow(KeyError);
    cfg.set('work_dir', 'runs/x');
    expect(cfg.size).toBe(8);
    expect(String(cfg)).toMatch(/^Config \(path: None\): \{'model': \{'type': 'RetinaNet'/);
  });

  it.each(['json', 'yaml', 'yml', 'ts', 'js', 'mjs'])('dump to .%s loads back to the same dict', async (ext) => {
    const cfg = new Config(sample);
    const file = join(dir, `dumped_${ext}.${ext}`);
    cfg.dump(file);
    const back = await Config.fromFile(file);
    expect(back.toDict()).toEqual(sample);
    expect(back.keys()).toEqual(Object.keys(sample));
    expect(back.dump()).toBe(readFileSync(file, 'utf8'));
  });

  it('pretty text is mmcv-style Python and stable', () => {
    const text = new Config(sample).prettyText;
    expect(text).toBe(new Config(sample).prettyText);
    expect(text).toContain("model = dict(\n    type='RetinaNet',\n    backbone=dict(\n");
    expect(text).toContain("norm_cfg=dict(type='BN', requires_grad=True)");
    expect(text).toContain("workflow = [['train', 1]]\nload_from = None\nlr = 0.0001\n");
    expect(text).toContain("odd = {'a-b': 1, \"it's\": 'x'}");
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(79);
    expect(new Config(sample).dump()).toBe(text);
  });

  const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
  it.skipIf(!python)('pretty text evaluates in Python to the same dict (mmcv round trip)', () => {
    const file = put('pretty.py', new Config(sample).prettyText);
    const script = `import json\nns = {}\nexec(open(${JSON.stringify(file)}).read(), ns)\nns.pop('__builtins__')\nprint(json.dumps(ns))`;
    const out = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual(sample);
  });

  it('fromString goes through a temporary file', async () => {
    const cfg = await Config.fromString('a: yes\nb: [1, 2]\n', '.yaml');
    expect(cfg.toDict()).toEqual({ a: true, b: [1, 2] });
    await expect(Config.fromString('a=1', '.txt')).rejects.toThrow(OSError_);
  });
});

describe('Python floats with integral values (1.0) in messages and pretty text', () => {
  it('a dict merged into a float base value names <class \'float\'>, child value printed as mmcv does', async () => {
    put('fb.json', '{"loss_cls": {"type": "FocalLoss", "gamma": 2.0, "alpha": 0.25}}');
    const child = put('fb_child.json', '{"_base_": "fb.json", "loss_cls": {"gamma": {"value": 1.0, "n": 1}}}');
    const err = (await thrown(() => Config.fromFile(child))) as TypeError_;
    expect(err.message).toBe(
      "gamma={'value': 1.0, 'n': 1} in child config cannot inherit from base because gamma is a dict in the child config but is of type <class 'float'> in base config. You may set `_delete_=True` to ignore the base config.",
    );
    put('fb.yaml', 'w: {loss_weight: 1.0, n: 3}\n');
    const y = put('fb_child.yaml', '_base_: fb.yaml\nw: {loss_weight: {a: 2.}}\n');
    expect(((await thrown(() => Config.fromFile(y))) as Error).message).toBe(
      "loss_weight={'a': 2.0} in child config cannot inherit from base because loss_weight is a dict in the child config but is of type <class 'float'> in base config. You may set `_delete_=True` to ignore the base config.",
    );
  });

  it('index errors print the list with its floats', async () => {
    const f = put('fl.json', '{"item": [{"a": 1.0, "b": [0.0, 1e3, 5]}]}');
    const cfg = await Config.fromFile(f);
    expect(() => cfg.mergeFromDict({ 'item.1.a': 0 })).toThrow("Index 1 exceeds the length of list [{'a': 1.0, 'b': [0.0, 1000.0, 5]}]");
  });

  it('a scalar merged into a list element is an AttributeError, as in mmcv', () => {
    const cfg = new Config({ workflow: [['train', 1]] });
    let err: unknown;
    try {
      cfg.mergeFromDict(parseCfgOptions(['workflow.0.1=2']));
    } catch (e) {
      err = e;
    }
    expect((err as DetkitError).pythonType).toBe('AttributeError');
    expect((err as DetkitError).message).toBe("'int' object has no attribute 'copy'");
  });

  it('--cfg-options floats, base references and YAML dumps keep float-ness', async () => {
    put('fv.yaml', 'w: 2.0\nlst: [1.0, 2]\n');
    const child = put('fv_child.yaml', '_base_: fv.yaml\nx: {{_base_.w}}\ny: [{{_base_.w}}, 3]\n');
    const cfg = await Config.fromFile(child);
    cfg.mergeFromDict(parseCfgOptions(['lr=1.', 'k=[1.,2]', 'o.p=3.0']));
    const text = cfg.prettyText;
    expect(text).toContain('w = 2.0\n');
    expect(text).toContain('lst = [1.0, 2]\n');
    expect(text).toContain('x = 2.0\n');
    expect(text).toContain('y = [2.0, 3]\n');
    expect(text).toContain('lr = 1.0\n');
    expect(text).toContain('k = [1.0, 2]\n');
    expect(text).toContain('o = dict(p=3.0)\n');
    const yaml = cfg.dumpAs('.yaml');
    expect(yaml).toContain('w: 2.0\n');
    expect(yaml).toContain('lr: 1.0\n');
    const back = await Config.fromString(yaml, '.yaml');
    expect(back.prettyText).toBe(text);
  });
});
