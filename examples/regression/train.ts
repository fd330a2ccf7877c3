/**
 * @module `npx tsx examples/regression/train.ts [config] [--work-dir D] [--auto-resume]`:
 * trains the MLP regressor of `model.ts` with detkit's engine (runner, hooks, logs, checkpoints).
 */
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/backend/index.js';
import { formatError } from '../../src/utils/errors.js';
import { setupRun } from './setup.js';

const program = new Command()
  .name('train.ts')
  .argument('[config]', 'config file', fileURLToPath(new URL('./config.js', import.meta.url)))
  .option('--work-dir <dir>', 'the dir to save logs and models')
  .option('--resume-from <file>', 'the checkpoint file to resume from')
  .option('--auto-resume', 'resume from the latest complete checkpoint in work_dir')
  .option('--cfg-options <kv...>', 'override config settings, key=value')
  .option('--iter-delay-ms <ms>', 'sleep after each iteration (simulates a slower model)', (v) => Number(v))
  .action(async (config: string, o: { workDir?: string; resumeFrom?: string; autoResume?: boolean; cfgOptions?: string[]; iterDelayMs?: number }) => {
    await initBackend();
    const run = await setupRun({ config, work_dir: o.workDir, auto_resume: o.autoResume, resume_from: o.resumeFrom, cfg_options: o.cfgOptions, iter_delay_ms: o.iterDelayMs });
    try {
      await run.runner.run(run.loaders, run.workflow);
    } finally {
      run.optimizer.dispose();
      run.model.dispose();
    }
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${formatError(err)}\n`);
  process.exit(1);
});
