// Where the page's trace comes from: open a trace, get the header and batches as they come, ask
// for a record whole or for search matches. The trace `cttrace view` serves, and a file dropped
// on a page the server sent, are read by the server (served-source.ts); otherwise a file or URL
// goes through two workers joined by a MessageChannel: inflate (fetch, gunzip) → parse (lines,
// records, batches).
import type { TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import type { IngestBatch } from '../model/record-ingest.js';
import type { InflateRequest, LoadDone, WorkerMessage, WorkerRequest } from './worker-protocol.js';
import { makeInflateWorker, makeParseWorker } from './workers.js';
import { ServedSource } from './served-source.js';

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
  /** the loader workers, made when first needed (a trace the server reads needs none) */
  private workers: { parse: Worker; inflate: Worker } | null = null;
  /** the page came from a cttrace server (its token): a dropped file is read there */
  private server: ServedSource | null = null;
  /** the trace open now is the server's: records and search are asked of it */
  private servedNow = false;
  /** counts opens, so that a late answer for a trace no longer open is dropped */
  private generation = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, (value: unknown) => void>();
  /** skip records that break the trace schema (cttrace view --lenient) instead of refusing the trace */
  lenient = false;
  /** keep the text on disk past this many characters (?spill=N, for the tests; default: text-store.ts) */
  spillAboveChars: number | undefined;

  constructor(private readonly events: TraceSourceEvents) {}

  private get worker(): Worker {
    return this.loaderWorkers().parse;
  }

  private get inflater(): Worker {
    return this.loaderWorkers().inflate;
  }

  private loaderWorkers(): { parse: Worker; inflate: Worker } {
    if (!this.workers) {
      const parse = makeParseWorker();
      parse.onmessage = (event: MessageEvent<WorkerMessage>) => this.receive(event.data);
      parse.onerror = (event) => this.events.error(`the trace loader failed: ${event.message || 'worker error'}`);
      const inflate = makeInflateWorker();
      inflate.onerror = (event) => this.events.error(`the trace reader failed: ${event.message || 'worker error'}`);
      this.workers = { parse, inflate };
    }
    return this.workers;
  }

  /** The page came from a cttrace server with this token: dropped files are read there. */
  useServer(token: string): void {
    this.server = new ServedSource(token);
  }

  /** The trace the cttrace server reads (cttrace view); `fallbackUrl`: the same trace for the page to read, should the server find it too big to hold. */
  openServed(name: string, fallbackUrl: string): void {
    const server = this.server;
    if (!server) return this.openUrl(fallbackUrl, name);
    const mine = this.begin(true);
    void server.open(name, this.events, () => mine === this.generation).then((result) => {
      if (result === 'too-big' && mine === this.generation) this.openUrl(fallbackUrl, name);
    });
  }

  openFile(file: File): void {
    const server = this.server;
    if (!server) return this.openFileHere(file);
    const mine = this.begin(true);
    void server.upload(file).then((result) => {
      if (mine !== this.generation) return;
      if (result === 'too-big') this.openFileHere(file);
      else if (typeof result === 'object') this.events.error(result.error);
      else void server.open(file.name, this.events, () => mine === this.generation);
    });
  }

  private openFileHere(file: File): void {
    this.begin(false);
    this.pipe(file.name, (port) => ({ type: 'inflate-file', file, port }));
  }

  openUrl(url: string, name: string): void {
    this.begin(false);
    this.pipe(name, (port) => ({ type: 'inflate-url', url, name, port }));
  }

  private begin(served: boolean): number {
    this.servedNow = served;
    // a trace the workers were still reading stops there: what they send of it is dropped (receive)
    if (served) this.workers?.inflate.postMessage({ type: 'cancel' } satisfies InflateRequest);
    return ++this.generation;
  }

  openLive(url: string): void {
    this.begin(false);
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
    if (this.servedNow && this.server) {
      return this.server.record(seq).then(({ record, problem }) => {
        if (problem) this.events.problem(problem);
        return record;
      });
    }
    return this.request<TraceRecord | null>((id) => ({ type: 'record', id, seq }));
  }

  search(query: string): Promise<Uint32Array> {
    if (this.servedNow && this.server) return this.server.search(query);
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
    // the open trace is the server's: the workers' answers are for one no longer open
    if (this.servedNow && message.type !== 'record' && message.type !== 'search') return;
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
