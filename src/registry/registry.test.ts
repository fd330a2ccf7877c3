import { describe, expect, it } from 'vitest';
import { Registry } from './registry.js';
import { DetkitError, KeyError, TypeError_ } from '../utils/errors.js';
import { attachConfigMeta } from '../utils/config_meta.js';

class ResNet {
  static readonly type = 'ResNet';
  constructor(readonly args: Record<string, unknown>) {
    if ('depht' in args) throw new Error("unexpected keyword argument 'depht'");
  }
}

describe('Registry (engine-spec §7.9)', () => {
  it('rejects a duplicate name, replaces with force, registers aliases', () => {
    const r = new Registry('backbone');
    r.register('ResNet', ResNet);
    expect(() => r.register('ResNet', ResNet)).toThrow(/ResNet is already registered in backbone/);
    expect(() => r.register('ResNet', ResNet)).toThrow(KeyError);
    class Other {}
    r.register('ResNet', Other, { force: true });
    expect(r.get('ResNet')).toBe(Other);
    r.register(['Siamese', 'Siamese2'], ResNet);
    expect(r.get('Siamese')).toBe(ResNet);
    expect(r.get('Siamese2')).toBe(ResNet);
    expect(() => r.register('x', 3 as never)).toThrow(TypeError_);
  });

  it('builds with default args filling only missing keys, and takes a class as type', () => {
    const r = new Registry('backbone');
    r.register('ResNet', ResNet);
    const a = r.build<ResNet>({ type: 'ResNet', depth: 50 }, { depth: 18, stages: 3 });
    expect(a.args).toEqual({ depth: 50, stages: 3 });
    expect(r.build<ResNet>({ type: ResNet, depth: 18 }).args).toEqual({ depth: 18 });
    expect(r.build<ResNet>({ depth: 18 }, { type: 'ResNet' }).args).toEqual({ depth: 18 });
  });

  it('names a missing type, an unknown type with nearest names and config path, and wraps constructor errors', () => {
    const r = new Registry('models', { scope: 'mmdet' });
    for (const n of ['RetinaNet', 'FasterRCNN', 'MaskRCNN', 'FCOS', 'ATSS']) r.register(n, class {});
    r.register('ResNet', ResNet);
    expect(() => r.build({ depth: 50 })).toThrow(/must contain the key "type"/);
    const cfg = attachConfigMeta({ type: 'RetinaNey' }, { path: 'model', file: 'configs/x.ts' });
    let err: unknown;
    try {
      r.build(cfg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeyError);
    const e = err as KeyError;
    expect(e.code).toBe('REGISTRY_TYPE_NOT_FOUND');
    expect(e.message).toMatch(/RetinaNey is not in the mmdet::models registry/);
    expect(e.message).toMatch(/Did you mean 'RetinaNet'/);
    expect(e.configPath).toBe('model.type');
    expect(e.file).toBe('configs/x.ts');
    try {
      r.build({ type: 'ResNet', depht: 50 });
    } catch (e2) {
      err = e2;
    }
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as Error).message).toMatch(/^ResNet: /);
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(() => r.build([] as never)).toThrow(TypeError_);
  });

  it('resolves scoped names as mmcv 1.x (test_multi_scope_registry)', () => {
    const DOGS = new Registry('dogs', { scope: 'test_registry' });
    const HOUNDS = new Registry('hounds', { parent: DOGS, scope: 'hound' });
    const LITTLE = new Registry('little hounds', { parent: HOUNDS, scope: 'little_hound' });
    const MID = new Registry('mid hounds', { parent: HOUNDS, scope: 'mid_hound' });
    class GoldenRetriever {}
    class BloodHound {}
    class Dachshund {}
    class Beagle {}
    DOGS.register('GoldenRetriever', GoldenRetriever);
    HOUNDS.register('BloodHound', BloodHound);
    LITTLE.register('Dachshund', Dachshund);
    MID.register('Beagle', Beagle);
    expect(DOGS.get('hound.BloodHound')).toBe(BloodHound);
    expect(DOGS.get('hound.little_hound.Dachshund')).toBe(Dachshund);
    expect(LITTLE.get('hound.mid_hound.Beagle')).toBe(Beagle);
    expect(MID.get('hound.Dachshund')).toBeUndefined();
    expect(HOUNDS.get('GoldenRetriever')).toBeUndefined();
    expect(() => new Registry('dup', { parent: DOGS, scope: 'hound' })).toThrow(/scope hound exists/);
  });
});
