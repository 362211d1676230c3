// The page's side of the loader workers: open a trace, get the header and batches as they come,
// ask for a record whole or for search matches. A file or URL goes through two workers joined
// by a MessageChannel: inflate (fetch, gunzip, decode) → parse (lines, records, batches).
import type { TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import type { IngestBatch } from '../model/record-ingest.js';
import type { InflateRequest, LoadDone, WorkerMessage, WorkerRequest } from './worker-protocol.js';
import { makeInflateWorker, makeParseWorker } from './workers.js';

export interface TraceSourceEvents {
  /** missing: the optional fields the header lacks */
  header(header: TraceHeader, name: string, missing: readonly string[]): void;
  batch(batch: IngestBatch): void;
  progress(bytes: number, total: number | null, records: number): void;
  done(done: LoadDone): void;
  error(message: string): void;
  /** a record that cannot be shown (it breaks the trace schema): the trace stays open */
  problem(message: string): void;
  live(state: 'connecting' | 'open' | 'closed', message?: string): void;
}

export class TraceSource {
  private readonly worker: Worker;
  private readonly inflater: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (value: unknown) => void>();
  /** skip records that break the trace schema (cttrace view --lenient) instead of refusing the trace */
  lenient = false;
  /** keep the text on disk past this many characters (?spill=N, for the tests; default: text-store.ts) */
  spillAboveChars: number | undefined;

  constructor(private readonly events: TraceSourceEvents) {
    this.worker = makeParseWorker();
    this.worker.onmessage = (event: MessageEvent<WorkerMessage>) => this.receive(event.data);
    this.worker.onerror = (event) => this.events.error(`the trace loader failed: ${event.message || 'worker error'}`);
    this.inflater = makeInflateWorker();
    this.inflater.onerror = (event) => this.events.error(`the trace reader failed: ${event.message || 'worker error'}`);
  }

  openFile(file: File): void {
    this.pipe(file.name, (port) => ({ type: 'inflate-file', file, port }));
  }

  openUrl(url: string, name: string): void {
    this.pipe(name, (port) => ({ type: 'inflate-url', url, name, port }));
  }

  openLive(url: string): void {
    this.inflater.postMessage({ type: 'cancel' } satisfies InflateRequest);
    const channel = new MessageChannel();
    this.inflater.postMessage({ type: 'pack-service', port: channel.port2 } satisfies InflateRequest, [channel.port2]);
    this.worker.postMessage({ type: 'open-live', url, packPort: channel.port1 } satisfies WorkerRequest, [channel.port1]);
  }

  private pipe(name: string, request: (port: MessagePort) => InflateRequest): void {
    const channel = new MessageChannel();
    this.worker.postMessage({ type: 'open-port', name, port: channel.port1, lenient: this.lenient, spillAboveChars: this.spillAboveChars } satisfies WorkerRequest, [channel.port1]);
    this.inflater.postMessage(request(channel.port2), [channel.port2]);
  }

  record(seq: number): Promise<TraceRecord | null> {
    return this.request<TraceRecord | null>((id) => ({ type: 'record', id, seq }));
  }

  search(query: string): Promise<Uint32Array> {
    return this.request<Uint32Array>((id) => ({ type: 'search', id, query }));
  }

  private request<T>(make: (id: number) => WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (value: unknown) => void);
      this.send(make(id));
    });
  }

  private send(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }

  private receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'header':
        return this.events.header(message.header, message.name, message.missing);
      case 'batch':
        return this.events.batch(message.batch);
      case 'progress':
        return this.events.progress(message.bytes, message.total, message.records);
      case 'done':
        return this.events.done(message);
      case 'error':
        return this.events.error(message.message);
      case 'live':
        return this.events.live(message.state, message.message);
      case 'record':
      case 'search': {
        const resolve = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.type === 'record' && message.problem) this.events.problem(message.problem);
        resolve?.(message.type === 'record' ? message.record : message.seqs);
        return;
      }
    }
  }
}
