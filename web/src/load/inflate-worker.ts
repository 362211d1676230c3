// The inflate worker: fetches or reads a .cttrace, checks it is gzip, decompresses it, and
// streams the bytes to the parse worker through a MessagePort (in buffers transferred there and
// back, not copied), so that decompressing and parsing run on two threads at once.
import { LIMITS, tooBigFile, TraceOpenError } from './trace-limits.js';
import { readTraceBytes } from './trace-text.js';
import { localCodec } from './packed-text.js';
import type { InflateMessage, InflateRequest, PackReply, PackRequest, ParseProgress } from './worker-protocol.js';

const scope = self as unknown as { onmessage: ((event: MessageEvent<InflateRequest>) => void) | null };
let generation = 0;

/**
 * The decompressed bytes travel in buffers of PIECE bytes that the parse worker hands back once
 * parsed, and at most MAX_PIECES are out at once: reading waits for one to come back. So the
 * memory for bytes in flight is fixed (a trace inflates faster than it parses: without a bound
 * the difference, a gigabyte at 10M events, queued up in the parse worker's inbox), and no
 * gigabyte of spent buffers waits for the garbage collector either.
 */
const PIECE = 1024 * 1024;
const MAX_PIECES = 24;
/**
 * Progress goes out at most this often (ms). DecompressionStream yields 64 KiB at a time: a
 * message for each (2,400 at 1M events) kept the page's main thread busy redrawing the
 * progress line, on a core the two loader workers need.
 */
const PROGRESS_INTERVAL_MS = 100;
/** buffers back from the parse worker, to fill again */
const spare: ArrayBuffer[] = [];
/** wakes the reading that waits for a buffer (a new trace or a cancel wakes it too, to stop) */
let wake: (() => void) | null = null;

function wakeReader(): void {
  const waiting = wake;
  wake = null;
  waiting?.();
}

function failure(error: unknown): string {
  if (error instanceof TraceOpenError) return error.message;
  return `the trace could not be read: ${(error as Error)?.message ?? String(error)}`;
}

async function inflate(name: string, port: MessagePort, open: () => Promise<{ stream: ReadableStream<Uint8Array>; total: number | null }>): Promise<void> {
  const mine = ++generation;
  wakeReader();
  let out = 0;
  port.onmessage = (event: MessageEvent<ParseProgress>) => {
    out--;
    if (spare.length < MAX_PIECES) spare.push(event.data.buffer);
    wakeReader();
  };
  const send = (message: InflateMessage, transfer: Transferable[] = []) => mine === generation && port.postMessage(message, transfer);
  let piece = new Uint8Array(0);
  let filled = 0;
  let read = 0;
  let total: number | null = null;
  const sendPiece = () => {
    if (filled === 0) return;
    send({ type: 'bytes', bytes: piece.subarray(0, filled), read, total }, [piece.buffer]);
    out++;
    piece = new Uint8Array(0);
    filled = 0;
  };
  let lastProgress = 0;
  try {
    const opened = await open();
    total = opened.total;
    const stream = opened.stream;
    await readTraceBytes(name, stream, async (bytes) => {
      for (let from = 0; from < bytes.length; ) {
        if (mine !== generation) throw new TraceOpenError('superseded by another trace');
        if (piece.length === 0) {
          while (out >= MAX_PIECES) {
            await new Promise<void>((resolve) => (wake = resolve));
            if (mine !== generation) throw new TraceOpenError('superseded by another trace');
          }
          piece = new Uint8Array(spare.pop() ?? new ArrayBuffer(PIECE));
        }
        const take = Math.min(bytes.length - from, piece.length - filled);
        piece.set(bytes.subarray(from, from + take), filled);
        filled += take;
        from += take;
        if (filled === piece.length) sendPiece();
      }
    }, (progress) => {
      read = progress.bytes;
      const now = performance.now();
      if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      send({ type: 'progress', bytes: progress.bytes, total });
    });
    sendPiece();
    send({ type: 'end' });
  } catch (error) {
    send({ type: 'error', message: failure(error) });
  } finally {
    port.close();
  }
}

async function fetchTrace(url: string, name: string): Promise<{ stream: ReadableStream<Uint8Array>; total: number | null }> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    throw new TraceOpenError(`${name} could not be fetched: ${(error as Error).message}`);
  }
  if (!response.ok || !response.body) throw new TraceOpenError(`${name} could not be fetched: HTTP ${response.status} ${response.statusText}`.trim());
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (length > LIMITS.maxFileBytes) throw tooBigFile(name, length);
  return { stream: response.body, total: Number.isFinite(length) ? length : null };
}

scope.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case 'inflate-file': {
      const { file } = request;
      void inflate(file.name, request.port, async () => {
        if (file.size > LIMITS.maxFileBytes) throw tooBigFile(file.name, file.size);
        return { stream: file.stream() as ReadableStream<Uint8Array>, total: file.size };
      });
      return;
    }
    case 'inflate-url':
      void inflate(request.name, request.port, () => fetchTrace(request.url, request.name));
      return;
    case 'cancel':
      generation++;
      wakeReader();
      return;
    case 'pack-service': {
      // idle in a live session otherwise: deflating there keeps the parse worker's time for records
      const port = request.port;
      port.onmessage = (message: MessageEvent<PackRequest>) => {
        const ask = message.data;
        const done = (reply: PackReply, transfer: Transferable[] = []) => port.postMessage(reply, transfer);
        const fail = (error: unknown) => done({ id: ask.id, error: String((error as Error)?.message ?? error) });
        if (ask.op === 'deflate') localCodec.deflate(ask.text).then((bytes) => done({ id: ask.id, bytes }, [bytes.buffer as ArrayBuffer]), fail);
        else localCodec.inflate(ask.bytes).then((text) => done({ id: ask.id, text }), fail);
      };
      return;
    }
  }
};
