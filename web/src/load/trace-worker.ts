// The parse worker: turns trace text (from the inflate worker, or a live socket) into ingest
// batches, posted with their typed arrays transferred; keeps the text to answer for a whole
// record or a search.
import { batchBuffers } from '../model/span-columns.js';
import { TraceOpenError } from './trace-limits.js';
import { openOpfsSpill } from './opfs-spill.js';
import { SPILL_ABOVE_CHARS, TraceTextStore } from './text-store.js';
import { remoteCodec } from './packed-text.js';
import { TraceReader } from './trace-reader.js';
import type { InflateMessage, ParseProgress, WorkerMessage, WorkerRequest } from './worker-protocol.js';

const scope = self as unknown as {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

let session: TraceReader | null = null;
let socket: WebSocket | null = null;
let port: MessagePort | null = null;
let generation = 0;

const post = (message: WorkerMessage, transfer?: Transferable[]) => scope.postMessage(message, transfer);

/** spillAboveChars: past this much text, keep it on disk (OPFS) */
function newSession(name: string, lenient = false, spillAboveChars = SPILL_ABOVE_CHARS): TraceReader {
  session?.close();
  socket?.close();
  socket = null;
  port?.close();
  port = null;
  const mine = ++generation;
  session = new TraceReader(name, {
    header: (header, missing) => mine === generation && post({ type: 'header', header, name, missing }),
    batch: (batch) => mine === generation && post({ type: 'batch', batch }, batchBuffers(batch.spans)),
  }, lenient, new TraceTextStore(name, openOpfsSpill, spillAboveChars));
  return session;
}

function failure(error: unknown): string {
  if (error instanceof TraceOpenError) return error.message;
  return `the trace could not be read: ${(error as Error)?.message ?? String(error)}`;
}

function openPort(name: string, from: MessagePort, lenient: boolean, spillAboveChars: number | undefined): void {
  const started = performance.now();
  const current = newSession(name, lenient, spillAboveChars);
  const mine = generation;
  port = from;
  let parseMs = 0;
  let failed = false;
  from.onmessage = (event: MessageEvent<InflateMessage>) => {
    if (mine !== generation || failed) return;
    const message = event.data;
    try {
      switch (message.type) {
        case 'bytes': {
          const begun = performance.now();
          current.acceptBytes(message.bytes);
          // the records to come, from the share of the file read so far: made room for at once
          if (message.total && message.read > message.total / 20) current.expectRecords(Math.ceil(((current.recordCount * message.total) / message.read) * 1.1));
          parseMs += performance.now() - begun;
          // The inflate worker reads on once told; while the spill file opens (an answer from the
          // browser, which a flood of chunks would keep waiting) it is told only when it is open.
          const buffer = message.bytes.buffer as ArrayBuffer;
          const parsed = () => from.postMessage({ buffer } satisfies ParseProgress, [buffer]);
          if (current.textSettling) void current.textSettled().then(parsed);
          else parsed();
          return;
        }
        case 'progress':
          post({ type: 'progress', bytes: message.bytes, total: message.total, records: current.recordCount });
          return;
        case 'end': {
          current.finish();
          from.close();
          void current.textSettled().then(() => {
            if (mine === generation) post({ type: 'done', records: current.recordCount, ms: performance.now() - started, parseMs, skipped: current.skipped(), spilled: current.spilled, wasm: current.readByWasm, served: false });
          });
          return;
        }
        case 'error':
          failed = true;
          post({ type: 'error', message: message.message });
          from.close();
          return;
      }
    } catch (error) {
      failed = true;
      post({ type: 'error', message: failure(error) });
      from.close();
    }
  };
}

function openLive(url: string, packPort: MessagePort | undefined): void {
  const current = newSession('the live trace');
  // a live trace has no end: its older text is kept deflated (a tenth of its size or less), by the inflate worker
  current.packWith(packPort ? remoteCodec(packPort) : undefined);
  const mine = generation;
  let timer: ReturnType<typeof setTimeout> | null = null;
  post({ type: 'live', state: 'connecting' });
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => post({ type: 'live', state: 'open' });
  ws.onmessage = (event) => {
    if (mine !== generation || typeof event.data !== 'string') return;
    try {
      current.acceptText(`${event.data}\n`);
    } catch (error) {
      post({ type: 'error', message: failure(error) });
      ws.close();
      return;
    }
    timer ??= setTimeout(() => {
      timer = null;
      if (mine === generation) current.flush();
    }, 50);
  };
  ws.onclose = (event) => {
    if (mine !== generation) return;
    if (timer) clearTimeout(timer);
    current.flush();
    const message = event.code === 1000 || event.code === 1005 ? undefined : `the live connection closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`;
    post({ type: 'live', state: 'closed', message: current.hasHeader ? message : 'the live server refused the connection (wrong token, or the tracer has exited)' });
  };
}

scope.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case 'open-port':
      openPort(request.name, request.port, request.lenient, request.spillAboveChars);
      return;
    case 'open-live':
      openLive(request.url, request.packPort);
      return;
    case 'record': {
      // async: a live trace's older text is packed, and inflated again to be read
      const reading = session ? session.recordWhole(request.seq) : Promise.resolve(null);
      reading.then(
        (record) => post({ type: 'record', id: request.id, record }),
        (error: unknown) => post({ type: 'record', id: request.id, record: null, problem: failure(error) }),
      );
      return;
    }
    case 'search': {
      const searching = session ? session.searchAll(request.query) : Promise.resolve(new Uint32Array(0));
      searching.then(
        (seqs) => post({ type: 'search', id: request.id, seqs }, [seqs.buffer as ArrayBuffer]),
        () => post({ type: 'search', id: request.id, seqs: new Uint32Array(0) }),
      );
      return;
    }
  }
};
