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
  gpus?: string;
  gpuIds?: string[];
  gpuId?: string;
}

/** Parses a device count or id; `what` names the option in the error. */
function nonNegativeInt(v: string, what: string, min = 0): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || v.trim() === '') throw new UsageError(`${what} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got '${v}'`);
  return n;
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
      .option('--gpus <n>', 'number of devices to use (detkit: threads, each with its own wasm instance; sets gpu_ids to 0..n-1)')
      .option('--gpu-ids <ids...>', 'ids of devices to use (their count is what matters)')
      .option('--gpu-id <id>', 'id of the one device to use (default 0)')
      .action(async (config: string, o: TrainCliOptions) => {
        const seed = o.seed === undefined ? undefined : Number(o.seed);
        if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UsageError(`--seed must be a non-negative integer, got '${o.seed}'`);
        const given = [o.gpus !== undefined && '--gpus', o.gpuIds !== undefined && '--gpu-ids', o.gpuId !== undefined && '--gpu-id'].filter((x): x is string => x !== false);
        if (given.length > 1) throw new UsageError(`${given.join(' and ')} are mutually exclusive (tools/train.py's gpu group): give one`);
        const gpus = o.gpus === undefined ? undefined : nonNegativeInt(o.gpus, '--gpus', 1);
        const gpu_ids = o.gpuIds?.map((v) => nonNegativeInt(v, '--gpu-ids'));
        const gpu_id = o.gpuId === undefined ? undefined : nonNegativeInt(o.gpuId, '--gpu-id');
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
          gpus,
          gpu_ids,
          gpu_id,
        });
      });
  },
};
export default command;
