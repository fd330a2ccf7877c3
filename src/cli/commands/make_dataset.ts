/**
 * @module `detkit make-dataset`: generates detkit's built-in synthetic datasets.
 *
 * `detkit make-dataset shapes OUT_DIR [--train N] [--val M] [--seed S] [--size 320] [--format jpg]`
 * writes `OUT_DIR/{train,val}/*.jpg` and `OUT_DIR/annotations/instances_{train,val}.json` (COCO).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliCommand } from '../command.js';
import { ensureShapesDataset, SHAPES_CLASSES } from '../../data/shapes.js';
import { UsageError } from '../../utils/errors.js';

interface MakeOptions {
  train: string;
  val: string;
  seed: string;
  size: string;
  format: string;
  force?: boolean;
}

function int(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${v}`);
  return n;
}

const command: CliCommand = {
  summary: 'generate a synthetic dataset (shapes: COCO-format, deterministic from a seed)',
  configure(cmd: Command) {
    cmd
      .argument('<kind>', 'dataset kind: shapes')
      .argument('<out_dir>', 'output folder')
      .option('--train <n>', 'train images', '400')
      .option('--val <n>', 'val images', '100')
      .option('--seed <n>', 'random seed', '0')
      .option('--size <px>', 'longer image side in pixels', '320')
      .option('--format <fmt>', 'image format: jpg or png', 'jpg')
      .option('--force', 'regenerate when OUT_DIR already holds a shapes dataset')
      .action((kind: string, outDir: string, opts: MakeOptions) => {
        if (kind !== 'shapes') throw new UsageError(`unknown dataset kind '${kind}' (available: shapes)`);
        if (opts.format !== 'jpg' && opts.format !== 'png') throw new UsageError(`--format must be jpg or png, got ${opts.format}`);
        const options = {
          train: int('train', opts.train, 0),
          val: int('val', opts.val, 0),
          seed: int('seed', opts.seed, 0),
          size: int('size', opts.size, 64),
          format: opts.format as 'jpg' | 'png',
        };
        if (opts.force === true && existsSync(join(outDir, 'shapes.json'))) rmSync(outDir, { recursive: true, force: true });
        const t0 = Date.now();
        const made = ensureShapesDataset(outDir, options);
        if (!made) {
          process.stdout.write(`${outDir} already holds a shapes dataset (use --force to regenerate)\n`);
          return;
        }
        process.stdout.write(
          `wrote shapes to ${outDir}: ${options.train} train + ${options.val} val images (${options.size}px, seed ${options.seed}), ` +
            `classes ${SHAPES_CLASSES.join(', ')}, in ${((Date.now() - t0) / 1000).toFixed(1)} s\n` +
            `  ${join(outDir, 'annotations', 'instances_train.json')}\n  ${join(outDir, 'annotations', 'instances_val.json')}\n`,
        );
      });
  },
};
export default command;
