/**
 * Every method config under `configs/` builds its detector from the registries (mmdet
 * `build_detector(cfg.model)`), and names the right class and parameter names.
 * Two-stage detectors (FasterRCNN, MaskRCNN) are not implemented yet: their configs are listed
 * explicitly and must fail with the registry's "not in the registry" error, so the list is kept
 * honest as they land.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/index.js';
import { initBackend } from '../src/backend/index.js';
import '../src/register_all.js';
import { DETECTORS } from '../src/registry/root.js';
import type { BaseDetector } from '../src/models/detectors/base.js';

const CONFIGS = resolve(import.meta.dirname, '../configs');
const NOT_YET = new Set<string>([]);

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return f === '_base_' ? [] : walk(p);
      return /\.(ts|js|json|ya?ml)$/.test(f) ? [p] : [];
    });
}

const methodConfigs = walk(CONFIGS).map((f) => relative(CONFIGS, f));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('every method config builds its detector', () => {
  it.each(methodConfigs)('%s', async (rel) => {
    const cfg = (await Config.fromFile(join(CONFIGS, rel))).toDict() as { model: { type: string; bbox_head?: { num_classes?: number } } };
    if (NOT_YET.has(rel)) {
      expect(() => DETECTORS.build(cfg.model, undefined, { path: 'model' })).toThrow(/is not in the mmdet::models registry/);
      return;
    }
    const model = DETECTORS.build<BaseDetector>(cfg.model, undefined, { path: 'model' });
    try {
      expect((model.constructor as unknown as { type: string }).type).toBe(cfg.model.type);
      const keys = [...model.stateDict().keys()];
      expect(keys).toContain('backbone.conv1.weight');
      expect(keys.some((k) => k.startsWith('neck.fpn_convs.0.'))).toBe(true);
      expect(keys.some((k) => k.startsWith('bbox_head.') || k.startsWith('roi_head.bbox_head.'))).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
