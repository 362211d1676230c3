// The trace's text, kept by the parse worker so that a record can be read whole later (details,
// search) without a million little strings. Small traces stay in memory as the decoded chunks;
// past `spillAboveChars` the chunks go to a spill file (on disk, outside the tab's memory: the
// Origin Private File System in the browser) and are read back one chunk at a time, so a 10M-event
// trace (1.5 GB of JSON) opens in bounded memory. Where no spill file can be had (a page opened
// from file://), the text stays in memory up to LIMITS.maxTextBytes.
import { PackedText, type TextCodec } from './packed-text.js';
import { LIMITS, tooBigText } from './trace-limits.js';

/** A file written once, front to back, and read at any place. */
export interface SpillFile {
  write(bytes: Uint8Array, at: number): void;
  /** fills `into` from `at`; the bytes read */
  read(into: Uint8Array, at: number): number;
  /** closes and removes the file */
  close(): void;
}

/** Past this many characters held, the text spills to disk (when a spill file can be had). */
export const SPILL_ABOVE_CHARS = 256 * 1024 * 1024;

/** How long opening the spill file may take before the text stays in memory instead. */
const SPILL_OPEN_TIMEOUT_MS = 10_000;

export class TraceTextStore {
  /**
   * the chunks still in memory; null once spilled. A file's chunks come as the ASCII bytes the
   * WebAssembly scanner read (decoded to a string when first read: its offsets are the string's)
   */
  private readonly held: (string | Uint8Array | null)[] = [];
  /** where each spilled chunk sits in the spill file, and its length in bytes */
  private readonly at: number[] = [];
  private readonly bytes: number[] = [];
  private heldChars = 0;
  private spillEnd = 0;
  private spill: SpillFile | null = null;
  private spillState: 'none' | 'opening' | 'open' | 'unavailable' | 'closed' = 'none';
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8');
  private scratch = new Uint8Array(0);
  /** the last chunk read back from the spill file: search and neighbouring records read it again */
  private lastRead: { chunk: number; text: string } | null = null;
  /** the spill file being opened */
  private opening: Promise<void> = Promise.resolve();
  /** a live trace's older text, deflated in memory (packWith): a live trace never spills */
  private packed = new PackedText();
  private packOld = false;
  private readonly arena = new ByteArena();

  constructor(
    private readonly name: string,
    /** null: the text stays in memory */
    private readonly openSpill: (() => Promise<SpillFile | null>) | null,
    private readonly spillAboveChars = SPILL_ABOVE_CHARS,
  ) {
    if (!openSpill) this.spillState = 'unavailable';
  }

  get count(): number {
    return this.held.length;
  }

  /** Whether the text went to a spill file (for the tests and the bench). */
  get spilled(): boolean {
    return this.spillState === 'open';
  }

  /**
   * Adds a chunk; its index. Throws a TraceOpenError when it cannot be held. Bytes may be a view
   * the caller reuses after this call: they are written to the spill file at once, or copied.
   */
  push(text: string | Uint8Array): number {
    // a live trace's text is packed as text, and it comes as text
    if (this.packOld && typeof text !== 'string') text = this.decoder.decode(text);
    const chunk = this.held.length;
    this.held.push(text);
    this.at.push(0);
    this.bytes.push(0);
    this.heldChars += text.length;
    if (this.packOld) {
      // if deflating fails, the text simply stays
      this.packed.added(this.held as (string | null)[])?.catch(() => undefined);
      return chunk;
    }
    if (this.spillState === 'open') {
      this.spillOrHold(chunk);
      this.keepIfHeld(chunk);
      return chunk;
    }
    this.keepIfHeld(chunk);
    if (this.spillState === 'none' && this.heldChars > this.spillAboveChars) this.startSpilling();
    if (this.spillState === 'unavailable' && this.heldChars > LIMITS.maxTextBytes) throw tooBigText(this.name);
    return chunk;
  }

  /** Bytes still held are the caller's view: a copy of them stays. */
  private keepIfHeld(chunk: number): void {
    const held = this.held[chunk];
    if (held instanceof Uint8Array) this.held[chunk] = this.arena.keep(held);
  }

  /** Deflate older text as it comes (a live trace, which has no end), by this codec; read it with textAsync. */
  packWith(codec?: TextCodec): void {
    this.packed = new PackedText(codec);
    this.packOld = true;
  }

  /** Bytes of deflated text held (a live trace's older text). */
  get packedBytes(): number {
    return this.packed.packedBytes;
  }

  /** A chunk's text, here and now; a packed chunk only through textAsync. */
  text(chunk: number): string {
    const held = this.held[chunk];
    if (typeof held === 'string') return held;
    if (held) {
      // ASCII bytes: the string is as big, and search reads it again
      const text = this.decoder.decode(held);
      this.held[chunk] = text;
      return text;
    }
    if (this.packed.holds(chunk)) throw new Error('this text is packed: read it with textAsync');
    if (this.lastRead?.chunk === chunk) return this.lastRead.text;
    const length = this.bytes[chunk]!;
    if (this.scratch.length < length) this.scratch = new Uint8Array(length);
    const view = this.scratch.subarray(0, length);
    const read = this.spill!.read(view, this.at[chunk]!);
    const text = this.decoder.decode(view.subarray(0, read));
    this.lastRead = { chunk, text };
    return text;
  }

  /** A chunk's text, wherever it is (in memory, spilled or packed). */
  async textAsync(chunk: number): Promise<string> {
    const held = this.held[chunk];
    if ((held === null || held === undefined) && this.packed.holds(chunk)) return this.packed.chunk(chunk);
    return this.text(chunk);
  }

  /** A spill file is being opened: whoever feeds text should wait for settled() (the text piles up in memory meanwhile). */
  get settling(): boolean {
    return this.spillState === 'opening';
  }

  /** Resolves once a spill file being opened is open (or known to be unavailable). */
  settled(): Promise<void> {
    return this.opening;
  }

  /** Lets the spill file go (a new trace is opened). */
  close(): void {
    if (this.spillState === 'closed') return;
    this.spillState = 'closed';
    this.spill?.close();
    this.spill = null;
  }

  private startSpilling(): void {
    this.spillState = 'opening';
    const opened = this.openSpill!().catch(() => null);
    // a browser that does not answer in time: the text stays in memory (reading must not stall)
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SPILL_OPEN_TIMEOUT_MS)));
    this.opening = Promise.race([opened, late]).then((file) => {
      clearTimeout(timer);
      if (this.spillState !== 'opening' || !file) {
        if (this.spillState === 'opening') this.spillState = 'unavailable';
        // a file that opens too late, or for a trace already closed, is let go
        void opened.then((lateFile) => lateFile?.close());
        return;
      }
      this.spill = file;
      this.spillState = 'open';
      for (let chunk = 0; chunk < this.held.length && this.spillState === 'open'; chunk++) this.spillOrHold(chunk);
    });
  }

  /** Spills the chunk; when the disk refuses (full), keeps it and the rest in memory, up to the limit. */
  private spillOrHold(chunk: number): void {
    try {
      this.spillChunk(chunk);
    } catch {
      // the file stays open: the chunks already in it are read from it
      this.spillState = 'unavailable';
    }
  }

  private spillChunk(chunk: number): void {
    const text = this.held[chunk];
    if (text === null || text === undefined) return;
    let written = text.length;
    if (typeof text === 'string') {
      // a character is at most 3 UTF-8 bytes (a surrogate pair: 4 for 2)
      if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(Math.max(text.length * 3, this.scratch.length * 2));
      written = this.encoder.encodeInto(text, this.scratch).written;
      this.spill!.write(this.scratch.subarray(0, written), this.spillEnd);
    } else this.spill!.write(text, this.spillEnd);
    this.at[chunk] = this.spillEnd;
    this.bytes[chunk] = written;
    this.spillEnd += written;
    this.heldChars -= text.length;
    this.held[chunk] = null;
    this.lastRead = null;
  }
}

/**
 * Where held bytes are kept: copied into slabs of SLAB bytes, a chunk a view of its slab. A
 * fresh buffer for every chunk (150 at a million events) cost Chromium half a second more.
 */
class ByteArena {
  private slab = new Uint8Array(0);
  private used = 0;

  keep(bytes: Uint8Array): Uint8Array {
    if (this.used + bytes.length > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB, bytes.length));
      this.used = 0;
    }
    const kept = this.slab.subarray(this.used, this.used + bytes.length);
    kept.set(bytes);
    this.used += bytes.length;
    return kept;
  }
}

const SLAB = 32 * 1024 * 1024;
