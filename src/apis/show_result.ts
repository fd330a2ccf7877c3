/**
 * @module Port of `BaseDetector.show_result` (`mmdet/models/detectors/base.py` @ v2.28.2) and
 * `show_result_pyplot` (`mmdet/apis/inference.py`): one image's detections drawn with
 * `imshowDetBboxes`, optionally written to a file.
 *
 * Porting note: the drawing is detkit's `imshowDetBboxes` (canvas, a 20-colour palette by class,
 * `class|score` tags), not matplotlib; masks are blended at 50 %.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { imencode, imread, imshowDetBboxes, type Image } from '../data/index.js';
import type { DetResult } from '../structures/det_types.js';
import { rleFromObject } from '../structures/mask.js';
import { rleToBitmap } from '../structures/mask_structures.js';

/** Options of {@link showResult}. */
export interface ShowResultOptions {
  /** Class names (label `k` prints `classNames[k]`). */
  classNames?: readonly string[];
  /** Detections with a lower score are not drawn. Default 0.3 (mmdet). */
  scoreThr?: number;
  /** Write the drawing here (`.png`, or `.jpg`/`.jpeg`); folders are created. */
  outFile?: string;
  /** Box line width in pixels. Default 2. */
  thickness?: number;
  /** Label font size in pixels. Default 13. */
  fontSize?: number;
  /** Colours per class (RGB). */
  palette?: ReadonlyArray<readonly [number, number, number]>;
}

/** Flattens a per-class result into `[n*5]` boxes, `[n]` labels and (if present) `[n]` bitmap masks. */
export function flattenResult(result: DetResult): { bboxes: Float32Array; labels: Int32Array; masks: Uint8Array[] | null } {
  let n = 0;
  for (const c of result.bbox) n += c.length / 5;
  const bboxes = new Float32Array(n * 5);
  const labels = new Int32Array(n);
  const masks: Uint8Array[] | null = result.segm === undefined ? null : [];
  let i = 0;
  result.bbox.forEach((c, k) => {
    bboxes.set(c, i * 5);
    for (let r = 0; r < c.length / 5; r++) {
      labels[i + r] = k;
      if (masks !== null) {
        const rle = result.segm?.[k]?.[r];
        masks.push(rle === undefined ? new Uint8Array(0) : rleToBitmap(rleFromObject(rle)));
      }
    }
    i += c.length / 5;
  });
  return { bboxes, labels, masks };
}

/**
 * Draws `result` on `img` (mmdet `model.show_result`): boxes with score ≥ `scoreThr` in their
 * class colour, `class|score` labels, masks if the result has them.
 * @param img a file path or a decoded BGR HWC image
 * @returns the drawn BGR image (also written to `outFile` when given)
 */
export async function showResult(img: string | Image, result: DetResult, options: ShowResultOptions = {}): Promise<Image> {
  const image = typeof img === 'string' ? await imread(img) : img;
  const { bboxes, labels, masks } = flattenResult(result);
  const drawn = imshowDetBboxes(image, bboxes, labels, {
    scoreThr: options.scoreThr ?? 0.3,
    masks,
    ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
    ...(options.thickness === undefined ? {} : { thickness: options.thickness }),
    ...(options.fontSize === undefined ? {} : { fontSize: options.fontSize }),
    ...(options.palette === undefined ? {} : { palette: options.palette }),
  });
  if (options.outFile !== undefined) {
    const ext = extname(options.outFile).toLowerCase();
    mkdirSync(dirname(options.outFile), { recursive: true });
    writeFileSync(options.outFile, await imencode(drawn, ext === '.jpg' || ext === '.jpeg' ? 'jpg' : 'png'));
  }
  return drawn;
}
