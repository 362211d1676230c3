// Messages between the page, the inflate worker and the parse worker.
import type { TraceHeader, TraceRecord } from '../../../tracer/trace/records.js';
import type { IngestBatch } from '../model/record-ingest.js';

/** page → inflate worker; `port` leads to the parse worker */
export type InflateRequest =
  | { readonly type: 'inflate-file'; readonly file: File; readonly port: MessagePort }
  | { readonly type: 'inflate-url'; readonly url: string; readonly name: string; readonly port: MessagePort }
  | { readonly type: 'cancel' }
  /** a live trace: deflate and inflate its older text for the parse worker (see packed-text.ts), on `port` */
  | { readonly type: 'pack-service'; readonly port: MessagePort };

/** parse worker ↔ inflate worker, on the pack-service port */
export type PackRequest = { readonly id: number; readonly op: 'deflate'; readonly text: string } | { readonly id: number; readonly op: 'inflate'; readonly bytes: Uint8Array };
export type PackReply = { readonly id: number; readonly bytes?: Uint8Array; readonly text?: string; readonly error?: string };

/** How a trace's load ended. */
export interface LoadDone {
  readonly records: number;
  readonly ms: number;
  readonly parseMs: number;
  /** one line on what lenient left out, or null */
  readonly skipped: string | null;
  /** the text was kept on disk (a large trace) */
  readonly spilled: boolean;
  /** the lines were read by the WebAssembly scanner (false: decoded and read as text, where WebAssembly cannot run) */
  readonly wasm: boolean;
  /** the cttrace server read the trace and sent its model (served-source.ts); false: the page's workers read it */
  readonly served: boolean;
}

/** inflate worker → parse worker */
export type InflateMessage =
  /** decompressed, not yet decoded: UTF-8 cut anywhere */
  /** read: the compressed bytes read when this piece was filled, of total (null: unknown) */
  | { readonly type: 'bytes'; readonly bytes: Uint8Array; readonly read: number; readonly total: number | null }
  | { readonly type: 'progress'; readonly bytes: number; readonly total: number | null }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly message: string };

/** parse worker → inflate worker: the buffer of a 'bytes' message, parsed, given back to be filled again */
export interface ParseProgress {
  readonly buffer: ArrayBuffer;
}

/** page → parse worker */
export type WorkerRequest =
  /** lenient: skip records that break the trace schema, and say how many at the end */
  /** spillAboveChars: keep the text on disk past this many characters (default: text-store.ts) */
  | { readonly type: 'open-port'; readonly name: string; readonly port: MessagePort; readonly lenient: boolean; readonly spillAboveChars?: number }
  /** packPort: the inflate worker's pack service (older text is deflated there, off this worker) */
  | { readonly type: 'open-live'; readonly url: string; readonly packPort?: MessagePort }
  | { readonly type: 'record'; readonly id: number; readonly seq: number }
  | { readonly type: 'search'; readonly id: number; readonly query: string };

/** parse worker → page */
export type WorkerMessage =
  /** missing: the optional header fields the trace's header lacks */
  | { readonly type: 'header'; readonly header: TraceHeader; readonly name: string; readonly missing: readonly string[] }
  | { readonly type: 'batch'; readonly batch: IngestBatch }
  | { readonly type: 'progress'; readonly bytes: number; readonly total: number | null; readonly records: number }
  /** skipped: one line on what lenient left out, or null */
  | ({ readonly type: 'done' } & LoadDone)
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'live'; readonly state: 'connecting' | 'open' | 'closed'; readonly message?: string }
  /** problem: why the record cannot be shown (it breaks the trace schema), when record is null */
  | { readonly type: 'record'; readonly id: number; readonly record: TraceRecord | null; readonly problem?: string }
  | { readonly type: 'search'; readonly id: number; readonly seqs: Uint32Array };
