// A streaming gzip inflater in WebAssembly (web/wasm/inflate.c) for the viewer's loader: in
// Chromium, DecompressionStream cost a second of CPU plus half a second of promises and copies
// for a million-event trace; this decodes straight into a reused output window. No DOM: it runs
// in a worker and in vitest.
//
//   const inflater = GzipInflater.create();         // null where WebAssembly cannot run
//   for each compressed chunk:
//     inflater.push(chunk);                          // any size, cut anywhere
//     for (let out; (out = inflater.pull()); ) use(out); // a view: valid until the next call
//   inflater.end();                                  // then pull() until null once more
//
// end() marks the input final. If everything was pulled, it checks the stream there and then
// (throws InflateError 'truncated' unless the last member ended cleanly); if input is still
// waiting, pull() returns the rest and throws 'truncated' where the input runs out.
import { INFLATE_WASM } from './generated/inflate-wasm.js';
import { wasmModuleOnce } from './wasm-module.js';

export type InflateErrorKind = 'not-gzip' | 'corrupt' | 'truncated';

export class InflateError extends Error {
  readonly kind: InflateErrorKind;
  constructor(kind: InflateErrorKind, message: string) {
    super(message);
    this.name = 'InflateError';
    this.kind = kind;
  }
}

/** inflate.c's run(): what it did (>= 0) or why it stopped (its error codes, negative). */
const NEED_INPUT = 0;
const FINISHED = 2;

/** inflate.c's errors: the kind and the reader's message. */
const ERRORS: Readonly<Record<number, readonly [InflateErrorKind, string]>> = {
  [-1]: ['not-gzip', 'the file is not gzip (it does not start with 1f 8b)'],
  [-2]: ['corrupt', 'the gzip header names a compression method other than deflate'],
  [-3]: ['corrupt', 'the gzip header sets reserved flags'],
  [-4]: ['corrupt', "the gzip header's CRC (FHCRC) does not match the header"],
  [-5]: ['corrupt', 'a deflate block has the reserved block type 3'],
  [-6]: ['corrupt', "a stored deflate block's length and its complement disagree"],
  [-7]: ['corrupt', 'a dynamic deflate block declares too many length or distance codes'],
  [-8]: ['corrupt', "a deflate block's code lengths are over-subscribed"],
  [-9]: ['corrupt', "a deflate block's code lengths are incomplete"],
  [-10]: ['corrupt', "a deflate block's code length repeat has nothing to repeat or runs past the end"],
  [-11]: ['corrupt', "a deflate block's literal/length code has no end-of-block symbol"],
  [-12]: ['corrupt', 'the deflate data holds an invalid code'],
  [-13]: ['corrupt', 'the deflate data refers to bytes before the start of the output'],
  [-14]: ['corrupt', "the decompressed data does not match the gzip trailer's CRC-32"],
  [-15]: ['corrupt', "the decompressed data's length does not match the gzip trailer's size"],
  [-16]: ['truncated', 'the gzip data ends before its end (the file is truncated)'],
  [-17]: ['corrupt', 'bytes after the end of the gzip data are not another gzip member'],
};

interface InflateExports {
  readonly memory: WebAssembly.Memory;
  reset(): void;
  input_tail(): number;
  input_compact(): void;
  input_room(): number;
  input_commit(length: number): void;
  input_finish(): void;
  output_start(): number;
  output_end(): number;
  run(): number;
}

/** compiled once per worker; null where WebAssembly cannot be compiled (a CSP) */
const inflateModule = wasmModuleOnce(INFLATE_WASM);

export class GzipInflater {
  private readonly wasm: InflateExports;
  /** pushed input the module's buffer had no room for yet, oldest first */
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  /** the last pull() returned null and nothing was pushed since: all input was decoded */
  private starved = false;
  private failure: InflateError | null = null;

  /** An inflater, or null where WebAssembly cannot run. */
  static create(): GzipInflater | null {
    const module = inflateModule();
    if (!module) return null;
    try {
      return new GzipInflater(new WebAssembly.Instance(module, {}).exports as unknown as InflateExports);
    } catch {
      return null;
    }
  }

  private constructor(wasm: InflateExports) {
    this.wasm = wasm;
    wasm.reset();
  }

  /** Compressed bytes, any size, cut anywhere. The caller may reuse `input` afterwards. */
  push(input: Uint8Array): void {
    if (this.ended) throw new Error('GzipInflater.push after end()');
    if (input.length === 0) return;
    this.queue.push(input);
    this.feed();
    // what did not fit waits in a copy (queued input is first in, first out: only the last can be the caller's)
    const last = this.queue.length - 1;
    if (last >= 0) this.queue[last] = this.queue[last]!.slice();
    this.starved = false;
  }

  /** The output decoded since the last call (a view into the module's memory, valid until the
   * next call), or null when more input is needed (or, after end(), when the stream is done). */
  pull(): Uint8Array | null {
    if (this.failure) throw this.failure;
    for (;;) {
      this.feed();
      const status = this.step();
      const start = this.wasm.output_start();
      const end = this.wasm.output_end();
      if (end > start) return new Uint8Array(this.wasm.memory.buffer, start, end - start);
      if (status === FINISHED || (status === NEED_INPUT && this.queue.length === 0)) {
        this.starved = true;
        return null;
      }
      if (status === NEED_INPUT && (this.wasm.input_compact(), this.wasm.input_room() === 0)) {
        // a full input buffer and still waiting: never expected (nothing inflate.c waits for is
        // near the buffer's size), but never a hang
        this.failure = new InflateError('corrupt', 'the gzip data could not be decoded (the inflater stalled)');
        throw this.failure;
      }
    }
  }

  /** No more input. Throws InflateError('truncated') unless the last member ended cleanly, when
   * everything was pulled; otherwise pull() returns the rest and throws there. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.queue.length === 0) this.wasm.input_finish();
    // every wait was for input that now will not come: the stream ended cleanly or it is truncated
    if (this.starved) this.step();
  }

  /** Moves queued input into the module's buffer, as much as fits. */
  private feed(): void {
    while (this.queue.length > 0) {
      const chunk = this.queue[0]!;
      if (this.wasm.input_room() < chunk.length) this.wasm.input_compact();
      const length = Math.min(this.wasm.input_room(), chunk.length);
      if (length === 0) return;
      new Uint8Array(this.wasm.memory.buffer, this.wasm.input_tail(), length).set(chunk.subarray(0, length));
      this.wasm.input_commit(length);
      if (length < chunk.length) {
        this.queue[0] = chunk.subarray(length);
        return;
      }
      this.queue.shift();
    }
    if (this.ended) this.wasm.input_finish();
  }

  /** One run() of the module; its errors become InflateErrors (a trap is 'corrupt'). */
  private step(): number {
    let status: number;
    try {
      status = this.wasm.run();
    } catch (error) {
      this.failure = new InflateError('corrupt', `the gzip data could not be decoded (${error instanceof Error ? error.message : String(error)})`);
      throw this.failure;
    }
    if (status >= 0) return status;
    const [kind, message] = ERRORS[status] ?? ['corrupt', `the gzip data could not be decoded (error ${status})`];
    this.failure = new InflateError(kind, message);
    throw this.failure;
  }
}
