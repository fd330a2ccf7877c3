/**
 * @module `detkit analyze-logs plot_curve|cal_train_time LOG.json...`: mmdetection's
 * tools/analysis_tools/analyze_logs.py.
 */
import type { Command } from 'commander';
import type { CliCommand } from '../command.js';
import { UsageError } from '../../utils/errors.js';

interface PlotCurveOptions {
  keys: string[];
  startEpoch: string;
  evalInterval: string;
  title?: string;
  legend?: string[];
  out: string;
}

const command: CliCommand = {
  summary: 'plot loss/mAP curves or compute the train time from .log.json files (mmdetection analyze_logs.py)',
  configure(cmd: Command) {
    cmd
      .command('plot_curve')
      .description('parse .log.json files and plot curves of the given keys to a PNG')
      .argument('<json_logs...>', 'path of train log in json format')
      .option('--keys <keys...>', 'the metric that you want to plot', ['bbox_mAP'])
      .option('--start-epoch <int>', 'accepted for compatibility (analyze_logs.py parses it but plots every epoch)', '1')
      .option('--eval-interval <int>', 'the eval interval when training (the epoch probed for the keys)', '1')
      .option('--title <title>', 'title of figure')
      .option('--legend <labels...>', 'legend of each plot (one per log and key)')
      .option('--out <file>', 'output PNG file', 'curve.png')
      .action(async (files: string[], o: PlotCurveOptions) => {
        const evalInterval = Number(o.evalInterval);
        if (!Number.isInteger(evalInterval) || evalInterval < 1) throw new UsageError(`--eval-interval must be a positive integer, got '${o.evalInterval}'`);
        if (!o.out.toLowerCase().endsWith('.png')) throw new UsageError(`--out must be a .png file, got '${o.out}'`);
        const { loadJsonLogs, curvesOf, plotCurves } = await import('../../apis/analyze_logs.js');
        const logs = loadJsonLogs(files);
        for (const f of files) for (const k of o.keys) console.log(`plot curve of ${f}, metric is ${k}`);
        const curves = curvesOf(files, logs, o.keys, o.legend, evalInterval);
        await plotCurves(curves, o.out, o.title);
        console.log(`save curve to: ${o.out}`);
      });
    cmd
      .command('cal_train_time')
      .description('compute the average time per training iteration')
      .argument('<json_logs...>', 'path of train log in json format')
      .option('--include-outliers', 'include the first value of every epoch when computing the average time')
      .action(async (files: string[], o: { includeOutliers?: boolean }) => {
        const { loadJsonLogs, calTrainTime, formatTrainTime } = await import('../../apis/analyze_logs.js');
        const logs = loadJsonLogs(files);
        logs.forEach((log, i) => console.log(formatTrainTime(files[i]!, calTrainTime(log, o.includeOutliers === true))));
      });
  },
};
export default command;
