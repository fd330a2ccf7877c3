import { closeSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/engine_helpers.js';
import { readSafetensors, readSafetensorsMetadata, writeSafetensors, type SafeTensor } from './safetensors.js';

function f32(values: number[], shape: number[]): SafeTensor {
  return { dtype: 'F32', shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

/** A file made by hand: header JSON + data bytes. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(), declaredLen?: bigint): string {
  const file = join(tempDir(), 'x.safetensors');
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(declaredLen ?? BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, data]));
  return file;
}

describe('safetensors format', () => {
  it('round-trips tensors and metadata, 8-byte aligned data, layout per the spec', () => {
    const dir = tempDir();
    const file = join(dir, 'a.safetensors');
    const tensors = new Map<string, SafeTensor>([
      ['w', f32([1, 2, 3, 4, 5, 6], [2, 3])],
      ['n', { dtype: 'I32', shape: [], data: new Uint8Array(Int32Array.from([7]).buffer) }],
    ]);
    writeSafetensors(file, tensors, { meta: '{"epoch": 1}' });
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, unknown>;
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.n).toEqual({ dtype: 'I32', shape: [], data_offsets: [24, 28] });
    expect(header.__metadata__).toEqual({ meta: '{"epoch": 1}' });
    expect(bytes.length).toBe(8 + n + 28);
    const back = readSafetensors(file);
    expect([...new Float32Array(back.tensors.get('w')!.data.buffer)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.metadata).toEqual({ meta: '{"epoch": 1}' });
    expect(readSafetensorsMetadata(file)).toEqual({ meta: '{"epoch": 1}' });
  });

  it('reads F16, F64, I64 and U8 (converted by the checkpoint loader)', () => {
    const data = Buffer.alloc(2 + 8 + 8 + 1);
    data.writeUInt16LE(0x3c00, 0); // 1.0 in half precision
    data.writeDoubleLE(2.5, 2);
    data.writeBigInt64LE(-3n, 10);
    data.writeUInt8(200, 18);
    const file = rawFile({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, d: { dtype: 'F64', shape: [1], data_offsets: [2, 10] }, l: { dtype: 'I64', shape: [1], data_offsets: [10, 18] }, u: { dtype: 'U8', shape: [1], data_offsets: [18, 19] } }, data);
    const back = readSafetensors(file);
    expect(back.tensors.get('u')!.data[0]).toBe(200);
    expect(back.tensors.size).toBe(4);
  });

  it('writes atomically: no temp file left, and a failed write leaves the old file intact', () => {
    const dir = tempDir();
    const file = join(dir, 'epoch_1.safetensors');
    writeSafetensors(file, new Map([['w', f32([1], [1])]]));
    const before = readFileSync(file);
    expect(() => writeSafetensors(file, new Map([['w', { dtype: 'F32', shape: [2], data: new Uint8Array(4) }]]))).toThrow(/bytes for shape/);
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['epoch_1.safetensors']);
    expect(readSafetensors(file).tensors.size).toBe(1);
  });

  describe('corrupt files get a clear DetkitError, never a crash or hang', () => {
    it('missing file', () => {
      expect(() => readSafetensors('/nonexistent/x.safetensors')).toThrow(expect.objectContaining({ code: 'CHECKPOINT_NOT_FOUND', message: '/nonexistent/x.safetensors can not be found.' }));
    });
    it('shorter than 8 bytes', () => {
      const file = join(tempDir(), 'short.safetensors');
      writeFileSync(file, Buffer.from([1, 2, 3]));
      expect(() => readSafetensors(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED', file }));
    });
    it('header length over the 100 MB limit (no huge allocation)', () => {
      const file = rawFile('{}', new Uint8Array(), 2n ** 62n);
      expect(() => readSafetensors(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_HEADER_TOO_LARGE' }));
    });
    it('header running past the end of the file', () => {
      const file = rawFile('{}', new Uint8Array(), 1000n);
      expect(() => readSafetensors(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED' }));
    });
    it('header not JSON / not an object', () => {
      expect(() => readSafetensors(rawFile('{"w": '))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_BAD_HEADER' }));
      expect(() => readSafetensors(rawFile('[1, 2]'))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_BAD_HEADER' }));
      expect(() => readSafetensors(rawFile({ __metadata__: { a: 1 } }))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_BAD_HEADER' }));
    });
    it('unknown dtype', () => {
      expect(() => readSafetensors(rawFile({ w: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)))).toThrow(
        expect.objectContaining({ code: 'CHECKPOINT_BAD_DTYPE', message: expect.stringContaining('unsupported dtype "BF16"') }),
      );
    });
    it('offsets outside the data section, reversed, or not matching the shape', () => {
      expect(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED' }));
      expect(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(8)))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_BAD_OFFSETS' }));
      expect(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_BAD_OFFSETS' }));
      expect(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(8)))).toThrow(expect.objectContaining({ code: 'CHECKPOINT_BAD_HEADER' }));
    });
    it('a valid file truncated anywhere in its data', () => {
      const file = join(tempDir(), 'epoch_1.safetensors');
      writeSafetensors(file, new Map([['w', f32([1, 2, 3, 4], [4])]]));
      truncateSync(file, statSync(file).size - 3);
      expect(() => readSafetensors(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED' }));
      expect(() => readSafetensorsMetadata(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED' }));
    });
    it('garbage bytes', () => {
      const file = join(tempDir(), 'g.safetensors');
      const fd = openSync(file, 'w');
      writeSync(fd, Buffer.from('PK\u0003\u0004 this is a zip, not safetensors'));
      closeSync(fd);
      expect(() => readSafetensors(file)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^CHECKPOINT_/) }));
    });
  });
});
