/**
 * `detkit train` device options: tools/train.py's mutually exclusive gpu group and their values are
 * usage errors (exit 2) before anything is built.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

afterEach(() => vi.restoreAllMocks());

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, err };
}

describe('detkit train --gpus / --gpu-ids / --gpu-id', () => {
  it('rejects more than one of the gpu options', async () => {
    const r = await run(['train', 'missing.ts', '--gpus', '2', '--gpu-id', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--gpus and --gpu-id are mutually exclusive');
  });

  it('rejects a device count below 1 and non-integer ids', async () => {
    const a = await run(['train', 'missing.ts', '--gpus', '0']);
    expect(a.code).toBe(2);
    expect(a.err).toContain("--gpus must be a positive integer, got '0'");
    const b = await run(['train', 'missing.ts', '--gpu-ids', '0', 'x']);
    expect(b.code).toBe(2);
    expect(b.err).toContain("--gpu-ids must be a non-negative integer, got 'x'");
  });
});
