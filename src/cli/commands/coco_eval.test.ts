import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const CASE = path.resolve(repoRoot, '../shared/golden/coco/case02_ties_dups');
const gold = JSON.parse(readFileSync(path.join(CASE, '../gold.json'), 'utf8')) as { cases: Record<string, { stats: number[]; summary: string[] }> };

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  return { out: () => out, err: () => err };
}

describe('detkit coco-eval', () => {
  afterEach(() => vi.restoreAllMocks());
  it("prints pycocotools' 12 summary lines", async () => {
    const c = capture();
    expect(await main(['coco-eval', path.join(CASE, 'gt.json'), path.join(CASE, 'dt.json')])).toBe(0);
    expect(c.out()).toBe(`${gold.cases.case02_ties_dups!.summary.join('\n')}\n`);
  });
  it('--json prints one document with the 12 stats', async () => {
    const c = capture();
    expect(await main(['coco-eval', path.join(CASE, 'gt.json'), path.join(CASE, 'dt.json'), '--json', '--classwise'])).toBe(0);
    const doc = JSON.parse(c.out()) as { stats: number[]; classwise: unknown[] };
    doc.stats.forEach((s, i) => expect(s).toBeCloseTo(gold.cases.case02_ties_dups!.stats[i]!, 12));
    expect(doc.classwise).toHaveLength(3);
  });
  it('a bad --iou-type is a usage error (exit 2); a missing file exits 1 naming it', async () => {
    const c = capture();
    expect(await main(['coco-eval', 'a.json', 'b.json', '--iou-type', 'keypoints'])).toBe(2);
    expect(c.err()).toContain('CLI_USAGE: --iou-type must be bbox or segm');
    expect(await main(['coco-eval', path.join(CASE, 'gt.json'), '/nonexistent/dt.json'])).toBe(1);
    expect(c.err()).toContain('FILE_NOT_FOUND: No such file: /nonexistent/dt.json');
  });
});
