// A saved trace read by `cttrace view`'s server for the page: Node's zlib and the viewer's own
// reader (web/src/load/trace-reader.ts, the same code the page's workers run) make the model,
// which the page fetches as typed arrays (served-model.ts) and draws. On a 2-core machine the
// page's own path (gunzip, the line scanner, keeping the text) used both cores for 3 s at a
// million events while its page and workers were starting; here the reading starts with the
// server, beside the browser. The server keeps the text to answer for a record whole or a
// search. A trace whose text passes SERVED_TEXT_LIMIT is left to the page's own path.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import { corruptGzip, LIMITS, notGzip, tooBigFile, TraceOpenError } from '../../web/src/load/trace-limits.js';
import type { IngestBatch } from '../../web/src/model/record-ingest.js';
import { TraceTextStore } from '../../web/src/load/text-store.js';
import { servedModelParts, type ServedColumns } from './served-model.js';
import { openUnlinkedFile } from './unlinked-file.js';

/**
 * Decompressed text the server reads for the page at most (it goes to a scratch file, not to
 * memory: what the server holds is the span columns); past it, the page reads the trace itself.
 */
export const SERVED_TEXT_LIMIT = LIMITS.maxTextBytes;

export type ServedOutcome =
  /** the model, in parts to write one after the other (served-model.ts) */
  | { readonly kind: 'ready'; readonly model: readonly Uint8Array[] }
  /** the trace cannot be shown: the one line that says why */
  | { readonly kind: 'refused'; readonly message: string }
  /** too big to hold here: the page reads it itself */
  | { readonly kind: 'too-big' };

class TooBigToServe extends Error {}

/**
 * The size of the text a gzip file holds, from its trailer (ISIZE: modulo 4 GiB, and of the last
 * member only, so a hint; the limit is checked again while reading), or null.
 */
export function gzipTextSize(path: string): number | null {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size < 18) return null;
    const trailer = Buffer.alloc(4);
    readSync(fd, trailer, 0, 4, size - 4);
    return trailer.readUInt32LE(0);
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export class ServedTrace {
  private readonly reader: TraceReader;
  private readonly text: TraceTextStore;
  private header: TraceHeader | null = null;
  private missing: readonly string[] = [];
  private readonly batches: IngestBatch[] = [];
  /** settles when the whole trace is read (or refused) */
  readonly outcome: Promise<ServedOutcome>;
  private stop: () => void = () => undefined;
  /** how far the reading is: compressed bytes read of the file's size (null: unknown) */
  private readonly read_ = { bytes: 0, total: null as number | null };

  /**
   * Starts reading `source` (gzip'd JSON lines; `size`: its length in bytes, when known;
   * `textSize`: what its gzip trailer says the text holds, when known, to leave a trace too big
   * to the page before reading any of it).
   */
  constructor(
    readonly name: string,
    source: Readable,
    size: number | null,
    lenient: boolean,
    private readonly textLimit = SERVED_TEXT_LIMIT,
    textSize: number | null = null,
  ) {
    // the text goes to a nameless scratch file from the first byte (unlinked-file.ts)
    this.text = new TraceTextStore(name, async () => openUnlinkedFile(), 0);
    this.reader = new TraceReader(name, { header: (header, missing) => ((this.header = header), (this.missing = missing)), batch: (batch) => this.batches.push(batch) }, lenient, this.text, Infinity);
    if (textSize !== null && textSize > textLimit) {
      source.destroy();
      this.outcome = Promise.resolve({ kind: 'too-big' });
    } else this.outcome = this.read(source, size);
  }

  /** Stops reading (a new trace replaces this one, or the server closes). */
  close(): void {
    this.stop();
    this.text.close();
  }

  /** How far the reading is, for the page's progress line. */
  progress(): { bytes: number; total: number | null; records: number } {
    return { bytes: this.read_.bytes, total: this.read_.total, records: this.reader.recordCount };
  }

  private async read(source: Readable, size: number | null): Promise<ServedOutcome> {
    const started = performance.now();
    this.read_.total = size;
    const progress = this.read_;
    if (size !== null && size > LIMITS.maxFileBytes) return { kind: 'refused', message: tooBigFile(this.name, size).message };
    let compressed = 0;
    let inflated = 0;
    const name = this.name;
    const magic = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (compressed === 0 && chunk.length > 0 && (chunk[0] !== 0x1f || (chunk.length > 1 && chunk[1] !== 0x8b))) return done(notGzip(name));
        compressed += chunk.length;
        progress.bytes = compressed;
        if (compressed > LIMITS.maxFileBytes) return done(tooBigFile(name, compressed));
        done(null, chunk);
      },
    });
    // 1 MiB at a time: the reader's cost is per call as well as per byte
    const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
    const streams = pipeline(source, magic, gunzip, () => undefined);
    this.stop = () => streams.destroy();
    try {
      for await (const bytes of streams as AsyncIterable<Buffer>) {
        inflated += bytes.length;
        if (inflated > this.textLimit) throw new TooBigToServe();
        this.reader.acceptBytes(bytes);
        if (this.reader.textSettling) await this.reader.textSettled();
        // the records to come, from the share read so far: the span columns are made that big once
        if (size && compressed > size / 20) this.reader.expectRecords(Math.ceil(((this.reader.recordCount * size) / compressed) * 1.1));
      }
      if (compressed < 2) throw notGzip(name);
      this.reader.finish();
    } catch (error) {
      streams.destroy();
      if (error instanceof TooBigToServe) return { kind: 'too-big' };
      if (compressed < 2 && !(error instanceof TraceOpenError)) return { kind: 'refused', message: notGzip(name).message };
      if (error instanceof TraceOpenError) return { kind: 'refused', message: error.message };
      return { kind: 'refused', message: corruptGzip(name, (error as Error).message).message };
    }
    const { names, lanes, kept, columns } = merged(this.batches);
    this.batches.length = 0;
    const summary = { name, header: this.header, missing: this.missing, records: this.reader.recordCount, ms: performance.now() - started, skipped: this.reader.skipped(), wasm: this.reader.readByWasm, names, lanes, kept };
    return { kind: 'ready', model: servedModelParts(summary, columns) };
  }

  /** Record seq whole, or null; a record that breaks the schema throws its TraceOpenError. */
  record(seq: number): Promise<TraceRecord | null> {
    return this.reader.recordWhole(seq);
  }

  /** The records whose line holds `query` (case-insensitive). */
  search(query: string): Promise<Uint32Array> {
    return this.reader.searchAll(query);
  }
}

/** The batches as one: what the page adopts as its columns. */
function merged(batches: readonly IngestBatch[]): { names: string[]; lanes: unknown[]; kept: unknown[]; columns: ServedColumns } {
  const names = batches.flatMap((batch) => batch.names);
  const lanes = batches.flatMap((batch) => batch.lanes);
  const kept = batches.flatMap((batch) => batch.kept);
  if (batches.length === 1) return { names, lanes, kept, columns: batches[0]!.spans };
  const count = batches.reduce((sum, batch) => sum + batch.spans.count, 0);
  const columns = { count, start: new Float64Array(count), dur: new Float64Array(count), lane: new Uint32Array(count), seq: new Uint32Array(count), name: new Uint16Array(count), family: new Uint8Array(count), flags: new Uint8Array(count) };
  let at = 0;
  for (const { spans } of batches) {
    for (const key of ['start', 'dur', 'lane', 'seq', 'name', 'family', 'flags'] as const) (columns[key] as { set(from: ArrayLike<number>, at: number): void }).set(spans[key].subarray(0, spans.count), at);
    at += spans.count;
  }
  return { names, lanes, kept, columns };
}
