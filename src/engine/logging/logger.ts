/**
 * @module Port of `mmcv/utils/logging.py` `get_logger` @ v1.7.2: the run logger.
 *
 * Lines are formatted as Python's `logging` with mmcv's format
 * `%(asctime)s - %(name)s - %(levelname)s - %(message)s` and go to the console (stdout) and,
 * when given, to a log file (mmdet's `work_dir/<timestamp>.log`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoggerLike } from '../types.js';
import { pyAsctime } from './py_format.js';

/** Python logging levels by name. */
const LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 } as const;

/** A logging level name. */
export type LogLevel = keyof typeof LEVELS;

/** Options of {@link RunLogger}. */
export interface RunLoggerOptions {
  /** Logger name printed in every line (mmdet: `mmdet`). Default `detkit`. */
  name?: string;
  /** File every record is appended to (created with its folder). */
  log_file?: string | null;
  /** Records below this level are dropped. Default `INFO`. */
  log_level?: LogLevel;
  /** Write to stdout too. Default true. */
  console?: boolean;
}

/**
 * A `logging.Logger` equivalent: `info/warn/error` append one formatted line to each sink.
 *
 * @example
 * const logger = new RunLogger({ log_file: 'work_dirs/x/20240101_000000.log' });
 * logger.info('Start running');
 */
export class RunLogger implements LoggerLike {
  readonly name: string;
  readonly logFile: string | null;
  private readonly level: number;
  private readonly toConsole: boolean;

  constructor(options: RunLoggerOptions = {}) {
    this.name = options.name ?? 'detkit';
    this.logFile = options.log_file ?? null;
    this.level = LEVELS[options.log_level ?? 'INFO'];
    this.toConsole = options.console ?? true;
    if (this.logFile !== null) mkdirSync(dirname(this.logFile), { recursive: true });
  }

  info(message: string): void {
    this.emit('INFO', message);
  }
  warn(message: string): void {
    this.emit('WARNING', message);
  }
  error(message: string): void {
    this.emit('ERROR', message);
  }
  debug(message: string): void {
    this.emit('DEBUG', message);
  }

  private emit(level: LogLevel, message: string): void {
    if (LEVELS[level] < this.level) return;
    const line = `${pyAsctime()} - ${this.name} - ${level} - ${message}\n`;
    if (this.toConsole) process.stdout.write(line);
    if (this.logFile !== null) appendFileSync(this.logFile, line);
  }
}

/** A logger that keeps lines in memory (for tests and embedding). */
export class MemoryLogger implements LoggerLike {
  /** `LEVEL - message` records in order. */
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`INFO - ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`WARNING - ${message}`);
  }
  error(message: string): void {
    this.lines.push(`ERROR - ${message}`);
  }
}
