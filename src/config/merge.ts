/**
 * @module Port of `Config._merge_a_into_b` and `Config._substitute_base_vars` in
 * `mmcv/utils/config.py` @ v1.7.2, plus the helpers that keep config nodes plain and tagged
 * with their dotted path and source file.
 *
 * Merge rules (mmcv): dicts merge key by key, recursively; everything else (lists included)
 * replaces; a child dict with `_delete_: true` replaces the base dict; a child dict over a
 * non-dict base value is a TypeError unless `_delete_` is set. The merge never mutates its inputs.
 */
import { KeyError, TypeError_ } from '../utils/errors.js';
import { attachConfigMeta, configFileOf, joinConfigPath } from '../utils/config_meta.js';
import { AttributeError_ } from './errors.js';
import { copyPyMarks, isFloatAt, isTuple, markFloat, orderedEntries, recordKeyOrder } from './py_marks.js';
import { pyRepr, pyTypeName, pyTypeRepr } from './py_repr.js';

/** A config dict node: a plain object (mmcv `ConfigDict`). */
export type ConfigNode = Record<string, unknown>;

/** The key mmcv reads to replace instead of merge. */
export const DELETE_KEY = '_delete_';

/** Whether `v` is a config dict (a plain object, not an array, function or class instance). */
export function isPlainDict(v: unknown): v is ConfigNode {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Deep copy of config data: plain objects and arrays are copied (keeping each node's source
 * file tag), everything else is shared.
 */
export function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return copyMeta(v, v.map(deepCopy)) as T;
  if (isPlainDict(v)) {
    const out: ConfigNode = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return copyMeta(v, out) as T;
  }
  return v;
}

/** Copies the source-file tag and float marks of `from` onto `to`. */
function copyMeta<T extends object>(from: object, to: T): T {
  copyPyMarks(from, to);
  const file = configFileOf(from);
  return file === undefined ? to : attachConfigMeta(to, { file });
}

/**
 * Tags every dict and array under `node` with its dotted path (`data.train.pipeline[2]`) and,
 * where it has none yet, the file `file`.
 * @param node the root node (tagged with path `root`)
 * @param file the file to record on nodes that do not know theirs
 * @param root the path of `node` itself ('' for the top level)
 */
export function attachTree(node: unknown, file: string | undefined, root = ''): void {
  if (Array.isArray(node)) {
    attachConfigMeta(node, { path: root, file: configFileOf(node) ?? file });
    node.forEach((x, i) => attachTree(x, file, joinConfigPath(root, i)));
  } else if (isPlainDict(node)) {
    attachConfigMeta(node, { path: root, file: configFileOf(node) ?? file });
    for (const [k, x] of Object.entries(node)) attachTree(x, file, joinConfigPath(root, k));
  }
}

/**
 * Merges child `a` into base `b` as mmcv's `Config._merge_a_into_b` (non-destructive: `b` is
 * copied at every level that changes).
 * @param a the child dict (its `_delete_` keys are consumed on copies, never on `a` itself)
 * @param b the base dict, or a list when `allowListKeys` and `a` has digit keys
 * @param allowListKeys let digit keys of `a` index into lists of `b` (merge_from_dict)
 * @param path dotted path of `b` for error messages
 * @param file file named in error messages
 * @throws TypeError_ `CONFIG_MERGE_TYPE` when a child dict meets a non-dict base value
 * @throws KeyError `CONFIG_INDEX_OUT_OF_RANGE` when a list index is past the end
 */
export function mergeAIntoB(a: unknown, b: unknown, allowListKeys = false, path = '', file?: string, aIsFloat = false, bIsFloat = false): unknown {
  if (!isPlainDict(b) && !(Array.isArray(b) && !isTuple(b))) {
    throw new AttributeError_('CONFIG_MERGE_ATTRIBUTE', `'${pyTypeName(b, bIsFloat)}' object has no attribute 'copy'`, { configPath: path, file });
  }
  if (!isPlainDict(a)) {
    throw new AttributeError_('CONFIG_MERGE_ATTRIBUTE', `'${pyTypeName(a, aIsFloat)}' object has no attribute 'items'`, { configPath: path, file });
  }
  // A merged node is recorded as coming from the file that did the merge.
  const out: ConfigNode | unknown[] = Array.isArray(b) ? [...b] : { ...b };
  copyPyMarks(b, out);
  const outFile = file ?? configFileOf(b);
  if (outFile !== undefined) attachConfigMeta(out, { file: outFile });
  for (const [key, v0] of orderedEntries(a)) {
    if (allowListKeys && /^\d+$/.test(key) && Array.isArray(out)) {
      const k = Number(key);
      const where = joinConfigPath(path, k);
      if (out.length <= k) {
        throw new KeyError('CONFIG_INDEX_OUT_OF_RANGE', `Index ${k} exceeds the length of list ${pyRepr(out)}`, { configPath: where, file });
      }
      out[k] = mergeAIntoB(v0, out[k], allowListKeys, where, file, isFloatAt(a, key), isFloatAt(out, k));
      markFloat(out, k, false);
      continue;
    }
    if (Array.isArray(out)) {
      // Python: `list[str] = ...` raises before anything else can happen.
      throw new TypeError_('CONFIG_LIST_INDEX_TYPE', 'list indices must be integers or slices, not str', {
        configPath: joinConfigPath(path, key),
        file,
      });
    }
    const where = joinConfigPath(path, key);
    if (isPlainDict(v0)) {
      const v = copyMeta(v0, { ...v0 });
      // Porting note: as in mmcv, `_delete_` is only consumed when the key exists in the base,
      // so a stray `_delete_: true` on a new key survives in the result.
      if (Object.hasOwn(out, key) && !popDelete(v)) {
        const base = out[key];
        const allowed = isPlainDict(base) || (allowListKeys && Array.isArray(base) && !isTuple(base));
        if (!allowed) {
          throw new TypeError_(
            'CONFIG_MERGE_TYPE',
            `${key}=${pyRepr(v)} in child config cannot inherit from base because ${key} is a dict in the child config ` +
              `but is of type ${pyTypeRepr(base, isFloatAt(out, key))} in base config. You may set \`${DELETE_KEY}=True\` to ignore the base config.`,
            { configPath: where, file, hint: `add "${DELETE_KEY}": true to the child's ${where} to replace the base value` },
          );
        }
        out[key] = mergeAIntoB(v, base, allowListKeys, where, file);
      } else {
        out[key] = v;
      }
      markFloat(out, key, false);
    } else {
      out[key] = v0;
      markFloat(out, key, isFloatAt(a, key));
    }
  }
  return out;
}

/** Python's `v.pop('_delete_', False)` followed by a truthiness test. */
function popDelete(v: ConfigNode): boolean {
  if (!Object.hasOwn(v, DELETE_KEY)) return false;
  const flag = v[DELETE_KEY];
  delete v[DELETE_KEY];
  return pyTruthy(flag);
}

/** Python truthiness of a config value. */
function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || Number.isNaN(v)) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainDict(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Replaces every value that is a `{{_base_.x.y}}` reference by a deep copy of the base value
 * (mmcv `_substitute_base_vars`: only whole values are references).
 * @param cfg the child config data
 * @param refOf returns the dotted base path a string refers to, or undefined
 * @param base the union of the base configs
 * @param file file named in error messages
 * @throws KeyError `CONFIG_BASE_VAR_NOT_FOUND` when the path is missing in the base
 */
export function substituteBaseVars(cfg: unknown, refOf: (s: string) => string | undefined, base: ConfigNode, file?: string): unknown {
  if (typeof cfg === 'string') {
    const ref = refOf(cfg);
    return ref === undefined ? cfg : deepCopy(lookupBase(base, ref, file).value);
  }
  if (Array.isArray(cfg) || isPlainDict(cfg)) {
    const out: ConfigNode | unknown[] = copyMeta(cfg, Array.isArray(cfg) ? [...cfg] : { ...cfg });
    for (const [k, x] of Object.entries(cfg)) {
      const ref = typeof x === 'string' ? refOf(x) : undefined;
      if (ref !== undefined) {
        const found = lookupBase(base, ref, file);
        (out as ConfigNode)[k] = deepCopy(found.value);
        markFloat(out, k, found.isFloat);
      } else {
        (out as ConfigNode)[k] = substituteBaseVars(x, refOf, base, file);
      }
    }
    return out;
  }
  return cfg;
}

/** Walks `a.b.c` through the base dicts; `isFloat` tells whether the value was written as a float. */
function lookupBase(base: ConfigNode, ref: string, file: string | undefined): { value: unknown; isFloat: boolean } {
  let cur: unknown = base;
  let isFloat = false;
  for (const part of ref.split('.')) {
    if (!isPlainDict(cur) || !Object.hasOwn(cur, part)) {
      throw new KeyError('CONFIG_BASE_VAR_NOT_FOUND', `{{_base_.${ref}}} refers to a key missing in the base configs: '${part}'`, {
        configPath: ref,
        file,
      });
    }
    isFloat = isFloatAt(cur, part);
    cur = cur[part];
  }
  return { value: cur, isFloat };
}

/**
 * Expands dotted keys (`{'a.b.c': 1}`) into nested dicts (`{a: {b: {c: 1}}}`), as mmcv's
 * `merge_from_dict` does before merging.
 */
export function expandDottedKeys(options: Readonly<Record<string, unknown>>): ConfigNode {
  const root: ConfigNode = {};
  for (const [fullKey, v] of Object.entries(options)) {
    const keys = fullKey.split('.');
    const last = keys[keys.length - 1]!;
    let d: unknown = root;
    let dIsFloat = false;
    for (const sub of keys.slice(0, -1)) {
      if (!isPlainDict(d)) {
        // Python: `d.setdefault(...)` where an earlier option put a plain value.
        throw new AttributeError_('CONFIG_OPTION_SYNTAX', `'${pyTypeName(d, dIsFloat)}' object has no attribute 'setdefault'`, { configPath: fullKey });
      }
      if (!Object.hasOwn(d, sub)) d[sub] = {};
      recordKeyOrder(d, sub);
      dIsFloat = isFloatAt(d, sub);
      d = d[sub];
    }
    if (!isPlainDict(d)) {
      const msg = Array.isArray(d) && !isTuple(d) ? 'list indices must be integers or slices, not str' : `'${pyTypeName(d, dIsFloat)}' object does not support item assignment`;
      throw new TypeError_('CONFIG_OPTION_SYNTAX', msg, { configPath: fullKey });
    }
    d[last] = v;
    recordKeyOrder(d, last);
    markFloat(d, last, isFloatAt(options, fullKey));
  }
  return root;
}
