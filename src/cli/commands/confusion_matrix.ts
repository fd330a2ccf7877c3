/**
 * @module `detkit confusion-matrix CONFIG RESULTS.json SAVE_DIR`: mmdetection's
 * tools/analysis_tools/confusion_matrix.py on the results of `detkit test --out`.
 */
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { DetkitError, UsageError } from '../../utils/errors.js';

interface ConfusionCliOptions {
  show?: boolean;
  colorTheme: string;
  scoreThr: string;
  tpIouThr: string;
  nmsIouThr?: string;
  cfgOptions?: string[];
}

function num(v: string, opt: string): number {
  const x = Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`${opt} must be a number, got '${v}'`);
  return x;
}

const command: CliCommand = {
  summary: 'confusion matrix (with background) of saved test results (mmdetection confusion_matrix.py)',
  configure(cmd: Command) {
    cmd
      .argument('<config>', 'test config file path')
      .argument('<prediction_path>', 'results written by `detkit test --out results.json`')
      .argument('<save_dir>', 'directory where confusion_matrix.png will be saved')
      .option('--show', 'also print the row-normalised matrix (percent)')
      .option('--color-theme <name>', 'colour scheme of the matrix (vega scheme name)', 'plasma')
      .option('--score-thr <float>', 'score threshold to filter detection bboxes', '0.3')
      .option('--tp-iou-thr <float>', 'IoU threshold to be considered as matched', '0.5')
      .option('--nms-iou-thr <float>', 'nms IoU threshold, only applied when users want to change the nms IoU threshold')
      .option('--cfg-options <key=value...>', 'override some settings in the used config (mmcv DictAction syntax)', collect)
      .action(async (config: string, predictionPath: string, saveDir: string, o: ConfusionCliOptions) => {
        const scoreThr = num(o.scoreThr, '--score-thr');
        const tpIouThr = num(o.tpIouThr, '--tp-iou-thr');
        const nmsIouThr = o.nmsIouThr === undefined ? null : num(o.nmsIouThr, '--nms-iou-thr');
        await import('../../register_all.js');
        const { loadConfig } = await import('../../apis/inference.js');
        const { loadResults } = await import('../../apis/test_tool.js');
        const { calculateConfusionMatrix, formatConfusionMatrix, normalizeConfusionMatrix, plotConfusionMatrix } = await import('../../apis/confusion_matrix.js');
        const { buildDataset } = await import('../../data/index.js');
        const cfg = (await loadConfig(config, o.cfgOptions ?? [])).toDict() as { data?: { test?: unknown } };
        if (cfg.data?.test == null) throw new DetkitError('CONFIG_MISSING_KEY', 'the confusion matrix needs data.test', { configPath: 'data.test', file: config });
        const results = loadResults(predictionPath);
        const dataset = buildDataset(cfg.data.test as never, { test_mode: true }, 'data.test');
        if (typeof (dataset as { get_ann_info?: unknown }).get_ann_info !== 'function') {
          throw new DetkitError('CONFUSION_NO_ANNOTATIONS', 'data.test has no get_ann_info (use a CustomDataset/CocoDataset/VOCDataset)', { configPath: 'data.test.type' });
        }
        const matrix = calculateConfusionMatrix(dataset as never, results, { score_thr: scoreThr, tp_iou_thr: tpIouThr, nms_iou_thr: nmsIouThr });
        const labels = [...dataset.CLASSES, 'background'];
        console.log(formatConfusionMatrix(matrix, labels));
        if (o.show === true) console.log(`\n${formatConfusionMatrix(normalizeConfusionMatrix(matrix), labels, true)}`);
        const png = await plotConfusionMatrix(matrix, labels, saveDir, { colorTheme: o.colorTheme });
        console.log(`confusion matrix saved to ${png}`);
      });
  },
};
export default command;
