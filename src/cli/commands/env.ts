/**
 * @module `detkit env`: prints the environment detkit runs in (mmdet's `collect_env`).
 */
import type { Command } from 'commander';
import type { CliCommand } from '../command.js';
import { collectEnv } from '../../utils/env.js';

const command: CliCommand = {
  summary: 'print versions of Node.js, detkit and its compute libraries',
  configure(cmd: Command) {
    cmd.option('--json', 'print one JSON document').action((opts: { json?: boolean }) => {
      const env = collectEnv();
      if (opts.json === true) process.stdout.write(`${JSON.stringify(env)}\n`);
      else for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}: ${v}\n`);
    });
  },
};
export default command;
