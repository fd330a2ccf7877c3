/**
 * @module A minimal TensorBoard event-file writer (deps.md "TensorBoard writer").
 *
 * Each record is TFRecord-framed: `u64le len | u32le masked_crc32c(len) | data | u32le
 * masked_crc32c(data)`; the data is a serialized `tensorflow.Event`. The first record carries
 * `file_version: "brain.Event:2"`. Files are named `events.out.tfevents.<unix secs>.<host>`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package tensorflow;
message TensorShapeProto { message Dim { int64 size = 1; } repeated Dim dim = 2; }
message TensorProto { int32 dtype = 1; TensorShapeProto tensor_shape = 2; repeated bytes string_val = 8; }
message SummaryMetadata { message PluginData { string plugin_name = 1; bytes content = 2; } PluginData plugin_data = 1; }
message Summary {
  message Value { string tag = 1; float simple_value = 2; TensorProto tensor = 8; SummaryMetadata metadata = 9; }
  repeated Value value = 1;
}
message Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const EventType = root.lookupType('tensorflow.Event');
/** `DT_STRING` in tensorflow's `types.proto`. */
const DT_STRING = 7;

/** TFRecord's masked CRC32-C. */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data) >>> 0;
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord frame around `data`. */
export function tfrecordFrame(data: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(maskedCrc32c(len));
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([len, head, Buffer.from(data), tail]);
}

/** Writes scalars and text to one event file (PyTorch `SummaryWriter` subset). */
export class SummaryWriter {
  /** Absolute path of the event file. */
  readonly file: string;
  private fd: number | null;

  /** Creates `logDir` and the event file, and writes the file_version record. */
  constructor(logDir: string, now: Date = new Date()) {
    mkdirSync(logDir, { recursive: true });
    this.file = join(logDir, `events.out.tfevents.${Math.floor(now.getTime() / 1000)}.${hostname()}`);
    this.fd = openSync(this.file, 'a');
    this.write({ wall_time: now.getTime() / 1000, file_version: 'brain.Event:2' });
  }

  private write(event: Record<string, unknown>): void {
    if (this.fd === null) return;
    const bytes = EventType.encode(EventType.fromObject(event)).finish();
    writeSync(this.fd, tfrecordFrame(bytes));
  }

  /** A scalar point (`simple_value`, float32) of series `tag` at `step`. */
  addScalar(tag: string, value: number, step: number): void {
    this.write({ wall_time: Date.now() / 1000, step, summary: { value: [{ tag, simple_value: value }] } });
  }

  /** A text point (the TensorBoard `text` plugin) of series `tag` at `step`. */
  addText(tag: string, text: string, step: number): void {
    this.write({
      wall_time: Date.now() / 1000,
      step,
      summary: {
        value: [
          {
            tag,
            metadata: { plugin_data: { plugin_name: 'text', content: new Uint8Array() } },
            tensor: { dtype: DT_STRING, tensor_shape: { dim: [] }, string_val: [Buffer.from(text, 'utf8')] },
          },
        ],
      },
    });
  }

  /** Forces the records to disk. */
  flush(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  /** Flushes and closes the file; later writes are ignored. */
  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
