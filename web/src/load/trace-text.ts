// Reads a .cttrace byte stream: checks the gzip magic, decompresses with DecompressionStream and
// hands over the bytes, or the decoded text, in chunks (cut anywhere: the session finds the lines).
import { GzipInflater } from './gzip-inflater.js';
import { corruptGzip, LIMITS, notGzip, tooBigText, TraceOpenError } from './trace-limits.js';

export interface TextProgress {
  /** compressed bytes read so far */
  readonly bytes: number;
}

async function withCheckedMagic(name: string, stream: ReadableStream<Uint8Array>, onBytes: (n: number) => void): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < 2) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value);
    length += value.length;
    onBytes(value.length);
  }
  const first = new Uint8Array(length);
  let offset = 0;
  for (const part of head) {
    first.set(part, offset);
    offset += part.length;
  }
  if (length < 2 || first[0] !== 0x1f || first[1] !== 0x8b) {
    await reader.cancel().catch(() => undefined);
    throw notGzip(name);
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else {
        onBytes(value.length);
        controller.enqueue(value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Calls onBytes with each decompressed chunk (cut anywhere, even inside a character); rejects
 * with a TraceOpenError for data that is not a trace. The loader hands these bytes to the parse
 * worker as they are (transferred, not copied) and decodes them there: posting decoded strings
 * between workers copied every character twice, about a fifth of opening a 1M-event trace.
 * onBytes may return a promise: reading waits for it (the parse worker is behind); the bytes it
 * is given are good until then only (a view on the inflater's window).
 * The WebAssembly inflater (gzip-inflater.ts) decompresses, 5× faster than DecompressionStream
 * in Chromium's worker; DecompressionStream where WebAssembly cannot run.
 */
export async function readTraceBytes(
  name: string,
  stream: ReadableStream<Uint8Array>,
  onBytes: (bytes: Uint8Array) => void | Promise<void>,
  onProgress?: (progress: TextProgress) => void,
): Promise<void> {
  let compressed = 0;
  let inflated = 0;
  const checked = await withCheckedMagic(name, stream, (n) => (compressed += n));
  const inflater = GzipInflater.create();
  const chunks = inflater ? checked.getReader() : checked.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  const give = async (bytes: Uint8Array) => {
    inflated += bytes.length;
    if (inflated > LIMITS.maxInflatedBytes) {
      await chunks.cancel().catch(() => undefined);
      throw tooBigText(name, LIMITS.maxInflatedBytes);
    }
    await onBytes(bytes);
  };
  try {
    while (true) {
      const { done, value } = await chunks.read();
      if (inflater) {
        if (done) inflater.end();
        else inflater.push(value);
        for (let out = inflater.pull(); out; out = inflater.pull()) await give(out);
      } else if (!done) await give(value);
      if (done) break;
      onProgress?.({ bytes: compressed });
    }
  } catch (error) {
    if (error instanceof TraceOpenError) throw error;
    throw corruptGzip(name, (error as Error).message);
  }
}

/** Turns decompressed chunks into text, a character cut between chunks made whole. */
export class TraceTextDecoder {
  private readonly decoder = new TextDecoder('utf-8');

  decode(bytes: Uint8Array): string {
    return this.decoder.decode(bytes, { stream: true });
  }

  /** What a character cut at the very end leaves (U+FFFD), or ''. */
  end(): string {
    return this.decoder.decode();
  }
}

/** Calls onText with each decoded chunk; rejects with a TraceOpenError for data that is not a trace. */
export async function readTraceText(
  name: string,
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
  onProgress?: (progress: TextProgress) => void,
): Promise<void> {
  const decoder = new TraceTextDecoder();
  await readTraceBytes(name, stream, (bytes) => onText(decoder.decode(bytes)), onProgress);
  const rest = decoder.end();
  if (rest) onText(rest);
}
