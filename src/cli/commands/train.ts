/**
 * @module `detkit train CONFIG`: mmdetection's tools/train.py.
 */
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { UsageError } from '../../utils/errors.js';

interface TrainCliOptions {
  workDir?: string;
  resumeFrom?: string;
  autoResume?: boolean;
  validate?: boolean;
  seed?: string;
  deterministic?: boolean;
  cfgOptions?: string[];
  autoScaleLr?: boolean;
}

const command: CliCommand = {
  summary: 'train a detector from a config (mmdetection tools/train.py)',
  configure(cmd: Command) {
    cmd
      .argument('<config>', 'config file (.ts/.js/.json/.yaml)')
      .option('--work-dir <dir>', 'the dir to save logs and models (default: ./work_dirs/<config name>)')
      .option('--resume-from <checkpoint>', 'the checkpoint file to resume from')
      .option('--auto-resume', 'resume from the latest checkpoint in the work dir automatically')
      .option('--no-validate', 'do not evaluate the checkpoint during training')
      .option('--seed <int>', 'random seed')
      .option('--deterministic', 'accepted for compatibility (detkit runs are deterministic for a seed)')
      .option('--cfg-options <key=value...>', 'override settings in the config, e.g. optimizer.lr=0.01 (mmcv DictAction syntax)', collect)
      .option('--auto-scale-lr', 'enable automatically scaling LR (auto_scale_lr.base_batch_size)')
      .action(async (config: string, o: TrainCliOptions) => {
        const seed = o.seed === undefined ? undefined : Number(o.seed);
        if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UsageError(`--seed must be a non-negative integer, got '${o.seed}'`);
        const { trainFromConfig } = await import('../../apis/train_main.js');
        await import('../../register_all.js');
        await trainFromConfig({
          config,
          work_dir: o.workDir,
          resume_from: o.resumeFrom,
          auto_resume: o.autoResume,
          no_validate: o.validate === false,
          seed,
          deterministic: o.deterministic,
          cfg_options: o.cfgOptions,
          auto_scale_lr: o.autoScaleLr,
        });
      });
  },
};
export default command;
