// The inflate worker: fetches or reads a .cttrace, checks it is gzip, decompresses it, and
// streams the bytes to the parse worker through a MessagePort (transferred, not copied), so that
// decompressing and parsing run on two threads at once.
import { LIMITS, tooBigFile, TraceOpenError } from './trace-limits.js';
import { readTraceBytes } from './trace-text.js';
import { localCodec } from './packed-text.js';
import type { InflateMessage, InflateRequest, PackReply, PackRequest } from './worker-protocol.js';

const scope = self as unknown as { onmessage: ((event: MessageEvent<InflateRequest>) => void) | null };
let generation = 0;

function failure(error: unknown): string {
  if (error instanceof TraceOpenError) return error.message;
  return `the trace could not be read: ${(error as Error)?.message ?? String(error)}`;
}

async function inflate(name: string, port: MessagePort, open: () => Promise<{ stream: ReadableStream<Uint8Array>; total: number | null }>): Promise<void> {
  const mine = ++generation;
  const send = (message: InflateMessage, transfer: Transferable[] = []) => mine === generation && port.postMessage(message, transfer);
  try {
    const { stream, total } = await open();
    await readTraceBytes(name, stream, (bytes) => {
      if (mine !== generation) throw new TraceOpenError('superseded by another trace');
      // A chunk that is a window on a larger buffer is copied, so that transferring it gives
      // away nothing else.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      send({ type: 'bytes', bytes: own }, [own.buffer]);
    }, (progress) => send({ type: 'progress', bytes: progress.bytes, total }));
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
