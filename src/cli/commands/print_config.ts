/**
 * @module `detkit print-config`: port of mmdetection's `tools/misc/print_config.py` @ v2.28.2.
 *
 * Loads a config with its `_base_` chain, replaces `${key}` references (mmdet `replace_cfg_vals`),
 * merges `--cfg-options`, and prints the result: mmcv's
 * pretty text by default (`Config:\n<pretty_text>`, as mmdet prints it), or exactly one JSON /
 * YAML / `.ts` module document with `--format`. `--save-path` also writes it to a file
 * (format from the extension), as mmdet 3.x's `--save-path` does.
 *
 * Porting note: `--cfg-options` may be repeated; all occurrences are merged (mmengine), where
 * mmcv 1.x kept only the last one.
 */
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { Config, parseCfgOptions, replaceCfgVals } from '../../config/index.js';
import { DetkitError, UsageError } from '../../utils/errors.js';

const FORMATS = ['pretty', 'json', 'yaml', 'ts'] as const;
type Format = (typeof FORMATS)[number];

interface PrintConfigOptions {
  cfgOptions?: string[];
  format: string;
  savePath?: string;
}

/** The text printed for `cfg` in `format`. */
function render(cfg: Config, format: Format): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(cfg.toDict(), null, 2)}\n`;
    case 'yaml':
      return cfg.dumpAs('.yaml');
    case 'ts':
      return cfg.dumpAs('.ts');
    default:
      return `Config:\n${cfg.prettyText}`;
  }
}

/** Parses `--cfg-options` tokens; malformed ones are usage errors (exit 2). */
function cfgOptions(tokens: string[] | undefined): Record<string, unknown> {
  try {
    return parseCfgOptions(tokens ?? []);
  } catch (err) {
    if (err instanceof DetkitError) throw new UsageError(err.message, { cause: err, hint: err.hint });
    throw err;
  }
}

const command: CliCommand = {
  summary: 'print the whole config (bases merged, --cfg-options applied)',
  configure(cmd: Command) {
    cmd
      .argument('[config]', 'config file (.ts/.mts/.js/.mjs/.json/.yaml/.yml)')
      .option(
        '--cfg-options <key=value...>',
        'override settings, e.g. model.bbox_head.num_classes=3 data.train.pipeline.2.img_scale="(640,480)"; lists as a,b or [a,b]; no spaces',
        collect,
      )
      .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'pretty')
      .option('--save-path <file>', 'also write the whole config to this file (.ts, .js, .json, .yaml, .yml or .py)')
      .action(async (config: string | undefined, opts: PrintConfigOptions) => {
        if (config === undefined) {
          // `--cfg-options` is variadic, so a config written after it is taken as an option value.
          const swallowed = (opts.cfgOptions ?? []).find((t) => !t.includes('='));
          throw new UsageError('missing config file: detkit print-config CONFIG [--cfg-options k=v ...]', {
            ...(swallowed === undefined ? {} : { hint: `'${swallowed}' was read as a --cfg-options value: put CONFIG before --cfg-options` }),
          });
        }
        if (!(FORMATS as readonly string[]).includes(opts.format)) {
          throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
        }
        const options = cfgOptions(opts.cfgOptions);
        // mmdet's order: load, replace `${key}` references, then apply --cfg-options.
        const cfg = replaceCfgVals(await Config.fromFile(config));
        if (Object.keys(options).length > 0) cfg.mergeFromDict(options);
        process.stdout.write(render(cfg, opts.format as Format));
        if (opts.savePath !== undefined) cfg.dump(opts.savePath);
      });
  },
};
export default command;
