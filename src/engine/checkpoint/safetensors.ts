/**
 * @module The safetensors file format (huggingface/safetensors), written and read without tfjs.
 *
 * Layout: `u64le N | N bytes of JSON header | data`. The header maps each tensor name to
 * `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data section) and may
 * hold `__metadata__`, a string → string map. Writes are atomic: a temp file in the same folder,
 * fsync'd, then renamed over the target.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DetkitError, FileNotFoundError } from '../../utils/errors.js';

/** safetensors dtypes detkit reads (and, for F32/I32/BOOL, writes). */
export type SafeDtype = 'F64' | 'F32' | 'F16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const ITEM_SIZE: Record<SafeDtype, number> = { F64: 8, F32: 4, F16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor as stored: flat little-endian data. */
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  /** Raw bytes, `prod(shape) * itemsize(dtype)` long. */
  data: Uint8Array;
}

/** A parsed file: tensors by name (header order) and the `__metadata__` map. */
export interface SafeFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** Bytes per element of `dtype`. */
export function itemSize(dtype: SafeDtype): number {
  return ITEM_SIZE[dtype];
}

function corrupt(code: string, file: string, message: string): DetkitError {
  return new DetkitError(code, `${file}: ${message}`, { file, hint: 'the checkpoint is corrupt or truncated; delete it or resume from an earlier one' });
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems do not allow fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `tensors` and `metadata` to `file` atomically (temp file + fsync + rename).
 * Data offsets start 8-byte aligned (the header is space-padded).
 */
export function writeSafetensors(file: string, tensors: ReadonlyMap<string, SafeTensor>, metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[t.dtype];
    if (t.data.byteLength !== expected) throw new DetkitError('CHECKPOINT_BAD_TENSOR', `${name}: ${t.data.byteLength} bytes for shape [${t.shape}] ${t.dtype}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const lenBuf = Buffer.alloc(8);
  lenBuf.writeBigUInt64LE(BigInt(json.length));
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, lenBuf);
    writeSync(fd, json);
    for (const t of tensors.values()) if (t.data.byteLength > 0) writeSync(fd, t.data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  fsyncDir(dir);
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

interface HeaderEntry {
  dtype: SafeDtype;
  shape: number[];
  data_offsets: [number, number];
}

/** Parses and validates the header; returns entries, metadata, and the data section start. */
function parseHeader(fd: number, file: string): { entries: Map<string, HeaderEntry>; metadata: Record<string, string>; dataStart: number; size: number } {
  const size = fstatSync(fd).size;
  if (size < 8) throw corrupt('CHECKPOINT_TRUNCATED', file, `file is ${size} bytes, shorter than the 8-byte header length`);
  const n = readExactly(fd, 8, 0).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) throw corrupt('CHECKPOINT_HEADER_TOO_LARGE', file, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > size) throw corrupt('CHECKPOINT_TRUNCATED', file, `header of ${headerLen} bytes runs past the end of the ${size}-byte file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readExactly(fd, headerLen, 8).toString('utf8'));
  } catch (err) {
    throw new DetkitError('CHECKPOINT_BAD_HEADER', `${file}: header is not valid JSON (${(err as Error).message})`, { file, cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt('CHECKPOINT_BAD_HEADER', file, 'header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = size - dataStart;
  const metadata: Record<string, string> = {};
  const entries = new Map<string, HeaderEntry>();
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw corrupt('CHECKPOINT_BAD_HEADER', file, '__metadata__ is not a string map');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw corrupt('CHECKPOINT_BAD_HEADER', file, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as Partial<HeaderEntry> | null;
    if (typeof e !== 'object' || e === null) throw corrupt('CHECKPOINT_BAD_HEADER', file, `entry ${name} is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in ITEM_SIZE)) {
      throw corrupt('CHECKPOINT_BAD_DTYPE', file, `tensor ${name} has unsupported dtype ${JSON.stringify(e.dtype)} (known: ${Object.keys(ITEM_SIZE).join(', ')})`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw corrupt('CHECKPOINT_BAD_HEADER', file, `tensor ${name} has an invalid shape`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw corrupt('CHECKPOINT_BAD_OFFSETS', file, `tensor ${name} has invalid data_offsets`);
    }
    if (off[1] > dataLen) throw corrupt('CHECKPOINT_TRUNCATED', file, `tensor ${name} ends at byte ${off[1]} of a ${dataLen}-byte data section`);
    const expected = e.shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[e.dtype];
    if (off[1] - off[0] !== expected) throw corrupt('CHECKPOINT_BAD_OFFSETS', file, `tensor ${name}: ${off[1] - off[0]} bytes for shape [${e.shape}] ${e.dtype} (expected ${expected})`);
    entries.set(name, { dtype: e.dtype, shape: e.shape, data_offsets: [off[0], off[1]] });
  }
  return { entries, metadata, dataStart, size };
}

function openChecked(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError('CHECKPOINT_NOT_FOUND', `${file} can not be found.`, { file, cause: err });
    throw new DetkitError('CHECKPOINT_READ_FAILED', `cannot open ${file}: ${(err as Error).message}`, { file, cause: err });
  }
}

/**
 * Reads only the `__metadata__` map after validating the whole header against the file size
 * (cheap: used to find complete checkpoints).
 * @throws DetkitError `CHECKPOINT_TRUNCATED`, `CHECKPOINT_HEADER_TOO_LARGE`, `CHECKPOINT_BAD_HEADER`,
 *   `CHECKPOINT_BAD_DTYPE`, `CHECKPOINT_BAD_OFFSETS`; FileNotFoundError `CHECKPOINT_NOT_FOUND`
 */
export function readSafetensorsMetadata(file: string): Record<string, string> {
  const fd = openChecked(file);
  try {
    return parseHeader(fd, file).metadata;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and validates a whole file.
 * @throws as {@link readSafetensorsMetadata}
 */
export function readSafetensors(file: string): SafeFile {
  const fd = openChecked(file);
  try {
    const { entries, metadata, dataStart, size } = parseHeader(fd, file);
    const data = readExactly(fd, size - dataStart, dataStart);
    const tensors = new Map<string, SafeTensor>();
    for (const [name, e] of entries) {
      // Copy into a fresh, aligned buffer so typed-array views are valid.
      const bytes = new Uint8Array(e.data_offsets[1] - e.data_offsets[0]);
      bytes.set(data.subarray(e.data_offsets[0], e.data_offsets[1]));
      tensors.set(name, { dtype: e.dtype, shape: e.shape, data: bytes });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}
