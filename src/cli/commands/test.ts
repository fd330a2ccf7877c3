/**
 * @module `detkit test CONFIG CHECKPOINT`: mmdetection's tools/test.py.
 */
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { UsageError } from '../../utils/errors.js';

interface TestCliOptions {
  workDir?: string;
  out?: string;
  formatOnly?: boolean;
  eval?: string[];
  showDir?: string;
  showScoreThr: string;
  cfgOptions?: string[];
  evalOptions?: string[];
  json?: boolean;
}

const command: CliCommand = {
  summary: 'test (and evaluate) a detector checkpoint on data.test (mmdetection tools/test.py)',
  configure(cmd: Command) {
    cmd
      .argument('<config>', 'test config file path')
      .argument('<checkpoint>', 'checkpoint file (.safetensors)')
      .option('--work-dir <dir>', 'the directory to save the file containing evaluation metrics')
      .option('--out <file>', 'output result file in json format (one {bbox, segm?} per image)')
      .option('--format-only', 'format the output results without evaluation (e.g. COCO json for a test server); set --eval-options jsonfile_prefix=...')
      .option('--eval <metrics...>', 'evaluation metrics, e.g. "bbox", "segm", "proposal" for COCO, and "mAP", "recall" for PASCAL VOC')
      .option('--show-dir <dir>', 'directory where painted images will be saved')
      .option('--show-score-thr <float>', 'score threshold (default: 0.3)', '0.3')
      .option('--cfg-options <key=value...>', 'override some settings in the used config (mmcv DictAction syntax)', collect)
      .option('--eval-options <key=value...>', 'custom options for evaluation, e.g. classwise=True jsonfile_prefix=results', collect)
      .option('--json', 'print the metrics as one JSON document on stdout (progress and logs go to stderr)')
      .action(async (config: string, checkpoint: string, o: TestCliOptions) => {
        const thr = Number(o.showScoreThr);
        if (!Number.isFinite(thr)) throw new UsageError(`--show-score-thr must be a number, got '${o.showScoreThr}'`);
        if (o.json === true && (o.eval ?? []).length === 0) throw new UsageError('--json prints the metrics: give --eval too');
        const { testFromConfig } = await import('../../apis/test_tool.js');
        await import('../../register_all.js');
        const json = o.json === true;
        const { metrics } = await testFromConfig({
          config,
          checkpoint,
          work_dir: o.workDir,
          out: o.out,
          format_only: o.formatOnly,
          eval: o.eval,
          show_dir: o.showDir,
          show_score_thr: thr,
          cfg_options: o.cfgOptions,
          eval_options: o.evalOptions,
          ...(json ? { log: (line: string) => process.stderr.write(`${line}\n`), progressStream: process.stderr } : {}),
        });
        if (json && metrics !== null) process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
      });
  },
};
export default command;
