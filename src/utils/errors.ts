/**
 * @module The error model of detkit: every error is data with a stable `code`.
 *
 * Errors carry the config key path (`model.bbox_head.num_classes`) and the file they
 * concern where known, and keep the original error as the native `cause`.
 * Parity subclasses keep the Python exception class names that mmcv raises
 * (`KeyError`, `TypeError`, `ValueError`, `FileNotFoundError`), so behaviour tests
 * can compare error classes with the originals.
 */

/** Options shared by every detkit error. */
export interface DetkitErrorOptions {
  /** Dotted config key path the error is about, e.g. `model.backbone.depth`. */
  configPath?: string | undefined;
  /** File the error is about (config file, image, annotation, checkpoint). */
  file?: string | undefined;
  /** A one-line suggestion printed after the message. */
  hint?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** Base class of every error detkit throws on purpose. */
export class DetkitError extends Error {
  /** Stable machine-readable error code, e.g. `REGISTRY_TYPE_NOT_FOUND`. */
  readonly code: string;
  readonly configPath: string | undefined;
  readonly file: string | undefined;
  readonly hint: string | undefined;
  /** Python exception class this error corresponds to in mmcv/mmdet. */
  get pythonType(): string {
    return 'Exception';
  }

  constructor(code: string, message: string, options: DetkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.configPath = options.configPath;
    this.file = options.file;
    this.hint = options.hint;
  }
}

/** Parity with Python's `KeyError` (registry misses, duplicate keys). */
export class KeyError extends DetkitError {
  override get pythonType(): string {
    return 'KeyError';
  }
}

/** Parity with Python's `TypeError` (wrong kind of value, bad constructor arguments). */
export class TypeError_ extends DetkitError {
  override get pythonType(): string {
    return 'TypeError';
  }
}

/** Parity with Python's `ValueError` (right kind, wrong value). */
export class ValueError extends DetkitError {
  override get pythonType(): string {
    return 'ValueError';
  }
}

/** Parity with Python's `FileNotFoundError`. */
export class FileNotFoundError extends DetkitError {
  override get pythonType(): string {
    return 'FileNotFoundError';
  }
}

/** Parity with Python's `IndexError`. */
export class IndexError extends DetkitError {
  override get pythonType(): string {
    return 'IndexError';
  }
}

/** Parity with Python's `AssertionError` (a broken invariant in input data). */
export class AssertionError_ extends DetkitError {
  override get pythonType(): string {
    return 'AssertionError';
  }
}

/** Raised for bad command-line usage; the CLI exits with code 2. */
export class UsageError extends DetkitError {
  constructor(message: string, options: DetkitErrorOptions = {}) {
    super('CLI_USAGE', message, options);
  }
}

/**
 * Formats an error the way the CLI prints it: `code: message` plus where it happened.
 * @param err any thrown value
 * @returns one or more lines, no trailing newline
 */
export function formatError(err: unknown): string {
  if (err instanceof DetkitError) {
    const lines = [`${err.code}: ${err.message}`];
    if (err.file !== undefined && !err.message.includes(err.file)) lines.push(`  file: ${err.file}`);
    if (err.configPath !== undefined && !err.message.includes(err.configPath)) {
      lines.push(`  at config key: ${err.configPath}`);
    }
    if (err.hint !== undefined) lines.push(`  hint: ${err.hint}`);
    let cause: unknown = err.cause;
    while (cause !== undefined) {
      const c = cause as { message?: string; cause?: unknown; code?: unknown };
      lines.push(`  caused by: ${typeof c.code === 'string' ? `${c.code}: ` : ''}${c.message ?? String(cause)}`);
      cause = c.cause;
    }
    return lines.join('\n');
  }
  if (err instanceof Error) return `ERROR: ${err.message}`;
  return `ERROR: ${String(err)}`;
}
