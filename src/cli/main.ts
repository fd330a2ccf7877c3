/**
 * @module `detkit <command>`: finds commands in `cli/commands/`, runs one, maps errors to exit codes.
 *
 * Exit codes: 0 ok, 1 runtime error, 2 usage error. Errors print `code: message`; `--debug` adds the stack.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { DetkitError, UsageError, formatError } from '../utils/errors.js';
import type { CliCommand } from './command.js';

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/** Command name → module file, from the file names in `cli/commands/` (`print_config.ts` → `print-config`). */
function commandFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of readdirSync(COMMANDS_DIR).sort()) {
    const m = /^([a-z0-9_]+)\.(ts|js)$/.exec(f);
    if (m === null || f.endsWith('.test.ts') || f.endsWith('.d.ts')) continue;
    files.set(m[1]!.replace(/_/g, '-'), join(COMMANDS_DIR, f));
  }
  return files;
}

async function loadCommand(file: string): Promise<CliCommand> {
  const mod = (await import(file)) as { default: CliCommand };
  return mod.default;
}

/**
 * Runs the CLI.
 * @param argv arguments after the executable, e.g. `['print-config', 'a.ts']`
 * @returns the process exit code
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const files = commandFiles();
  const program = new Command('detkit')
    .description('mmdetection-class object detection in TypeScript')
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // Only the named command is imported (fast start); `--help` or no command imports them all.
  const wanted = args.find((a) => !a.startsWith('-'));
  const toLoad = wanted !== undefined && files.has(wanted) ? [wanted] : [...files.keys()];
  for (const name of toLoad) {
    const spec = await loadCommand(files.get(name)!);
    const cmd = program.command(name).description(spec.summary).exitOverride();
    spec.configure(cmd);
  }
  if (wanted === undefined && args.length === 0) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    process.stderr.write(`${formatError(err)}\n`);
    if (debug && err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
    else if (!(err instanceof DetkitError)) process.stderr.write('(run with --debug for the stack trace)\n');
    return err instanceof UsageError ? 2 : 1;
  }
}
