import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { Config } from '../../config/index.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const GOLDEN = join(resolve(REPO_ROOT, '../shared/golden'), 'config');
const tmp = mkdtempSync(join(tmpdir(), 'detkit-print-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI in-process, capturing stdout/stderr. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}
afterEach(() => vi.restoreAllMocks());

describe('detkit print-config', () => {
  it('prints exactly one JSON document equal to mmcv\'s merged config (bin/detkit.mjs)', () => {
    const file = join(GOLDEN, 'cases/c02_list_bases.yaml');
    const res = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin/detkit.mjs'), 'print-config', file, '--format', 'json', '--cfg-options', 'model.bbox_head.num_classes=3', 'data.train.pipeline=[]', '--cfg-options', 'workflow=[(train,2)]'],
      { encoding: 'utf8', cwd: REPO_ROOT },
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const got = JSON.parse(res.stdout) as Record<string, any>;
    // gold = mmcv's to_dict() of c02 without options; apply the three options by hand.
    const want = JSON.parse(readFileSync(join(GOLDEN, 'gold/c02_list_bases.json'), 'utf8')) as Record<string, any>;
    want['model'].bbox_head.num_classes = 3;
    want['data'].train.pipeline = [];
    want['workflow'] = [['train', 2]];
    expect(got).toEqual(want);
  });

  it('prints mmdet\'s "Config:" header and pretty text by default, and saves with --save-path', async () => {
    const save = join(tmp, 'whole.yaml');
    const res = await run(['print-config', join(GOLDEN, 'cases/c01_single_base.json'), '--save-path', save]);
    expect(res.code).toBe(0);
    expect(res.out.startsWith("Config:\nmodel = dict(\n    type='RetinaNet',\n")).toBe(true);
    const saved = await Config.fromFile(save);
    const gold = JSON.parse(readFileSync(join(GOLDEN, 'gold/c01_single_base.json'), 'utf8')) as unknown;
    expect(saved.toDict()).toEqual(gold);
  });

  it('prints a loadable .ts module with --format ts', async () => {
    const res = await run(['print-config', join(GOLDEN, 'cases/c04_delete_dict.json'), '--format', 'ts']);
    expect(res.code).toBe(0);
    const back = await Config.fromString(res.out, '.ts');
    expect(back.toDict()).toEqual(JSON.parse(readFileSync(join(GOLDEN, 'gold/c04_delete_dict.json'), 'utf8')));
  });

  it('exits 2 on usage errors and 1 on config errors, printing code: message', async () => {
    const noFile = await run(['print-config']);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain('CLI_USAGE: missing config file');
    const swallowed = await run(['print-config', '--cfg-options', 'a=1', join(GOLDEN, 'cases/c01_single_base.json')]);
    expect(swallowed.code).toBe(2);
    expect(swallowed.err).toContain('put CONFIG before --cfg-options');
    const badOpt = await run(['print-config', join(GOLDEN, 'cases/c01_single_base.json'), '--cfg-options', 'model.x']);
    expect(badOpt.code).toBe(2);
    const badFormat = await run(['print-config', join(GOLDEN, 'cases/c01_single_base.json'), '--format', 'xml']);
    expect(badFormat.code).toBe(2);
    const merge = await run(['print-config', join(GOLDEN, 'cases/errors/e03_dict_into_int.json')]);
    expect(merge.code).toBe(1);
    expect(merge.out).toBe('');
    expect(merge.err).toContain("CONFIG_MERGE_TYPE: opencv_num_threads={'value': 2} in child config cannot inherit from base");
    const index = await run(['print-config', join(GOLDEN, 'cases/c02_list_bases.yaml'), '--cfg-options', 'workflow.3.0=val']);
    expect(index.code).toBe(1);
    expect(index.err).toContain("CONFIG_INDEX_OUT_OF_RANGE: Index 3 exceeds the length of list [['train', 1]]");
  });
});
