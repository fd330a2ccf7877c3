/**
 * @module `detkit browse-dataset`: port of mmdetection's `tools/misc/browse_dataset.py` @ v2.28.2.
 *
 * Runs `data.train`'s pipeline without `--skip-type` steps (default DefaultFormatBundle, Normalize,
 * Collect) and writes each sample with its boxes, class labels and masks drawn to `--output-dir`.
 * Porting note: there is no window to show images in; `--not-show` and `--show-interval` are
 * accepted for compatibility, and `--output-dir` is required.
 */
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { Config, parseCfgOptions } from '../../config/index.js';
import { browseDataset, DEFAULT_SKIP_TYPE } from '../../data/browse_dataset.js';
import '../../data/index.js';
import { DetkitError, UsageError } from '../../utils/errors.js';

interface BrowseOptions {
  outputDir?: string;
  skipType?: string[];
  notShow?: boolean;
  showInterval: string;
  cfgOptions?: string[];
  limit?: string;
  seed: string;
}

const command: CliCommand = {
  summary: 'draw the training samples of a config (after its pipeline) to image files',
  configure(cmd: Command) {
    cmd
      .argument('<config>', 'config file')
      .option('--output-dir <dir>', 'folder for the drawn images (required)')
      .option('--skip-type <types...>', `pipeline steps to skip (default ${DEFAULT_SKIP_TYPE.join(' ')})`)
      .option('--not-show', 'do not show images (always the case: there is no display)')
      .option('--show-interval <s>', 'seconds between images when showing (ignored)', '2')
      .option('--cfg-options <key=value...>', 'override settings, e.g. data.train.pipeline.2.img_scale="(640,480)"', collect)
      .option('--limit <n>', 'draw only the first n samples')
      .option('--seed <n>', 'seed of the random transforms', '0')
      .action(async (config: string, opts: BrowseOptions) => {
        if (opts.outputDir === undefined) throw new UsageError('--output-dir is required (detkit cannot open a window to show images)');
        const limit = opts.limit === undefined ? undefined : Number(opts.limit);
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit must be a positive integer, got ${opts.limit}`);
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${opts.seed}`);
        const cfg = await Config.fromFile(config);
        if (opts.cfgOptions !== undefined) {
          let parsed: Record<string, unknown>;
          try {
            parsed = parseCfgOptions(opts.cfgOptions);
          } catch (err) {
            // Malformed `--cfg-options` are usage errors (exit 2), as in print-config.
            if (err instanceof DetkitError) throw new UsageError(err.message, { cause: err, hint: err.hint });
            throw err;
          }
          cfg.mergeFromDict(parsed);
        }
        const tty = process.stdout.isTTY === true;
        let last = Date.now();
        const files = await browseDataset(cfg.toDict() as Record<string, unknown>, {
          outputDir: opts.outputDir,
          skipType: opts.skipType ?? DEFAULT_SKIP_TYPE,
          seed,
          ...(limit === undefined ? {} : { limit }),
          onImage: (_file, i, total) => {
            if (tty) process.stdout.write(`\r[${i + 1}/${total}] images written`);
            else if (Date.now() - last > 5000 || i + 1 === total) {
              last = Date.now();
              process.stdout.write(`[${i + 1}/${total}] images written\n`);
            }
          },
        });
        if (tty) process.stdout.write('\n');
        process.stdout.write(`wrote ${files.length} images to ${opts.outputDir}\n`);
      });
  },
};
export default command;
