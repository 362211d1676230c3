// One trace being read (file, URL or live stream): text → lines → header check → ingest batches.
// Keeps the text (as the decoded chunks, with each record's place in them) so the details panel
// and search can have any record whole later, without a million little strings.
// Lives in the loader worker; has no DOM, so vitest runs it as is.
import type { TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import { RecordChecker, recordProblem } from '../../../tracer/trace/schema/trace-schema.js';
import { RecordIngest, type IngestBatch } from '../model/record-ingest.js';
import { emptyScan, scanSyscallLine } from './syscall-line-scanner.js';
import { ByteLineScanner } from './byte-line-scanner.js';
import { E_END, E_FLAGS, E_START, KIND_BLANK, KIND_MASK, KIND_SYSCALL } from './line-scan-entry.js';
import { TraceTextDecoder } from './trace-text.js';
import type { TextCodec } from './packed-text.js';
import { TraceTextStore } from './text-store.js';
import { checkTraceHeader, LIMITS, tooManyRecords, TraceOpenError } from './trace-limits.js';

export interface SessionSink {
  /** missing: the optional fields the header lacks */
  header(header: TraceHeader, missing: readonly string[]): void;
  batch(batch: IngestBatch): void;
}

/** How often (ms) a batch goes out while text keeps coming, so the view can fill progressively. */
const BATCH_INTERVAL_MS = 250;
/**
 * The same for a file: a trace read within it goes out as one batch, whose columns the page
 * takes as they are (a batch after the first is copied there); a larger one still fills in.
 */
const FILE_BATCH_INTERVAL_MS = 2000;

/** Where each record's line starts in its chunk (the chunk: by the chunks' first records; the end: the next newline). */
class LineStarts {
  count = 0;
  start = new Uint32Array(65536);

  push(start: number): void {
    if (this.count === this.start.length) {
      const next = new Uint32Array(this.start.length * 2);
      next.set(this.start);
      this.start = next;
    }
    this.start[this.count++] = start;
  }
}

export class TraceReader {
  private header: TraceHeader | null = null;
  /** the first record of each chunk */
  private readonly chunkFirstRecord: number[] = [];
  private readonly places = new LineStarts();
  private readonly ingest = new RecordIngest();
  private readonly scanned = emptyScan();
  private carry = '';
  private lastFlush = now();
  private lineNumber = 0;
  /** the header's line number */
  private headerLine = 0;
  /** the seq of the next record at each line after the header that is no record (blank, skipped): to find a record's line */
  private readonly gaps: number[] = [];
  private readonly checker: RecordChecker;
  /** reads a file's bytes (acceptBytes); null where WebAssembly cannot run, undefined until the first bytes */
  private scanner: ByteLineScanner | null | undefined;
  /** decodes bytes where there is no scanner, and the runs that are not ASCII */
  private readonly decoder = new TraceTextDecoder();
  private readonly lineDecoder = new TextDecoder('utf-8');

  /**
   * lenient: skip records that break the trace schema (counted: skipped()) instead of refusing the trace;
   * text: where the text is kept (in memory unless told how to spill it)
   */
  constructor(
    readonly name: string,
    private readonly sink: SessionSink,
    lenient = false,
    private readonly text: TraceTextStore = new TraceTextStore(name, null),
    /** how often a file's records go out as a batch (ms; Infinity: one batch, at the end) */
    private readonly fileBatchIntervalMs = FILE_BATCH_INTERVAL_MS,
  ) {
    this.checker = new RecordChecker(name, lenient, (message) => {
      throw new TraceOpenError(`${message}. Open it with \`cttrace view --lenient FILE\` to skip such records.`);
    });
  }

  /** Lets go of the text (its spill file): another trace is opened. */
  close(): void {
    this.text.close();
  }

  /** The text waits for its spill file to open: feed no more until textSettled(). */
  get textSettling(): boolean {
    return this.text.settling;
  }

  /** Resolves when the text has found its place (a spill file being opened is open). */
  textSettled(): Promise<void> {
    return this.text.settled();
  }

  /** Whether the WebAssembly scanner read the bytes. */
  get readByWasm(): boolean {
    return !!this.scanner;
  }

  /** Whether the text went to disk (a large trace). */
  get spilled(): boolean {
    return this.text.spilled;
  }

  /** One line on what lenient skipped, or null. */
  skipped(): string | null {
    return this.checker.summary();
  }

  get recordCount(): number {
    return this.places.count;
  }

  get hasHeader(): boolean {
    return this.header !== null;
  }

  /** Feed decoded text, cut anywhere; throws TraceOpenError for a bad header, a line that is not JSON, or too much. */
  acceptText(text: string): void {
    let from = 0;
    if (this.carry) {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        this.carry += text;
        return;
      }
      const joined = this.carry + text.slice(0, newline);
      this.carry = '';
      this.acceptLinesOf(joined, 0, joined.length, true);
      from = newline + 1;
    }
    const last = text.lastIndexOf('\n');
    if (last < from) {
      this.carry = text.slice(from);
      return;
    }
    this.acceptLinesOf(text, from, last + 1, false);
    if (last + 1 < text.length) this.carry = text.slice(last + 1);
  }

  /**
   * Feed decompressed bytes, cut anywhere (a file). The WebAssembly scanner finds the lines and
   * reads syscall lines in the bytes; a run of lines that is not all ASCII is decoded and read
   * as text, and so is everything where WebAssembly cannot run.
   */
  acceptBytes(bytes: Uint8Array): void {
    if (this.scanner === undefined) this.scanner = ByteLineScanner.create();
    const scanner = this.scanner;
    if (!scanner) {
      this.acceptText(this.decoder.decode(bytes));
      return;
    }
    scanner.feed(bytes);
    for (let count = scanner.next(); count > 0; count = scanner.next()) {
      if (scanner.runIsAscii()) this.acceptRun(scanner.run(), scanner, count);
      else {
        const text = this.lineDecoder.decode(scanner.run());
        this.acceptLinesOf(text, 0, text.length, false);
      }
    }
  }

  /** A run of whole ASCII lines the scanner read (`count` entries; a view the scanner reuses): kept as bytes, its syscalls added from the entries. */
  private acceptRun(run: Uint8Array, scanner: ByteLineScanner, count: number): void {
    this.text.push(run);
    this.chunkFirstRecord.push(this.places.count);
    const { numbers, words } = scanner;
    for (let entry = 0; entry < count; entry++) {
      const w = entry * 14;
      const start = words[w + E_START]!;
      const end = words[w + E_END]!;
      const kind = words[w + E_FLAGS]! & KIND_MASK;
      this.lineNumber++;
      if (this.header === null) {
        this.acceptHeaderLine(this.lineDecoder.decode(run.subarray(start, end)));
        continue;
      }
      const seq = this.places.count;
      if (kind === KIND_BLANK) {
        this.gaps.push(seq);
        continue;
      }
      if (seq >= LIMITS.maxRecords) throw tooManyRecords(this.name);
      if (!(kind === KIND_SYSCALL && this.ingest.addScannedBytes(run, numbers, words, entry, seq)) && !this.addParsed(this.lineDecoder.decode(run.subarray(start, end)), seq)) continue;
      this.places.push(start);
      if ((seq & 8191) === 0 && now() - this.lastFlush > this.fileBatchIntervalMs) this.flush();
    }
  }

  /** The trace is expected to hold about this many records in all (a file, from the share read). */
  expectRecords(records: number): void {
    if (records > this.places.count) this.ingest.expect(records);
  }

  /** Whole lines (a live message): the same as their text with newlines. */
  acceptLines(lines: readonly string[]): void {
    this.acceptText(`${lines.join('\n')}\n`);
  }

  private acceptLinesOf(text: string, from: number, to: number, single: boolean): void {
    this.text.push(text);
    this.chunkFirstRecord.push(this.places.count);
    let start = from;
    while (start < to) {
      let end = single ? to : text.indexOf('\n', start);
      if (end < 0 || end > to) end = to;
      this.acceptLine(text, start, end);
      start = end + 1;
    }
  }

  private acceptLine(text: string, start: number, end: number): void {
    this.lineNumber++;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (this.header === null) {
      this.acceptHeaderLine(text.slice(start, end));
      return;
    }
    const seq = this.places.count;
    if (end === start) {
      this.gaps.push(seq);
      return;
    }
    if (seq >= LIMITS.maxRecords) throw tooManyRecords(this.name);
    if (!(scanSyscallLine(text, start, end, this.scanned) && this.ingest.addScanned(text, this.scanned, seq)) && !this.addParsed(text.slice(start, end), seq)) return;
    this.places.push(start);
    if ((seq & 8191) === 0 && now() - this.lastFlush > BATCH_INTERVAL_MS) this.flush();
  }

  /** A line before the header: blank, or the header (checked; a bad one throws). */
  private acceptHeaderLine(line: string): void {
    if (line.trim() === '') return;
    const { header, missing } = checkTraceHeader(this.name, line);
    this.header = header;
    this.headerLine = this.lineNumber;
    this.sink.header(header, missing);
  }

  /** Record seq from its line, parsed whole and checked: false if lenient skipped it (a gap then). */
  private addParsed(line: string, seq: number): boolean {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const record = value === undefined ? this.checker.notJson(this.lineNumber) : this.checker.check(value, this.lineNumber);
    if (record === null) {
      this.gaps.push(seq);
      return false;
    }
    this.ingest.add(record, seq);
    return true;
  }

  /** Send what was ingested since the last batch. */
  flush(): void {
    this.lastFlush = now();
    const batch = this.ingest.take();
    if (batch) this.sink.batch(batch);
  }

  /** After the last text: the last line may lack its newline; a trace with no header is not a trace. */
  finish(): void {
    // bytes no newline ended: the last line of a trace may lack one (a character cut there: U+FFFD)
    const rest = this.scanner ? this.lineDecoder.decode(this.scanner.takeRest()) : this.decoder.end();
    if (rest) this.carry += rest;
    if (this.carry.trim() !== '') {
      const rest = this.carry;
      this.carry = '';
      this.acceptLinesOf(rest, 0, rest.length, true);
    }
    if (this.header === null) throw new TraceOpenError(`${this.name} is empty: it holds no cttrace header.`);
    this.flush();
  }

  /** The chunk holding record seq: the last chunk whose first record is at or before it. */
  private chunkOf(seq: number): number {
    let low = 0;
    let high = this.chunkFirstRecord.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.chunkFirstRecord[middle]! <= seq) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private lineEnd(text: string, start: number): number {
    const newline = text.indexOf('\n', start);
    let end = newline < 0 ? text.length : newline;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  private lineOf(seq: number, text: string): string {
    const start = this.places.start[seq]!;
    return text.slice(start, this.lineEnd(text, start));
  }

  /** Bytes the session holds deflated (a live trace's older text). */
  get packedBytes(): number {
    return this.text.packedBytes;
  }

  /** Deflate older text as it comes (a live trace, which has no end), by this codec (default: here); read it with recordWhole and searchAll. */
  packWith(codec?: TextCodec): void {
    this.text.packWith(codec);
  }

  /** The line number of record seq: the header's, then one a record, plus the lines that held none before it. */
  private lineNumberOf(seq: number): number {
    let low = 0;
    let high = this.gaps.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.gaps[middle]! <= seq) low = middle + 1;
      else high = middle;
    }
    return this.headerLine + 1 + seq + low;
  }

  /**
   * Record seq whole, or null if there is none. A syscall line the scanner took was checked only
   * in the fields the timeline uses: the whole record is checked here, and one that breaks the
   * schema throws a TraceOpenError naming its line.
   */
  recordAt(seq: number): TraceRecord | null {
    if (!(seq >= 0 && seq < this.places.count)) return null;
    return this.parseRecord(seq, this.text.text(this.chunkOf(seq)));
  }

  /** recordAt, for text that may be packed. */
  async recordWhole(seq: number): Promise<TraceRecord | null> {
    if (!(seq >= 0 && seq < this.places.count)) return null;
    return this.parseRecord(seq, await this.text.textAsync(this.chunkOf(seq)));
  }

  private parseRecord(seq: number, text: string): TraceRecord {
    let value: unknown;
    try {
      value = JSON.parse(this.lineOf(seq, text));
    } catch {
      throw new TraceOpenError(`${this.name} line ${this.lineNumberOf(seq)} is not JSON: the trace is corrupt (cut or edited?).`);
    }
    const problem = recordProblem(value);
    if (problem !== null) throw new TraceOpenError(`${this.name} line ${this.lineNumberOf(seq)}: ${problem}.`);
    return value as TraceRecord;
  }

  /** Records whose line contains the text (case-insensitive), at most `limit` of them, in order. */
  search(query: string, limit = 1_000_000): Uint32Array {
    const found: number[] = [];
    if (query === '') return new Uint32Array(0);
    const pattern = searchPattern(query);
    for (let chunk = 0; chunk < this.text.count && found.length < limit; chunk++) this.searchChunk(chunk, this.text.text(chunk), pattern, found, limit);
    return Uint32Array.from(found);
  }

  /** search, for text that may be packed. */
  async searchAll(query: string, limit = 1_000_000): Promise<Uint32Array> {
    const found: number[] = [];
    if (query === '') return new Uint32Array(0);
    const pattern = searchPattern(query);
    for (let chunk = 0; chunk < this.text.count && found.length < limit; chunk++) this.searchChunk(chunk, await this.text.textAsync(chunk), pattern, found, limit);
    return Uint32Array.from(found);
  }

  private searchChunk(chunk: number, text: string, pattern: RegExp, found: number[], limit: number): void {
    const first = this.chunkFirstRecord[chunk]!;
    const after = chunk + 1 < this.text.count ? this.chunkFirstRecord[chunk + 1]! : this.places.count;
    let seq = first;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match && found.length < limit; match = pattern.exec(text)) {
      // the last record starting at or before the match; a match in a skipped line (blank, header) is no record
      while (seq + 1 < after && this.places.start[seq + 1]! <= match.index) seq++;
      if (seq >= after || this.places.start[seq]! > match.index) continue;
      const end = this.lineEnd(text, this.places.start[seq]!);
      if (match.index < end) found.push(seq);
      pattern.lastIndex = end;
      seq++;
    }
  }
}

function searchPattern(query: string): RegExp {
  return new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
}

function now(): number {
  return typeof performance === 'undefined' ? Date.now() : performance.now();
}
