/**
 * @module The pixel size of a JPEG or PNG file from its header, synchronously (what `PIL.Image.open(f).size`
 * gives mmdet's XMLDataset when an annotation has no `<size>`; like PIL, EXIF orientation is ignored).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ValueError } from '../utils/errors.js';

/**
 * Reads `[width, height]` from a PNG or JPEG header.
 * @throws ValueError `DATA_IMAGE_SIZE` for other formats or a truncated header
 */
export function imageSize(file: string): [number, number] {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const b = head.subarray(0, n);
    if (n >= 24 && b.readUInt32BE(0) === 0x89504e47) return [b.readUInt32BE(16), b.readUInt32BE(20)];
    if (n >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      let p = 2;
      while (p + 9 < n) {
        if (b[p] !== 0xff) {
          p++;
          continue;
        }
        const marker = b[p + 1]!;
        if (marker === 0xff) {
          p++;
          continue;
        }
        const len = b.readUInt16BE(p + 2);
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return [b.readUInt16BE(p + 7), b.readUInt16BE(p + 5)];
        }
        p += 2 + len;
      }
    }
    throw new ValueError('DATA_IMAGE_SIZE', `cannot read the image size of ${file} (not a PNG/JPEG, or its header is beyond 64 KiB)`, { file });
  } finally {
    closeSync(fd);
  }
}
