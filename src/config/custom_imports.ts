/**
 * @module Port of `import_modules_from_strings` (`mmcv/utils/misc.py` @ v1.7.2) as
 * `Config.fromfile` uses it: `custom_imports = {imports: [...], allow_failed_imports: false}`
 * imports user modules so that their registrations run before anything is built (the answer to
 * "X is not in the models registry").
 *
 * Porting note: entries are ES module specifiers instead of Python dotted names. A relative
 * path (`./my_head.ts`) is resolved against the config file that defines `custom_imports`;
 * anything else is imported as a package name or absolute path. Modules are imported natively,
 * so they share registries with the running detkit.
 */
import { isAbsolute, resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DetkitError, TypeError_ } from '../utils/errors.js';
import { configFileOf } from '../utils/config_meta.js';
import { isPlainDict } from './merge.js';
import { pyRepr, pyTypeRepr } from './py_repr.js';

/** Parity with Python's `ImportError`. */
export class ImportError_ extends DetkitError {
  override get pythonType(): string {
    return 'ImportError';
  }
}

/**
 * Imports the modules listed by a config's `custom_imports` (no-op when absent or empty).
 * @param customImports the `custom_imports` value: `{imports: string | string[], allow_failed_imports?: boolean}`
 * @param fallbackFile the config file to resolve relative paths against when the node has no file tag
 * @returns the imported module namespaces (`null` for failures allowed by `allow_failed_imports`)
 * @throws TypeError_ `CONFIG_CUSTOM_IMPORTS_TYPE` for a malformed `custom_imports`
 * @throws ImportError_ `CONFIG_CUSTOM_IMPORT` when a module cannot be imported
 */
export async function importCustomModules(customImports: unknown, fallbackFile?: string): Promise<unknown[]> {
  if (customImports === undefined || customImports === null) return [];
  if (!isPlainDict(customImports)) {
    throw new TypeError_('CONFIG_CUSTOM_IMPORTS_TYPE', `custom_imports must be a dict with "imports", but got ${pyTypeRepr(customImports)}`, {
      configPath: 'custom_imports',
      file: fallbackFile,
    });
  }
  const { imports, allow_failed_imports: allowFailed = false, ...rest } = customImports;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) {
    throw new TypeError_('CONFIG_CUSTOM_IMPORTS_TYPE', `import_modules_from_strings() got an unexpected keyword argument '${unknownKeys[0]}'`, {
      configPath: `custom_imports.${unknownKeys[0]}`,
      file: fallbackFile,
    });
  }
  if (imports === undefined || imports === null || imports === '' || (Array.isArray(imports) && imports.length === 0)) return [];
  const list = typeof imports === 'string' ? [imports] : imports;
  if (!Array.isArray(list)) {
    throw new TypeError_('CONFIG_CUSTOM_IMPORTS_TYPE', `custom_imports must be a list but got type ${pyTypeRepr(imports)}`, {
      configPath: 'custom_imports.imports',
      file: fallbackFile,
    });
  }
  const baseFile = configFileOf(customImports) ?? fallbackFile;
  const out: unknown[] = [];
  for (const [i, imp] of list.entries()) {
    if (typeof imp !== 'string') {
      throw new TypeError_('CONFIG_CUSTOM_IMPORTS_TYPE', `${pyRepr(imp)} is of type ${pyTypeRepr(imp)} and cannot be imported.`, {
        configPath: `custom_imports.imports[${i}]`,
        file: baseFile,
      });
    }
    const spec =
      imp.startsWith('./') || imp.startsWith('../')
        ? pathToFileURL(resolve(baseFile === undefined ? process.cwd() : dirname(baseFile), imp)).href
        : isAbsolute(imp)
          ? pathToFileURL(imp).href
          : imp;
    try {
      out.push(await import(spec));
    } catch (err) {
      if (allowFailed === true) {
        process.emitWarning(`${imp} failed to import and is ignored.`, 'UserWarning');
        out.push(null);
        continue;
      }
      throw new ImportError_('CONFIG_CUSTOM_IMPORT', `custom_imports: cannot import '${imp}': ${(err as Error).message}`, {
        configPath: `custom_imports.imports[${i}]`,
        file: baseFile,
        cause: err,
        hint: 'relative paths are resolved against the config file that lists them; set allow_failed_imports: true to ignore failures',
      });
    }
  }
  return out;
}
