/**
 * Enforces the layering rule of design.md §2 / style.md §3: imports only point down.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Folder → folders it may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  utils: [],
  config: ['utils'],
  backend: ['utils'],
  registry: ['utils', 'config'],
  ops: ['backend', 'utils'],
  nn: ['ops', 'backend', 'registry', 'config', 'utils'],
  structures: ['ops', 'backend', 'utils'],
  engine: ['nn', 'structures', 'registry', 'config', 'backend', 'ops', 'utils'],
  data: ['structures', 'registry', 'config', 'backend', 'utils'],
  models: ['nn', 'ops', 'structures', 'registry', 'config', 'backend', 'utils'],
  evaluation: ['structures', 'registry', 'config', 'utils'],
  apis: ['engine', 'data', 'models', 'evaluation', 'nn', 'ops', 'structures', 'registry', 'config', 'backend', 'utils', '<root>'],
  cli: ['apis', 'engine', 'data', 'models', 'evaluation', 'nn', 'ops', 'structures', 'registry', 'config', 'backend', 'utils', '<root>'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

function folderOf(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? '<root>' : rel[0]!;
}

describe('architecture', () => {
  const files = walk(SRC);
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  it('imports only point down the layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      if (from === '<root>' || from === 'testing') continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)|import\s+['"](\.[^'"]+)['"]/g)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        const target = resolve(dirname(file), spec);
        const to = folderOf(target);
        if (to === from) continue;
        if (to === 'testing') violations.push(`${relative(SRC, file)} imports testing/ (${spec})`);
        else if (!(ALLOWED[from] ?? []).includes(to)) violations.push(`${relative(SRC, file)} (${from}) imports ${to} (${spec})`);
      }
    }
    expect(violations).toEqual([]);
  });
});
