/**
 * @module `detkit infer CONFIG CHECKPOINT IMAGE...`: mmdetection's `demo/image_demo.py` for many
 * images — detections drawn into `--out-dir` plus a `detections.json`, or the JSON on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { collect, type CliCommand } from '../command.js';
import { UsageError } from '../../utils/errors.js';

interface InferCliOptions {
  outDir?: string;
  scoreThr: string;
  cfgOptions?: string[];
}

/** One detection in `detections.json`. */
interface DetectionRecord {
  label: number;
  class_name: string;
  score: number;
  /** `[x1, y1, x2, y2]` in original image pixels. */
  bbox: [number, number, number, number];
}

const command: CliCommand = {
  summary: 'detect objects in images with a trained checkpoint; draw them and write detections.json',
  configure(cmd: Command) {
    cmd
      .argument('<config>', 'config file')
      .argument('<checkpoint>', 'checkpoint file (.safetensors)')
      .argument('<images...>', 'image files')
      .option('--out-dir <dir>', 'write <dir>/<image name>.png drawings and <dir>/detections.json (default: print the JSON)')
      .option('--score-thr <float>', 'bbox score threshold (default: 0.3)', '0.3')
      .option('--cfg-options <key=value...>', 'override some settings in the used config (mmcv DictAction syntax)', collect)
      .action(async (config: string, checkpoint: string, images: string[], o: InferCliOptions) => {
        const thr = Number(o.scoreThr);
        if (!Number.isFinite(thr)) throw new UsageError(`--score-thr must be a number, got '${o.scoreThr}'`);
        const { initDetector, inferenceDetector } = await import('../../apis/inference.js');
        const { showResult } = await import('../../apis/show_result.js');
        await import('../../register_all.js');
        const model = await initDetector(config, checkpoint, { cfgOptions: o.cfgOptions ?? [] });
        const names = model.CLASSES ?? [];
        const out: Array<{ file: string; detections: DetectionRecord[]; drawing?: string }> = [];
        try {
          if (o.outDir !== undefined) mkdirSync(o.outDir, { recursive: true });
          for (const file of images) {
            const result = await inferenceDetector(model, file);
            const detections: DetectionRecord[] = [];
            result.bbox.forEach((rows, label) => {
              for (let i = 0; i < rows.length; i += 5) {
                if (rows[i + 4]! < thr) continue;
                detections.push({ label, class_name: names[label] ?? String(label), score: rows[i + 4]!, bbox: [rows[i]!, rows[i + 1]!, rows[i + 2]!, rows[i + 3]!] });
              }
            });
            detections.sort((a, b) => b.score - a.score);
            const rec: (typeof out)[number] = { file: resolve(file), detections };
            if (o.outDir !== undefined) {
              const drawing = join(o.outDir, `${basename(file, extname(file))}.png`);
              await showResult(file, result, { classNames: names, scoreThr: thr, outFile: drawing });
              rec.drawing = drawing;
              console.log(`${file}: ${detections.length} detections -> ${drawing}`);
            }
            out.push(rec);
          }
        } finally {
          model.dispose();
        }
        const json = JSON.stringify(out, null, 2);
        if (o.outDir !== undefined) {
          writeFileSync(join(o.outDir, 'detections.json'), `${json}\n`);
          console.log(`detections written to ${join(o.outDir, 'detections.json')}`);
        } else {
          process.stdout.write(`${json}\n`);
        }
      });
  },
};
export default command;
