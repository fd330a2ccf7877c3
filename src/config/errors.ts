/**
 * @module Config-specific parity errors that `src/utils/errors.ts` does not declare: Python's
 * `AttributeError`, `OSError`, and the parse errors of the loaders (`SyntaxError`,
 * `json.JSONDecodeError`, `yaml.YAMLError`).
 *
 * Error codes raised by the config system (all stable), with the Python class mmcv raises:
 * - FileNotFoundError: `CONFIG_FILE_NOT_FOUND`, `CONFIG_BASE_NOT_FOUND`
 * - OSError: `CONFIG_UNSUPPORTED_FORMAT`
 * - SyntaxError / JSONDecodeError / YAMLError: `CONFIG_PARSE`
 * - TypeError: `CONFIG_NOT_A_DICT`, `CONFIG_BASE_TYPE`, `CONFIG_MERGE_TYPE`, `CONFIG_LIST_INDEX_TYPE`,
 *   `CONFIG_CUSTOM_IMPORTS_TYPE`, `CONFIG_DUMP_UNSUPPORTED`, `CONFIG_OPTION_SYNTAX` (item assignment)
 * - KeyError: `CONFIG_DUPLICATE_BASE_KEY`, `CONFIG_RESERVED_KEY`, `CONFIG_INDEX_OUT_OF_RANGE`,
 *   `CONFIG_BASE_VAR_NOT_FOUND`, `CONFIG_KEY_NOT_FOUND`
 * - AttributeError: `CONFIG_MERGE_ATTRIBUTE`, `CONFIG_OPTION_SYNTAX` (setdefault on a value)
 * - ValueError: `CONFIG_OPTION_SYNTAX` (no `=`), `CONFIG_OPTION_BRACKETS` (nesting mmcv loops on)
 * - AssertionError: `CONFIG_OPTION_BRACKETS` (unbalanced), `CONFIG_CFG_VAL_TYPE`
 * - ImportError: `CONFIG_CUSTOM_IMPORT`
 * - no Python counterpart: `CONFIG_EVAL` (a code config threw), `CONFIG_BASE_CYCLE`
 */
import { DetkitError, type DetkitErrorOptions } from '../utils/errors.js';

/** Parity with Python's `AttributeError` (e.g. merging a scalar into a list element). */
export class AttributeError_ extends DetkitError {
  override get pythonType(): string {
    return 'AttributeError';
  }
}

/** Parity with Python's `OSError` (mmcv: `Only py/yml/yaml/json type are supported now!`). */
export class OSError_ extends DetkitError {
  override get pythonType(): string {
    return 'OSError';
  }
}

/** A config file that cannot be parsed; `line`/`column` are 1-based when known. */
export class ConfigParseError extends DetkitError {
  /** 1-based line of the problem, if known. */
  readonly line: number | undefined;
  /** 1-based column of the problem, if known. */
  readonly column: number | undefined;
  readonly #pythonType: string;

  /**
   * @param message what is wrong, already naming the file and position
   * @param pythonType the Python exception class of the original loader
   * @param where line/column (1-based) plus the usual error options
   */
  constructor(message: string, pythonType: string, where: DetkitErrorOptions & { line?: number; column?: number }) {
    super('CONFIG_PARSE', message, where);
    this.line = where.line;
    this.column = where.column;
    this.#pythonType = pythonType;
  }

  override get pythonType(): string {
    return this.#pythonType;
  }
}
