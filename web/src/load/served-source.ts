// The page's side of a trace the cttrace server reads for it (tracer/live/served-trace.ts): the
// model comes as one binary response whose span columns the page takes as they are, and a
// record whole or the search matches are asked of the server. A file dropped on the page is
// uploaded to be read there the same way. Every request carries the page's token.
import type { TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import { decodeServedModel } from '../../../tracer/live/served-model.js';
import type { KeptRecord, NewLane } from '../model/record-ingest.js';
import type { TraceSourceEvents } from './trace-source.js';

/** How a read by the server ended: drawn (or refused, said through the events), or too big for the server to hold. */
export type ServedResult = 'done' | 'too-big';

/** How often the page asks how far the server's reading is. */
const PROGRESS_POLL_MS = 250;

/** The server answers in JSON, not with a model, for a trace it does not hold (too big): the page reads it itself. */
function readInPage(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('application/json');
}

export class ServedSource {
  constructor(private readonly token: string) {}

  private url(path: string, params: Record<string, string> = {}): string {
    return `${path}?${new URLSearchParams({ ...params, token: this.token }).toString()}`;
  }

  /** Fetches the model of the trace the server reads, and hands it to `events` as the workers would. */
  async open(name: string, events: TraceSourceEvents, current: () => boolean): Promise<ServedResult> {
    const started = performance.now();
    // the progress line while the server reads (a 10M-event trace takes a while)
    let read = false;
    const poll = setInterval(() => {
      void fetch(this.url('trace/progress'), { cache: 'no-store' })
        .then((answer) => (answer.ok ? (answer.json() as Promise<{ bytes: number; total: number | null; records: number }>) : null))
        .then((progress) => progress && current() && !read && events.progress(progress.bytes, progress.total, progress.records))
        .catch(() => undefined);
    }, PROGRESS_POLL_MS);
    let response: Response;
    try {
      response = await fetch(this.url('trace/model'), { cache: 'no-store' });
    } catch (error) {
      if (current()) events.error(`${name} could not be fetched from the cttrace server: ${(error as Error).message}`);
      return 'done';
    } finally {
      clearInterval(poll);
      read = true;
    }
    if (!response.ok) {
      const message = (await response.text().catch(() => '')).trim();
      if (current()) events.error(message || `${name} could not be read: HTTP ${response.status}`);
      return 'done';
    }
    if (readInPage(response)) return 'too-big';
    const bytes = await response.arrayBuffer();
    if (!current()) return 'done';
    let model: ReturnType<typeof decodeServedModel>;
    try {
      model = decodeServedModel(bytes);
    } catch (error) {
      events.error((error as Error).message);
      return 'done';
    }
    const { summary, columns } = model;
    events.header(summary.header as TraceHeader, summary.name, summary.missing);
    events.batch({ spans: columns, names: summary.names, lanes: summary.lanes as NewLane[], kept: summary.kept as KeptRecord[] });
    events.done({ records: summary.records, ms: performance.now() - started, parseMs: summary.ms, skipped: summary.skipped, spilled: false, wasm: summary.wasm, served: true });
    return 'done';
  }

  /** Sends a dropped file to the server to read; then open() fetches its model. An error is the server's one line. */
  async upload(file: File): Promise<ServedResult | { error: string }> {
    let response: Response;
    try {
      response = await fetch(this.url('trace/upload', { name: file.name }), { method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } });
    } catch (error) {
      return { error: `${file.name} could not be sent to the cttrace server: ${(error as Error).message}` };
    }
    if (!response.ok) return { error: (await response.text().catch(() => '')).trim() || `${file.name} could not be read: HTTP ${response.status}` };
    return readInPage(response) && 'readInPage' in ((await response.json()) as object) ? 'too-big' : 'done';
  }

  async record(seq: number): Promise<{ record: TraceRecord | null; problem?: string }> {
    const response = await fetch(this.url('trace/record', { seq: String(seq) }), { cache: 'no-store' });
    if (!response.ok) return { record: null, problem: (await response.text()).trim() };
    return (await response.json()) as { record: TraceRecord | null; problem?: string };
  }

  async search(query: string): Promise<Uint32Array> {
    const response = await fetch(this.url('trace/search', { q: query }), { cache: 'no-store' });
    if (!response.ok) return new Uint32Array(0);
    return new Uint32Array(await response.arrayBuffer());
  }
}
