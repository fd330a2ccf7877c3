/**
 * @module Port of `mmcv/utils/registry.py` (mmcv 1.7): name → class maps with scoped lookup and `build`.
 *
 * Porting notes:
 * - Components are registered with an explicit string name (`static readonly type`), never `Function.name`.
 * - A class may define `static fromConfig(args, ctx)`; `build` prefers it over `new Cls(args)`
 *   (style.md principle 8). Plain functions are called as `fn(args)`.
 * - Errors follow mmcv's classes (`KeyError`, `TypeError`) but also carry a stable `code`, the config
 *   key path and file of the node being built, and the three nearest registered names for a miss.
 */
import { DetkitError, KeyError, TypeError_ } from '../utils/errors.js';
import { configFileOf, configPathOf } from '../utils/config_meta.js';
import { nearestNames } from '../utils/nearest.js';

/** A registrable component: a class (constructed with one options object) or a factory function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Registrable = ((...args: any[]) => unknown) | (abstract new (...args: any[]) => unknown);

/** Context handed to `fromConfig` and used for error paths. */
export interface BuildContext {
  /** Dotted config key path of the node being built, e.g. `model.backbone`. */
  path?: string | undefined;
  /** Config file the node comes from. */
  file?: string | undefined;
}

/** A config node to build: a plain object with a `type`. */
export interface BuildConfig {
  type?: string | Registrable;
  [key: string]: unknown;
}

/** Options of the `Registry` constructor. */
export interface RegistryOptions {
  /** Parent registry; this registry becomes its child under `scope`. */
  parent?: Registry | undefined;
  /** Scope name (mmcv: the package that made it). Default `'detkit'`. */
  scope?: string | undefined;
}

function isClass(fn: Registrable): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/**
 * A named map of components, as mmcv's `Registry`.
 *
 * @example
 * const BACKBONES = new Registry('backbone');
 * BACKBONES.register('ResNet', ResNet);
 * const net = BACKBONES.build({ type: 'ResNet', depth: 50 });
 */
export class Registry {
  readonly name: string;
  readonly scope: string;
  readonly parent: Registry | undefined;
  readonly children = new Map<string, Registry>();
  private readonly modules = new Map<string, Registrable>();

  constructor(name: string, options: RegistryOptions = {}) {
    this.name = name;
    this.scope = options.scope ?? 'detkit';
    this.parent = options.parent;
    if (this.parent !== undefined) {
      if (this.parent.children.has(this.scope)) {
        throw new DetkitError('REGISTRY_DUPLICATE_SCOPE', `scope ${this.scope} exists in ${this.parent.name} registry`);
      }
      this.parent.children.set(this.scope, this);
    }
  }

  /** Number of registered names. */
  get size(): number {
    return this.modules.size;
  }

  /** Registered names in registration order. */
  keys(): string[] {
    return [...this.modules.keys()];
  }

  /** The name → component map (read-only view). */
  get moduleDict(): ReadonlyMap<string, Registrable> {
    return this.modules;
  }

  /**
   * Registers a component under one or more names.
   * @param name a name or a list of aliases
   * @param module the class or function
   * @param options `force: true` overwrites an existing name
   * @throws KeyError `REGISTRY_DUPLICATE` when a name is taken and `force` is not set
   */
  register<T extends Registrable>(name: string | readonly string[], module: T, options: { force?: boolean } = {}): T {
    if (typeof module !== 'function') {
      throw new TypeError_('REGISTRY_BAD_MODULE', `module must be a class or a function, but got ${typeof module}`);
    }
    const names = typeof name === 'string' ? [name] : name;
    for (const n of names) {
      if (!options.force && this.modules.has(n)) {
        throw new KeyError('REGISTRY_DUPLICATE', `${n} is already registered in ${this.name}`);
      }
      this.modules.set(n, module);
    }
    return module;
  }

  /** Whether `key` resolves (mmcv: `key in registry`). */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Looks a name up as mmcv 1.x does: `scope.name` goes to a child registry (or, for an unknown
   * scope, from the root); an unscoped name is looked up here only.
   */
  get(key: string): Registrable | undefined {
    const dot = key.indexOf('.');
    const scope = dot < 0 ? undefined : key.slice(0, dot);
    const realKey = dot < 0 ? key : key.slice(dot + 1);
    if (scope === undefined || scope === this.scope) return this.modules.get(realKey);
    const child = this.children.get(scope);
    if (child !== undefined) return child.get(realKey);
    // Porting note: mmcv climbs to the root and retries; at the root an unknown scope crashes in
    // mmcv (None parent) — here it resolves to undefined.
    let root: Registry = this;
    while (root.parent !== undefined) root = root.parent;
    if (root === this) return undefined;
    return root.get(key);
  }

  /**
   * Builds a component from a config node, as mmcv's `build_from_cfg`.
   * `defaultArgs` fill keys the config lacks; the config is never mutated.
   * @throws KeyError `REGISTRY_MISSING_TYPE` without a `type`
   * @throws KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown type, with the three nearest names
   * @throws DetkitError `REGISTRY_BUILD_FAILED` wrapping any error thrown by the constructor
   */
  build<T = unknown>(cfg: BuildConfig, defaultArgs?: Record<string, unknown>, ctx: BuildContext = {}): T {
    const path = ctx.path ?? configPathOf(cfg);
    const file = ctx.file ?? configFileOf(cfg);
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
      throw new TypeError_('REGISTRY_BAD_CONFIG', `cfg must be a dict, but got ${Array.isArray(cfg) ? 'list' : typeof cfg}`, { configPath: path, file });
    }
    const args: Record<string, unknown> = { ...cfg };
    for (const [k, v] of Object.entries(defaultArgs ?? {})) if (!(k in args)) args[k] = v;
    const type = args.type;
    delete args.type;
    if (type === undefined) {
      throw new KeyError('REGISTRY_MISSING_TYPE', `\`cfg\` or \`default_args\` must contain the key "type", but got ${JSON.stringify(cfg)}`, {
        configPath: path,
        file,
      });
    }
    let cls: Registrable | undefined;
    let typeName: string;
    if (typeof type === 'string') {
      typeName = type;
      cls = this.get(type);
      if (cls === undefined) {
        const near = nearestNames(type, this.keys());
        const where = path === undefined ? '' : ` (config key ${path}.type${file === undefined ? '' : ` in ${file}`})`;
        throw new KeyError(
          'REGISTRY_TYPE_NOT_FOUND',
          `${type} is not in the ${this.scope}::${this.name} registry${where}. Did you mean ${near.map((n) => `'${n}'`).join(', ')}?`,
          {
            configPath: path === undefined ? 'type' : `${path}.type`,
            file,
            hint: 'check the spelling, or import the module that registers it (custom_imports)',
          },
        );
      }
    } else if (typeof type === 'function') {
      cls = type as Registrable;
      typeName = (type as { type?: string }).type ?? type.name;
    } else {
      throw new TypeError_('REGISTRY_BAD_TYPE', `type must be a str or valid type, but got ${typeof type}`, { configPath: path, file });
    }
    const ctor = cls as Registrable & { fromConfig?: (a: Record<string, unknown>, c: BuildContext) => T };
    try {
      if (typeof ctor.fromConfig === 'function') return ctor.fromConfig(args, { path, file });
      if (isClass(cls)) return new (cls as new (a: Record<string, unknown>) => T)(args);
      return (cls as (a: Record<string, unknown>) => T)(args);
    } catch (err) {
      // Porting note: mmcv re-raises the same class with '<ClassName>: <msg>'; we keep the original as `cause`.
      // An error that already names its config path (a nested build) passes through unchanged.
      if (err instanceof DetkitError && err.configPath !== undefined) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new DetkitError('REGISTRY_BUILD_FAILED', `${typeName}: ${msg}`, { configPath: path, file, cause: err });
    }
  }
}
