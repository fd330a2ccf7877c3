/**
 * @module `detkit benchmark CONFIG [CHECKPOINT]`: mmdetection's tools/analysis_tools/benchmark.py
 * (inference fps), and with `--train` the speed of a training iteration.
 */
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { UsageError } from '../../utils/errors.js';

interface BenchmarkCliOptions {
  repeatNum: string;
  maxIter: string;
  logInterval: string;
  train?: boolean;
  cfgOptions?: string[];
  json?: boolean;
}

function int(v: string, opt: string, min: number): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new UsageError(`${opt} must be an integer >= ${min}, got '${v}'`);
  return x;
}

const command: CliCommand = {
  summary: 'measure inference (or --train iteration) speed, model call only (mmdetection benchmark.py)',
  configure(cmd: Command) {
    cmd
      .argument('<config>', 'test config file path')
      .argument('[checkpoint]', 'checkpoint file (random initial weights when absent)')
      .option('--repeat-num <int>', 'number of repeat times of measurement for averaging the results', '1')
      .option('--max-iter <int>', 'num of max iter (the first 5 are warm-up and not timed)', '2000')
      .option('--log-interval <int>', 'interval of logging', '50')
      .option('--train', 'time training iterations on data.train (train_step + optimizer step) instead of inference')
      .option('--cfg-options <key=value...>', 'override some settings in the used config (mmcv DictAction syntax)', collect)
      .option('--json', 'print the result as one JSON document on stdout (progress lines go to stderr)')
      .action(async (config: string, checkpoint: string | undefined, o: BenchmarkCliOptions) => {
        const repeat = int(o.repeatNum, '--repeat-num', 1);
        const maxIter = int(o.maxIter, '--max-iter', 6);
        const logInterval = int(o.logInterval, '--log-interval', 1);
        await import('../../register_all.js');
        const { benchmark } = await import('../../apis/benchmark.js');
        const log = o.json === true ? (l: string) => process.stderr.write(`${l}\n`) : (l: string) => console.log(l);
        const fpsList: number[] = [];
        for (let r = 0; r < repeat; r++) {
          const res = await benchmark({
            config,
            checkpoint: checkpoint ?? null,
            max_iter: maxIter,
            log_interval: logInterval,
            train: o.train === true,
            cfg_options: o.cfgOptions ?? [],
            log,
          });
          fpsList.push(res.fps);
        }
        const unit = o.train === true ? 'iter' : 'img';
        const mean = fpsList.reduce((a, b) => a + b, 0) / fpsList.length;
        if (repeat > 1) {
          const list = fpsList.map((f) => Math.round(f * 10) / 10);
          const times = fpsList.map((f) => Math.round((1000 / f) * 10) / 10);
          log(`Overall fps: ${JSON.stringify(list)} [${mean.toFixed(1)}] ${unit} / s, times per ${unit}: ${JSON.stringify(times)} [${(1000 / mean).toFixed(1)}] ms / ${unit}`);
        }
        if (o.json === true) {
          process.stdout.write(`${JSON.stringify({ mode: o.train === true ? 'train' : 'inference', fps: fpsList, mean_fps: mean, ms_per_iter: 1000 / mean, timed_iters: maxIter - 5 }, null, 2)}\n`);
        }
      });
  },
};
export default command;
