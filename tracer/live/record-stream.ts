// The records going out on the socket: JSON lines batched into messages (a few per second, or
// when a batch grows large), all kept so a viewer that connects late gets everything so far.
import type { TraceHeader, TraceRecord } from '../trace/records.js';

const FLUSH_MS = 40;
const FLUSH_BYTES = 256 * 1024;
/** catch-up messages for late joiners are merged up to this size */
const CATCH_UP_BYTES = 1024 * 1024;

export class RecordStream {
  private readonly headerLine: string;
  private readonly history: string[] = [];
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  published = 0;

  constructor(
    header: TraceHeader,
    private readonly broadcast: (message: string) => void,
  ) {
    this.headerLine = JSON.stringify(header);
  }

  publish(record: TraceRecord): void {
    if (this.finished) return;
    const line = JSON.stringify(record);
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    this.published++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const message = this.pending.join('\n');
    this.pending = [];
    this.pendingBytes = 0;
    this.history.push(message);
    this.broadcast(message);
  }

  finish(): void {
    this.flush();
    this.finished = true;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** What a new viewer is sent first: the header, then every batch so far (merged). */
  catchUp(): string[] {
    const messages = [this.headerLine];
    let merged: string[] = [];
    let size = 0;
    for (const message of this.history) {
      merged.push(message);
      size += message.length;
      if (size >= CATCH_UP_BYTES) {
        messages.push(merged.join('\n'));
        merged = [];
        size = 0;
      }
    }
    if (merged.length) messages.push(merged.join('\n'));
    return messages;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
