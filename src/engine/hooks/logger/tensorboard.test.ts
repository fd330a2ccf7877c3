import { readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { fakeRunner, tempDir } from '../../../testing/engine_helpers.js';
import { maskedCrc32c } from '../../logging/tensorboard_writer.js';
import { TensorboardLoggerHook } from './tensorboard.js';

/** Splits a TFRecord file into records, checking both masked CRCs. */
function records(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p < buf.length) {
    const lenBytes = buf.subarray(p, p + 8);
    const len = Number(lenBytes.readBigUInt64LE(0));
    expect(buf.readUInt32LE(p + 8)).toBe(maskedCrc32c(lenBytes));
    const data = buf.subarray(p + 12, p + 12 + len);
    expect(buf.readUInt32LE(p + 12 + len)).toBe(maskedCrc32c(data));
    out.push(data);
    p += 16 + len;
  }
  return out;
}

/** Minimal protobuf wire decoding: field number → raw values (varint as number, len as Buffer). */
function fields(b: Buffer): Array<[number, number | Buffer]> {
  const out: Array<[number, number | Buffer]> = [];
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let s = 0;
    for (;;) {
      const byte = b[p++]!;
      v += (byte & 0x7f) * 2 ** s;
      s += 7;
      if (byte < 0x80) return v;
    }
  };
  while (p < b.length) {
    const key = varint();
    const wire = key & 7;
    const field = key >>> 3;
    if (wire === 0) out.push([field, varint()]);
    else if (wire === 1) (out.push([field, b.readDoubleLE(p)]), (p += 8));
    else if (wire === 5) (out.push([field, b.readFloatLE(p)]), (p += 4));
    else if (wire === 2) {
      const n = varint();
      out.push([field, b.subarray(p, p + n)]);
      p += n;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

describe('TensorboardLoggerHook (engine-spec §7.3 case 17)', () => {
  it('masked crc32c follows the TFRecord definition', () => {
    expect(crc32c('123456789') >>> 0).toBe(0xe3069283);
    const c = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it('writes brain.Event:2 first, then train/<key>, learning_rate, momentum scalars at iter + 1', () => {
    const dir = tempDir();
    const r = fakeRunner({ lr: 0.02, momentum: 0.9, work_dir: dir, iter: 49 });
    const hook = new TensorboardLoggerHook();
    r.hooks = [hook];
    hook.before_run(r);
    r.log_buffer.output = { loss: 0.5, acc: 90.0, time: 0.1, data_time: 0.01 };
    hook.log(r);
    r.mode = 'val';
    r.log_buffer.output = { bbox_mAP_copypaste: '0.1 0.2' } as unknown as Record<string, number>;
    hook.log(r);
    hook.after_run(r);
    const files = readdirSync(join(dir, 'tf_logs'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${hostname().replace(/[.]/g, '\\.')}$`));
    const recs = records(readFileSync(join(dir, 'tf_logs', files[0]!)));
    const first = fields(recs[0]!);
    expect(first[0]![0]).toBe(1); // wall_time
    expect(first[1]).toEqual([3, Buffer.from('brain.Event:2')]);
    const scalars: Array<[string, number, number]> = [];
    for (const rec of recs.slice(1)) {
      const f = fields(rec);
      const step = f.find(([n]) => n === 2)![1] as number;
      const summary = f.find(([n]) => n === 5)![1] as Buffer;
      for (const [, value] of fields(summary)) {
        const vf = fields(value as Buffer);
        const tag = (vf.find(([n]) => n === 1)![1] as Buffer).toString();
        const simple = vf.find(([n]) => n === 2)?.[1];
        scalars.push([tag, typeof simple === 'number' ? Math.round(simple * 1e6) / 1e6 : NaN, step]);
      }
    }
    expect(scalars.slice(0, 4)).toEqual([
      ['train/loss', 0.5, 50],
      ['train/acc', 90, 50],
      ['learning_rate', 0.02, 50],
      ['momentum', 0.9, 50],
    ]);
    // the string metric is a text summary (no simple_value)
    expect(scalars[4]![0]).toBe('val/bbox_mAP_copypaste');
    expect(scalars[4]![1]).toBeNaN();
  });
});
