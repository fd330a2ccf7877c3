/**
 * @module Port of `Config` in `mmcv/utils/config.py` @ v1.7.2: loads a config file with its
 * `_base_` chain, merges `--cfg-options`, dumps and pretty-prints it.
 *
 * Formats: `.ts/.mts/.js/.mjs` are ES modules with `export default {...}`, loaded with jiti — they
 * are code and run when loaded, as mmcv's `.py` configs are; `.json/.yaml/.yml` are data (YAML
 * read as PyYAML reads YAML 1.1).
 *
 * Porting notes:
 * - In code configs a base value is referenced by a string whose whole value is
 *   `'{{_base_.a.b}}'` (or `baseRef('a.b')`); mmcv's unquoted text form works in data files.
 *   Predefined variables (`{{ fileDirname }}`, ...) are replaced inside the strings of code
 *   configs, and in the raw text of data files (mmcv replaces raw text everywhere).
 * - `custom_imports` entries are ES module specifiers (see `custom_imports.ts`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createJiti, type Jiti } from 'jiti';
import { DetkitError, FileNotFoundError, KeyError, TypeError_ } from '../utils/errors.js';
import { importCustomModules } from './custom_imports.js';
import { ConfigParseError, OSError_ } from './errors.js';
import { dumpYaml, loadJson, loadYaml } from './file_handlers.js';
import { isFloatAt, markFloat } from './py_marks.js';
import { attachTree, deepCopy, expandDottedKeys, isPlainDict, mergeAIntoB, substituteBaseVars, type ConfigNode } from './merge.js';
import { prettyText, tsModuleText } from './pretty_text.js';
import { pyRepr, pySetRepr, pyTypeRepr } from './py_repr.js';
import type { DetConfig, FromFileOptions, MergeFromDictOptions } from './types.js';

const BASE_KEY = '_base_';
const DEPRECATION_KEY = '_deprecation_';
/** Top-level keys a config may not define (mmcv `RESERVED_KEYS`). */
export const RESERVED_KEYS: readonly string[] = ['filename', 'text', 'pretty_text'];
const CODE_EXTS = ['.ts', '.mts', '.js', '.mjs'];
const DATA_EXTS = ['.json', '.yaml', '.yml'];
const BASE_VAR_RE = /\{\{\s*_base_\.([\w.]+)\s*\}\}/g;
const WHOLE_BASE_VAR_RE = /^\{\{\s*_base_\.([\w.]+)\s*\}\}$/;

/**
 * A reference to a base config value for `.ts/.js` configs (mmcv's `{{_base_.a.b}}`): the
 * whole value is replaced by a copy of the merged bases' `a.b`.
 * @example export default { _base_: '../_base_/models/retinanet_r50_fpn.ts', neck_copy: baseRef('model.neck') };
 */
export function baseRef(path: string): string {
  return `{{_base_.${path}}}`;
}

/** Result of loading one file of the `_base_` chain. */
interface Loaded {
  dict: ConfigNode;
  text: string;
}

let jitiInstance: Jiti | undefined;
function jiti(): Jiti {
  // moduleCache off: a config edited on disk is re-read on the next load.
  jitiInstance ??= createJiti(import.meta.url, { moduleCache: false, fsCache: false });
  return jitiInstance;
}

/** The values of mmcv's predefined variables for `filename`, backslashes turned into `/`. */
function predefinedVars(filename: string): Record<string, string> {
  const base = basename(filename);
  const ext = extname(filename);
  const vars = { fileDirname: dirname(filename), fileBasename: base, fileBasenameNoExtension: base.slice(0, base.length - ext.length), fileExtname: ext };
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replace(/\\/g, '/')]));
}

/** Replaces `{{ name }}` for every predefined variable in `text`. */
function substitutePredefined(text: string, filename: string): string {
  let out = text;
  for (const [k, v] of Object.entries(predefinedVars(filename))) out = out.replace(new RegExp(`\\{\\{\\s*${k}\\s*\\}\\}`, 'g'), () => v);
  return out;
}

/** Applies `fn` to every string in config data (copying containers). */
function mapStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn));
  if (isPlainDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, fn)]));
  return v;
}

/** Evaluates a code config and returns its default export. */
async function loadCodeConfig(filename: string): Promise<unknown> {
  let mod: { default?: unknown };
  try {
    mod = await jiti().import<{ default?: unknown }>(filename);
  } catch (err) {
    const e = err as Error & { loc?: { line: number; column: number } };
    // jiti reports transform errors as `ParseError: <what>\n <file>:<line>:<col>`.
    const at = /:(\d+):(\d+)\s*$/.exec(e.message);
    const loc = e.loc !== undefined ? { line: e.loc.line, column: e.loc.column + 1 } : at !== null ? { line: Number(at[1]), column: Number(at[2]) } : undefined;
    if (e instanceof SyntaxError || e.name === 'SyntaxError' || /^(?:ParseError|SyntaxError)\b/.test(e.message)) {
      const what = e.message.split('\n')[0]!.trim();
      const where = loc === undefined ? '' : ` (line ${loc.line}, column ${loc.column})`;
      throw new ConfigParseError(`There are syntax errors in config file ${filename}${where}: ${what}`, 'SyntaxError', {
        file: filename,
        cause: err,
        ...(loc ?? {}),
      });
    }
    throw new DetkitError('CONFIG_EVAL', `config file ${filename} threw while being evaluated: ${e.message}`, { file: filename, cause: err });
  }
  if (!('default' in mod)) {
    throw new TypeError_('CONFIG_NOT_A_DICT', `config file ${filename} has no default export`, {
      file: filename,
      hint: 'write the config as `export default { ... }`',
    });
  }
  return mod.default;
}

/**
 * mmcv `Config._file2dict`: loads `filename` and its bases, merging bases first.
 * @param role whether the file is the entry point or a base (for the error code)
 * @param chain the files that (transitively) named this one as a base, to stop cycles
 */
async function file2dict(filename0: string, usePredefined: boolean, role: 'entry' | 'base', chain: readonly string[] = []): Promise<Loaded> {
  const filename = resolve(filename0.startsWith('~') ? join(homedir(), filename0.slice(1)) : filename0);
  if (chain.includes(filename)) {
    // Porting note: mmcv recurses until Python's RecursionError.
    throw new DetkitError('CONFIG_BASE_CYCLE', `config files name each other as _base_: ${[...chain, filename].join(' -> ')}`, {
      file: chain[chain.length - 1],
      configPath: BASE_KEY,
    });
  }
  if (!existsSync(filename)) {
    throw new FileNotFoundError(role === 'base' ? 'CONFIG_BASE_NOT_FOUND' : 'CONFIG_FILE_NOT_FOUND', `file "${filename}" does not exist`, {
      file: filename,
    });
  }
  const ext = extname(filename);
  if (!CODE_EXTS.includes(ext) && !DATA_EXTS.includes(ext)) {
    throw new OSError_('CONFIG_UNSUPPORTED_FORMAT', 'Only ts/mts/js/mjs/yml/yaml/json type are supported now!', { file: filename });
  }
  const raw = readFileSync(filename, 'utf8');
  let loaded: unknown;
  let refOf: (s: string) => string | undefined;
  if (CODE_EXTS.includes(ext)) {
    loaded = await loadCodeConfig(filename);
    if (usePredefined) loaded = mapStrings(loaded, (s) => substitutePredefined(s, filename));
    refOf = (s) => WHOLE_BASE_VAR_RE.exec(s)?.[1];
  } else {
    let text = usePredefined ? substitutePredefined(raw, filename) : raw;
    // mmcv `_pre_substitute_base_vars`: each `{{_base_.x}}` becomes a quoted placeholder string.
    const placeholders = new Map<string, string>();
    for (const name of new Set([...text.matchAll(BASE_VAR_RE)].map((m) => m[1]!))) {
      const placeholder = `_${name}_${randomBytes(3).toString('hex')}`;
      placeholders.set(placeholder, name);
      const escaped = name.replace(/\./g, '\\.');
      text = text.replace(new RegExp(`\\{\\{\\s*_base_\\.${escaped}\\s*\\}\\}`, 'g'), () => `"${placeholder}"`);
    }
    loaded = ext === '.json' ? loadJson(text, filename) : loadYaml(text, filename);
    refOf = (s) => placeholders.get(s);
  }
  if (!isPlainDict(loaded)) {
    throw new TypeError_('CONFIG_NOT_A_DICT', `config file ${filename} must define a dict at the top level, but got ${pyTypeRepr(loaded)}`, {
      file: filename,
    });
  }
  let dict = deepCopy(loaded);
  attachTree(dict, filename);

  if (Object.hasOwn(dict, DEPRECATION_KEY)) {
    const info = dict[DEPRECATION_KEY];
    delete dict[DEPRECATION_KEY];
    let msg = `The config file ${filename} will be deprecated in the future.`;
    if (isPlainDict(info) && info['expected'] !== undefined) msg += ` Please use ${String(info['expected'])} instead.`;
    if (isPlainDict(info) && info['reference'] !== undefined) msg += ` More information can be found at ${String(info['reference'])}`;
    process.emitWarning(msg, 'DeprecationWarning');
  }

  let text = `${filename}\n${raw}`;
  if (Object.hasOwn(dict, BASE_KEY)) {
    const spec = dict[BASE_KEY];
    delete dict[BASE_KEY];
    const bases = Array.isArray(spec) ? spec : [spec];
    if (!bases.every((b): b is string => typeof b === 'string')) {
      throw new TypeError_('CONFIG_BASE_TYPE', `_base_ must be a file path or a list of file paths, but got ${pyRepr(spec)}`, {
        file: filename,
        configPath: BASE_KEY,
      });
    }
    const baseDict: ConfigNode = {};
    const texts: string[] = [];
    for (const b of bases) {
      const sub = await file2dict(resolve(dirname(filename), b), usePredefined, 'base', [...chain, filename]);
      const dup = Object.keys(sub.dict).filter((k) => Object.hasOwn(baseDict, k));
      if (dup.length > 0) {
        throw new KeyError('CONFIG_DUPLICATE_BASE_KEY', `Duplicate key is not allowed among bases. Duplicate keys: ${pySetRepr(dup)}`, {
          file: filename,
          configPath: dup[0],
          hint: `define ${dup.join(', ')} in only one of the files listed in _base_`,
        });
      }
      for (const [k, v] of Object.entries(sub.dict)) {
        baseDict[k] = v;
        markFloat(baseDict, k, isFloatAt(sub.dict, k));
      }
      texts.push(sub.text);
    }
    const child = substituteBaseVars(dict, refOf, baseDict, filename) as ConfigNode;
    dict = mergeAIntoB(child, baseDict, false, '', filename) as ConfigNode;
    attachTree(dict, filename);
    text = [...texts, text].join('\n');
  }
  return { dict, text };
}

/** Plain copy of config data without node metadata. */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (isPlainDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}

/**
 * A loaded config: the merged dict plus its file name and source text (mmcv `Config`).
 * Every dict and array in it carries its dotted path and source file
 * (`configPathOf`/`configFileOf` from `utils/config_meta`).
 *
 * @example
 * const cfg = await Config.fromFile('configs/retinanet/retinanet_r50_fpn_1x_coco.ts');
 * cfg.mergeFromDict(parseCfgOptions(['model.bbox_head.num_classes=3']));
 * cfg.dict.model?.['bbox_head']; // { type: 'RetinaHead', num_classes: 3, ... }
 */
export class Config<T extends object = DetConfig> {
  #dict: ConfigNode;
  readonly #filename: string | undefined;
  readonly #text: string;

  /**
   * @param cfgDict the config data (copied)
   * @param options `text` (source text) and `filename`
   * @throws TypeError_ `CONFIG_NOT_A_DICT` if `cfgDict` is not a plain object
   * @throws KeyError `CONFIG_RESERVED_KEY` for a top-level `filename`, `text` or `pretty_text`
   */
  constructor(cfgDict: object = {}, options: { text?: string; filename?: string } = {}) {
    if (!isPlainDict(cfgDict)) {
      throw new TypeError_('CONFIG_NOT_A_DICT', `cfg_dict must be a dict, but got ${pyTypeRepr(cfgDict)}`, { file: options.filename });
    }
    for (const key of Object.keys(cfgDict)) {
      if (RESERVED_KEYS.includes(key)) {
        throw new KeyError('CONFIG_RESERVED_KEY', `${key} is reserved for config file`, { file: options.filename, configPath: key });
      }
    }
    this.#filename = options.filename;
    this.#text = options.text ?? (options.filename !== undefined && existsSync(options.filename) ? readFileSync(options.filename, 'utf8') : '');
    this.#dict = deepCopy(cfgDict);
    attachTree(this.#dict, this.#filename);
  }

  /**
   * Loads a config file and its `_base_` chain (mmcv `Config.fromfile`).
   * @param filename `.ts/.mts/.js/.mjs/.json/.yaml/.yml`
   * @param options `usePredefinedVariables` (default true), `importCustomModules` (default true:
   *   import the modules listed in `custom_imports`, as mmcv does)
   * @throws FileNotFoundError `CONFIG_FILE_NOT_FOUND` / `CONFIG_BASE_NOT_FOUND`
   * @throws KeyError `CONFIG_DUPLICATE_BASE_KEY`, `CONFIG_RESERVED_KEY`, `CONFIG_BASE_VAR_NOT_FOUND`
   * @throws TypeError_ `CONFIG_MERGE_TYPE`, `CONFIG_NOT_A_DICT`
   * @throws ConfigParseError `CONFIG_PARSE` (with file, line and column)
   * @throws ImportError_ `CONFIG_CUSTOM_IMPORT` when a `custom_imports` module fails
   */
  static async fromFile<T extends object = DetConfig>(filename: string, options: FromFileOptions = {}): Promise<Config<T>> {
    const { dict, text } = await file2dict(filename, options.usePredefinedVariables ?? true, 'entry');
    const cfg = new Config<T>(dict, { text, filename: resolve(filename) });
    if (options.importCustomModules ?? true) await importCustomModules(cfg.get('custom_imports', undefined), cfg.filename);
    return cfg;
  }

  /**
   * Loads a config from source text (mmcv `Config.fromstring`) through a temporary file.
   * @param text the file content
   * @param fileFormat `.ts`, `.js`, `.json`, `.yaml`, ...
   */
  static async fromString<T extends object = DetConfig>(text: string, fileFormat: string): Promise<Config<T>> {
    if (!CODE_EXTS.includes(fileFormat) && !DATA_EXTS.includes(fileFormat)) {
      throw new OSError_('CONFIG_UNSUPPORTED_FORMAT', 'Only ts/mts/js/mjs/yml/yaml/json type are supported now!');
    }
    const dir = mkdtempSync(join(tmpdir(), 'detkit-config-'));
    try {
      const file = join(dir, `config${fileFormat}`);
      writeFileSync(file, text);
      return await Config.fromFile<T>(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Absolute path of the loaded file, if any. */
  get filename(): string | undefined {
    return this.#filename;
  }

  /** The sources: for each file of the chain (bases first) its path, a newline and its text. */
  get text(): string {
    return this.#text;
  }

  /** The live config dict (nodes tagged with their paths). Prefer {@link toDict} for a copy. */
  get dict(): T {
    return this.#dict as T;
  }

  /** The config as Python source, as mmcv's `pretty_text` (what `print-config` shows). */
  get prettyText(): string {
    return prettyText(this.#dict);
  }

  /** Number of top-level keys. */
  get size(): number {
    return Object.keys(this.#dict).length;
  }

  /** Top-level keys in order. */
  keys(): string[] {
    return Object.keys(this.#dict);
  }

  /** Whether the top level has `key`. */
  has(key: string): boolean {
    return Object.hasOwn(this.#dict, key);
  }

  /**
   * A top-level value. Without a default, a missing key throws (mmcv `cfg['x']`).
   * @throws KeyError `CONFIG_KEY_NOT_FOUND`
   */
  get<K extends keyof T & string>(key: K): T[K];
  get(key: string, defaultValue: unknown): unknown;
  get(key: string, ...rest: unknown[]): unknown {
    if (Object.hasOwn(this.#dict, key)) return this.#dict[key];
    if (rest.length > 0) return rest[0];
    throw new KeyError('CONFIG_KEY_NOT_FOUND', `'${key}'`, { configPath: key, file: this.#filename });
  }

  /** Sets a top-level value (copied and tagged with its path). */
  set(key: string, value: unknown): void {
    this.#dict[key] = deepCopy(value);
    attachTree(this.#dict, this.#filename);
  }

  /**
   * Merges dotted-key options into the config (mmcv `merge_from_dict`), e.g. the output of
   * `parseCfgOptions`: `{'model.backbone.depth': 101, 'data.train.pipeline.1.flip_ratio': 0}`.
   * @param options dotted key → value
   * @param opts `allowListKeys` (default true): digit parts index into lists
   * @throws KeyError `CONFIG_INDEX_OUT_OF_RANGE`; TypeError_ `CONFIG_MERGE_TYPE`
   */
  mergeFromDict(options: Readonly<Record<string, unknown>>, opts: MergeFromDictOptions = {}): void {
    const expanded = expandDottedKeys(options);
    this.#dict = mergeAIntoB(expanded, this.#dict, opts.allowListKeys ?? true, '', this.#filename) as ConfigNode;
    attachTree(this.#dict, this.#filename);
  }

  /** A plain deep copy of the config data (key order kept: base keys first, then new child keys). */
  toDict(): T {
    return toPlain(this.#dict) as T;
  }

  /**
   * Writes the config to `file` in the format of its extension (`.json`, `.yaml/.yml`,
   * `.ts/.mts/.js/.mjs` as a loadable `export default {...}` module, `.py` as mmcv's pretty
   * text), or returns the text when no file is given (format of {@link filename}; pretty text
   * when there is none).
   * @throws OSError_ `CONFIG_UNSUPPORTED_FORMAT`; TypeError_ `CONFIG_DUMP_UNSUPPORTED`
   */
  dump(file?: string): string | undefined {
    if (file === undefined) {
      return this.#filename === undefined ? this.prettyText : this.dumpAs(extname(this.#filename));
    }
    writeFileSync(file, this.dumpAs(extname(file)));
    return undefined;
  }

  /**
   * The config as text in the format of a file extension.
   * @param format `.json`, `.yaml`/`.yml`, `.ts`/`.mts`/`.js`/`.mjs` (an `export default` module) or `.py` (pretty text); the dot is optional
   * @throws OSError_ `CONFIG_UNSUPPORTED_FORMAT`; TypeError_ `CONFIG_DUMP_UNSUPPORTED`
   */
  dumpAs(format: string): string {
    const ext = format.startsWith('.') ? format : `.${format}`;
    const data = this.#dict;
    if (ext === '.json') return `${JSON.stringify(data, null, 2)}\n`;
    if (ext === '.yaml' || ext === '.yml') return dumpYaml(data);
    if (CODE_EXTS.includes(ext)) return tsModuleText(data);
    if (ext === '.py') return prettyText(data);
    throw new OSError_('CONFIG_UNSUPPORTED_FORMAT', `cannot dump a config as "${ext}": use .ts, .js, .json, .yaml, .yml or .py`);
  }

  /** mmcv's `repr`: `Config (path: <filename>): {...}`. */
  toString(): string {
    return `Config (path: ${this.#filename ?? 'None'}): ${pyRepr(this.#dict)}`;
  }
}
