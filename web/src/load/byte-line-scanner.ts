// The parse worker's side of the WebAssembly line scanner (web/wasm/line-scanner.c): bytes go in
// as they come from the inflate worker, and come out as runs of whole lines, each line with an
// entry (where it is; for a syscall line, the fields its span needs). The bytes are never
// decoded to a string on the way: that, and scanning the string, was two of the three seconds
// a million-event trace took to open.
import { LINE_SCANNER_WASM } from './generated/line-scanner-wasm.js';
import { ENTRY_BYTES } from './line-scan-entry.js';
import { wasmModuleOnce } from './wasm-module.js';

/** Entries per run: a run is at most this many lines (a piece of 1 MiB holds some 7,000). */
const CAPACITY = 16384;
const PAGE = 65536;

interface ScannerExports {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
  scan_lines(text: number, length: number, out: number, capacity: number): number;
  scanned_to(): number;
  saw_non_ascii(): number;
}

/** no WebAssembly (a policy forbids compiling it): the caller decodes and scans the text */
const scannerModule = wasmModuleOnce(LINE_SCANNER_WASM);

export class ByteLineScanner {
  private readonly wasm: ScannerExports;
  private readonly entriesAt: number;
  private readonly inputAt: number;
  private inputCapacity: number;
  /** bytes in the input: [0, filled) */
  private filled = 0;
  /** where the next run starts in the input */
  private position = 0;
  /** the last run: its bytes are input[runStart, runEnd) */
  private runStart = 0;
  private runEnd = 0;
  /** the entries of the last run (views on the module's memory: renewed when it grows) */
  numbers!: Float64Array;
  words!: Uint32Array;
  private bytes!: Uint8Array;

  /** A scanner, or null where WebAssembly cannot run. */
  static create(): ByteLineScanner | null {
    const module = scannerModule();
    if (!module) return null;
    try {
      return new ByteLineScanner(new WebAssembly.Instance(module, {}).exports as unknown as ScannerExports);
    } catch {
      return null;
    }
  }

  private constructor(wasm: ScannerExports) {
    this.wasm = wasm;
    this.entriesAt = Math.ceil(wasm.heap_base() / 8) * 8;
    this.inputAt = this.entriesAt + CAPACITY * ENTRY_BYTES;
    this.inputCapacity = 0;
    this.ensureInput(2 * 1024 * 1024);
  }

  /** Room for `length` input bytes (and 16 more: the scanner reads 16 at a time). */
  private ensureInput(length: number): void {
    if (length <= this.inputCapacity) {
      if (!this.bytes) this.renewViews();
      return;
    }
    const needed = this.inputAt + length + 16;
    const memory = this.wasm.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    this.inputCapacity = memory.buffer.byteLength - this.inputAt - 16;
    this.renewViews();
  }

  private renewViews(): void {
    const buffer = this.wasm.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.numbers = new Float64Array(buffer, this.entriesAt, CAPACITY * 7);
    this.words = new Uint32Array(buffer, this.entriesAt, CAPACITY * 14);
  }

  /** Adds bytes after those not yet taken (a line not yet ended). */
  feed(bytes: Uint8Array): void {
    if (this.position > 0) {
      // what the last runs left (a line not yet ended) moves to the front
      this.bytes.copyWithin(this.inputAt, this.inputAt + this.position, this.inputAt + this.filled);
      this.filled -= this.position;
      this.position = 0;
    }
    this.ensureInput(this.filled + bytes.length);
    this.bytes.set(bytes, this.inputAt + this.filled);
    this.filled += bytes.length;
  }

  /** Scans the next run of whole lines: its count of entries, 0 when no whole line is left. */
  next(): number {
    const count = this.wasm.scan_lines(this.inputAt + this.position, this.filled - this.position, this.entriesAt, CAPACITY);
    this.runStart = this.position;
    this.runEnd = this.position + this.wasm.scanned_to();
    this.position = this.runEnd;
    return count;
  }

  /** The last run's bytes (a view: copy what is kept), entries' offsets relative to its start. */
  run(): Uint8Array {
    return this.bytes.subarray(this.inputAt + this.runStart, this.inputAt + this.runEnd);
  }

  /** Whether the last run holds bytes that are not ASCII (its offsets are then not a string's). */
  runIsAscii(): boolean {
    return this.wasm.saw_non_ascii() === 0;
  }

  /** The bytes no newline has ended (the last line of a trace may lack one); they are taken. */
  takeRest(): Uint8Array {
    const rest = this.bytes.slice(this.inputAt + this.position, this.inputAt + this.filled);
    this.position = this.filled = 0;
    return rest;
  }
}
