// Syscall spans stored by column (typed arrays) so a million of them fit and draw fast.
// Arrival order; span id = index. Columns grow by doubling.

export const SPAN_FAILED = 1;
export const SPAN_UNFINISHED = 2;

/**
 * A run of spans as produced by the ingest (in a worker) and appended on the main thread. Its
 * columns hold at least `count` spans: past that is the room the builder had, never written.
 */
export interface SpanBatch {
  readonly count: number;
  /** ns since the session started */
  readonly start: Float64Array<ArrayBuffer>;
  readonly dur: Float64Array<ArrayBuffer>;
  /** lane ordinal (one per task lifetime) */
  readonly lane: Uint32Array<ArrayBuffer>;
  /** index into the names table */
  readonly name: Uint16Array<ArrayBuffer>;
  /** index into FAMILIES */
  readonly family: Uint8Array<ArrayBuffer>;
  /** SPAN_FAILED | SPAN_UNFINISHED */
  readonly flags: Uint8Array<ArrayBuffer>;
  /** the record's number in the trace (the header is not counted), to fetch it whole */
  readonly seq: Uint32Array<ArrayBuffer>;
}

type ColumnName = 'start' | 'dur' | 'lane' | 'name' | 'family' | 'flags' | 'seq';

export class SpanColumns {
  count = 0;
  start = new Float64Array(1024);
  dur = new Float64Array(1024);
  lane = new Uint32Array(1024);
  name = new Uint16Array(1024);
  family = new Uint8Array(1024);
  flags = new Uint8Array(1024);
  seq = new Uint32Array(1024);
  /** syscall names by id */
  readonly names: string[] = [];

  append(batch: SpanBatch): void {
    if (this.count === 0 && batch.count > this.start.length) {
      // the first batch becomes the columns (a trace read in one batch is never copied): memory
      // written for the first time costs more than the copy itself on a small VM
      this.start = batch.start;
      this.dur = batch.dur;
      this.lane = batch.lane;
      this.name = batch.name;
      this.family = batch.family;
      this.flags = batch.flags;
      this.seq = batch.seq;
      this.count = batch.count;
      return;
    }
    this.reserve(this.count + batch.count);
    for (const column of ['start', 'dur', 'lane', 'name', 'family', 'flags', 'seq'] as const satisfies readonly ColumnName[]) {
      (this[column] as { set(source: ArrayLike<number>, offset: number): void }).set(batch[column].subarray(0, batch.count), this.count);
    }
    this.count += batch.count;
  }

  end(id: number): number {
    return this.start[id]! + this.dur[id]!;
  }

  nameOf(id: number): string {
    return this.names[this.name[id]!] ?? '?';
  }

  /** The span of record `seq`, or -1: seq grows with the span id, so a binary search finds it. */
  spanOfSeq(seq: number): number {
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.seq[middle]!;
      if (value === seq) return middle;
      if (value < seq) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /**
   * Room for `count` spans in all, made at once: a loader that can tell how many are coming
   * saves the doubling's copies and its unused half (at 10M spans, hundreds of MB).
   */
  expect(count: number): void {
    // estimates that creep up grow the columns by half at least: a few copies, not one each
    if (count > this.start.length) this.reserve(Math.max(count, Math.ceil(this.start.length * 1.5)), false);
  }

  private reserve(needed: number, doubling = true): void {
    if (needed <= this.start.length) return;
    let size = this.start.length;
    if (doubling) while (size < needed) size *= 2;
    else size = needed;
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old.subarray(0, this.count) as never);
      return next;
    };
    this.start = grow(this.start, (n) => new Float64Array(n));
    this.dur = grow(this.dur, (n) => new Float64Array(n));
    this.lane = grow(this.lane, (n) => new Uint32Array(n));
    this.name = grow(this.name, (n) => new Uint16Array(n));
    this.family = grow(this.family, (n) => new Uint8Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
    this.seq = grow(this.seq, (n) => new Uint32Array(n));
  }
}

/** A SpanBatch being filled record by record (in the ingest). */
export class SpanBatchBuilder {
  private capacity: number;
  count = 0;
  start: Float64Array<ArrayBuffer>;
  dur: Float64Array<ArrayBuffer>;
  lane: Uint32Array<ArrayBuffer>;
  name: Uint16Array<ArrayBuffer>;
  family: Uint8Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  seq: Uint32Array<ArrayBuffer>;

  constructor(capacity = 4096) {
    this.capacity = capacity;
    this.start = new Float64Array(capacity);
    this.dur = new Float64Array(capacity);
    this.lane = new Uint32Array(capacity);
    this.name = new Uint16Array(capacity);
    this.family = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.seq = new Uint32Array(capacity);
  }

  push(start: number, dur: number, lane: number, name: number, family: number, flags: number, seq: number): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.start[i] = start;
    this.dur[i] = dur;
    this.lane[i] = lane;
    this.name[i] = name;
    this.family[i] = family;
    this.flags[i] = flags;
    this.seq[i] = seq;
  }

  /** The batch, in the builder's own columns (transferable; the builder is not used again). */
  finish(): SpanBatch {
    return { count: this.count, start: this.start, dur: this.dur, lane: this.lane, name: this.name, family: this.family, flags: this.flags, seq: this.seq };
  }

  /** Room for `capacity` spans in all, made at once (the loader's estimate of what is coming). */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.capacity = capacity;
    this.resize();
  }

  private grow(): void {
    this.capacity *= 2;
    this.resize();
  }

  private resize(): void {
    const copy = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(old.subarray(0, this.count) as never);
      return next;
    };
    this.start = copy(this.start, (n) => new Float64Array(n));
    this.dur = copy(this.dur, (n) => new Float64Array(n));
    this.lane = copy(this.lane, (n) => new Uint32Array(n));
    this.name = copy(this.name, (n) => new Uint16Array(n));
    this.family = copy(this.family, (n) => new Uint8Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.seq = copy(this.seq, (n) => new Uint32Array(n));
  }
}

/** The typed arrays of a batch, to transfer it to another thread without copying. */
export function batchBuffers(batch: SpanBatch): ArrayBuffer[] {
  return [batch.start, batch.dur, batch.lane, batch.name, batch.family, batch.flags, batch.seq].map((column) => column.buffer as ArrayBuffer);
}
