/**
 * @module Non-enumerable metadata attached to config nodes: their dotted key path and source file.
 *
 * The config loader attaches it to every object and array it produces; builders read it so
 * every build or validation error can name the config key path (style.md principle 10).
 */

const PATH = Symbol.for('detkit.config.path');
const FILE = Symbol.for('detkit.config.file');

/** Where a config node came from. */
export interface ConfigMeta {
  /** Dotted key path in zod's `toDotPath` style, e.g. `data.train.pipeline[2]`. */
  path?: string | undefined;
  /** The config file that defined the node (after merging: the top-level file). */
  file?: string | undefined;
}

/**
 * Attaches path/file metadata to an object without making it enumerable.
 * @returns the same object
 */
export function attachConfigMeta<T extends object>(node: T, meta: ConfigMeta): T {
  if (meta.path !== undefined) Object.defineProperty(node, PATH, { value: meta.path, enumerable: false, configurable: true, writable: true });
  if (meta.file !== undefined) Object.defineProperty(node, FILE, { value: meta.file, enumerable: false, configurable: true, writable: true });
  return node;
}

/** The dotted key path of a config node, if known. */
export function configPathOf(node: unknown): string | undefined {
  return typeof node === 'object' && node !== null ? ((node as Record<symbol, string | undefined>)[PATH]) : undefined;
}

/** The file a config node came from, if known. */
export function configFileOf(node: unknown): string | undefined {
  return typeof node === 'object' && node !== null ? ((node as Record<symbol, string | undefined>)[FILE]) : undefined;
}

/**
 * Joins a parent path and a key the way zod's `toDotPath` does: `a.b`, `a[0]`, `a["odd key"]`.
 * @param parent the parent path ('' for the root)
 * @param key an object key or array index
 */
export function joinConfigPath(parent: string | undefined, key: string | number): string {
  if (typeof key === 'number') return `${parent ?? ''}[${key}]`;
  const plain = /^[A-Za-z_$][\w$]*$/.test(key);
  if (parent === undefined || parent === '') return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
