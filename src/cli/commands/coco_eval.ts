/**
 * @module `detkit coco-eval GT.json DT.json`: pycocotools-equivalent COCO evaluation of a results file
 * (what `COCO(gt)`, `loadRes(dt)`, `COCOeval(...).evaluate/accumulate/summarize()` print).
 *
 * Output: the 12 summary lines exactly as pycocotools prints them (plus mmdet's classwise AP table
 * with `--classwise`), or with `--json` one JSON document `{"iouType", "stats": [12 numbers in
 * pycocotools' order], "summary": [12 lines], "classwise"?: [{category_id, name, ap}]}`.
 */
import type { Command } from 'commander';
import type { CliCommand } from '../command.js';
import { UsageError } from '../../utils/errors.js';
import { COCO, readJson } from '../../evaluation/coco.js';
import { COCOeval } from '../../evaluation/cocoeval.js';
import { classwiseTable, perCategoryMetrics } from '../../evaluation/coco_metric.js';

interface CocoEvalCliOptions {
  iouType: string;
  classwise?: boolean;
  json?: boolean;
}

const command: CliCommand = {
  summary: 'evaluate a COCO results file against a COCO annotation file (pycocotools COCOeval)',
  configure(cmd: Command) {
    cmd
      .argument('<gt>', 'COCO annotation file (instances_*.json)')
      .argument('<dt>', 'COCO results file (list of {image_id, category_id, bbox|segmentation, score})')
      .option('--iou-type <type>', 'bbox or segm', 'bbox')
      .option('--classwise', 'also print the per-category AP table (mmdet classwise=True)')
      .option('--json', 'print one JSON document with "stats" (the 12 numbers) instead of text')
      .action((gtFile: string, dtFile: string, opts: CocoEvalCliOptions) => {
        if (opts.iouType !== 'bbox' && opts.iouType !== 'segm') {
          throw new UsageError(`--iou-type must be bbox or segm, got ${JSON.stringify(opts.iouType)}`, { hint: 'keypoints evaluation is not supported' });
        }
        const gt = COCO.fromFile(gtFile);
        const dets = gt.loadRes(readJson(dtFile), dtFile);
        const E = new COCOeval(gt, dets, opts.iouType);
        E.evaluate();
        E.accumulate();
        const lines: string[] = [];
        const stats = E.summarize((l) => lines.push(l));
        const catIds = E.evaluatedParams.catIds;
        const names = new Map(gt.dataset.categories.map((c) => [c.id, c.name]));
        if (opts.json === true) {
          const doc: Record<string, unknown> = { iouType: opts.iouType, stats, summary: lines };
          if (opts.classwise === true) {
            const per = perCategoryMetrics(E);
            doc.classwise = catIds.map((id) => ({ category_id: id, name: names.get(id) ?? String(id), ap: per[id]!.ap > -1 ? per[id]!.ap : null }));
          }
          process.stdout.write(`${JSON.stringify(doc)}\n`);
          return;
        }
        process.stdout.write(`${lines.join('\n')}\n`);
        if (opts.classwise === true) process.stdout.write(`${classwiseTable(E, catIds, names)}\n`);
      });
  },
};
export default command;
