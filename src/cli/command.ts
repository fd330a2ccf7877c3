/**
 * @module The contract of one `detkit` subcommand: a file in `cli/commands/` whose default export
 * is a {@link CliCommand}. Adding a command is adding one file.
 */
import type { Command } from 'commander';

/** One subcommand of `detkit`. The file name (`print_config.ts`) gives the command name (`print-config`). */
export interface CliCommand {
  /** One-line summary shown by `detkit --help`. */
  summary: string;
  /**
   * Declares arguments and options on `cmd` (already named) and its action. The action may throw:
   * `UsageError` exits 2, any other error exits 1, each printed as `code: message`.
   */
  configure(cmd: Command): void;
}

/** Collects a repeatable / variadic option (`--cfg-options a=1 b=2 --cfg-options c=3`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
