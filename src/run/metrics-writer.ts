// metrics.jsonl: one JSON object per logged step, appended in order. Lines are buffered and
// written every `flushMs` (or when the buffer grows), checked on each record: the training
// loop is synchronous, so a timer would never get to run while it works.
import { closeSync, openSync } from 'node:fs';
import { failWriteIfAsked, namedWriteError } from './disk-full.js';
import { writeAll } from './run-dir.js';

/** Typed arrays would serialise as {"0": …}; metrics readers want plain arrays. */
function replacer(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

export class MetricsWriter {
  private readonly fd: number;
  private buffer = '';
  private lastFlush = Date.now();

  constructor(
    readonly file: string,
    private readonly flushMs = 2000,
    private readonly maxBuffered = 1 << 16,
  ) {
    this.fd = openSync(file, 'a');
  }

  write(record: object): void {
    this.buffer += `${JSON.stringify(record, replacer)}\n`;
    if (this.buffer.length >= this.maxBuffered || Date.now() - this.lastFlush >= this.flushMs) this.flush();
  }

  flush(): void {
    if (this.buffer !== '') {
      const bytes = Buffer.from(this.buffer);
      try {
        failWriteIfAsked(this.file);
        writeAll(this.fd, bytes);
      } catch (e) {
        throw namedWriteError(e, this.file, bytes.length);
      }
    }
    this.buffer = '';
    this.lastFlush = Date.now();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}
