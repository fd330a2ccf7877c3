import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectEnv, versionOf } from './env.js';

const installed = (pkg: string) => (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;

describe('collectEnv', () => {
  it('reports the installed version of a package whose exports map hides package.json (sharp)', () => {
    expect(versionOf('sharp')).toBe(installed('sharp'));
    expect(collectEnv().sharp).toBe(installed('sharp'));
  });

  it('reports scoped packages and says when a package is missing', () => {
    expect(versionOf('@tensorflow/tfjs-core')).toBe(installed('@tensorflow/tfjs-core'));
    expect(versionOf('no-such-package-detkit')).toBe('not installed');
  });
});
