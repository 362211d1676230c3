// `cttrace view`'s server reads the trace for the page (tracer/live/served-trace.ts): the model
// it sends is the one the page's own reader makes, record for record, span for span; records
// whole and search matches are the page reader's too; every route wants the token, an upload
// also the viewer's Origin; what is not a trace is one line; a trace too big to hold is left to
// the page; the text's scratch file has no name from the start and is closed with the trace.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startLiveServer } from '../../tracer/live/live-server.js';
import { decodeServedModel, servedModelParts, ServedModelError } from '../../tracer/live/served-model.js';
import { gzipTextSize, ServedTrace } from '../../tracer/live/served-trace.js';
import { viewerDir } from '../../tracer/live/viewer-dir.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import type { IngestBatch } from '../../web/src/model/record-ingest.js';
import { repoRoot } from '../helpers/cli.js';

const TRACES = join(repoRoot, 'traces');
const FILTERED = join(TRACES, 'unshare-namespaces.cttrace');

function call(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}) {
  return new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode!, type: String(response.headers['content-type']), body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What the page's own reader makes of a trace: its batches as one, and the reader to ask for records. */
function pageReading(gzipped: Buffer) {
  const batches: IngestBatch[] = [];
  let header: unknown = null;
  const reader = new TraceReader('t', { header: (h) => (header = h), batch: (batch) => batches.push(batch) });
  reader.acceptBytes(gunzipSync(gzipped));
  reader.finish();
  const columns: Record<string, number[]> = {};
  for (const batch of batches) for (const key of ['start', 'dur', 'lane', 'seq', 'name', 'family', 'flags'] as const) (columns[key] ??= []).push(...batch.spans[key].subarray(0, batch.spans.count));
  return { reader, header, columns, names: batches.flatMap((b) => b.names), lanes: batches.flatMap((b) => b.lanes), kept: batches.flatMap((b) => b.kept) };
}

function modelOf(body: Buffer) {
  const { summary, columns } = decodeServedModel(body.buffer.slice(body.byteOffset, body.byteOffset + body.length) as ArrayBuffer);
  const plain: Record<string, number[]> = {};
  for (const key of ['start', 'dur', 'lane', 'seq', 'name', 'family', 'flags'] as const) plain[key] = [...columns[key]];
  return { summary, columns: plain };
}

/** Scratch files of this process that are still open ("(deleted)": they never had a name for long). */
const openScratch = () => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } }).filter((target) => target.includes('cttrace-text-'));

describe("the server's reading of a trace for the page", () => {
  it('sends the model the page would make, answers for records and searches, and wants the token', async () => {
    const server = await startLiveServer({ header: null, staticDir: viewerDir, traceFile: FILTERED });
    try {
      expect((await call(server.port, '/trace/model')).status).toBe(401);
      expect((await call(server.port, '/trace/model?token=wrong')).status).toBe(401);
      expect((await call(server.port, `/trace/model?token=${server.token}`, { headers: { Host: `evil.example:${server.port}` } })).status).toBe(403);
      const response = await call(server.port, `/trace/model?token=${server.token}`);
      expect(response.status).toBe(200);
      expect(response.type).toBe('application/octet-stream');
      const { summary, columns } = modelOf(response.body);
      const page = pageReading(readFileSync(FILTERED));
      expect(summary.records).toBe(page.reader.recordCount);
      expect(summary.header).toEqual(page.header);
      expect(summary.wasm).toBe(true);
      expect(columns).toEqual(page.columns);
      expect({ names: summary.names, lanes: summary.lanes, kept: summary.kept }).toEqual(JSON.parse(JSON.stringify({ names: page.names, lanes: page.lanes, kept: page.kept })));
      for (const seq of [0, 1, 7, page.reader.recordCount - 1, page.reader.recordCount, -1]) {
        const record = await call(server.port, `/trace/record?seq=${seq}&token=${server.token}`);
        expect(JSON.parse(record.body.toString()), `seq ${seq}`).toEqual({ record: page.reader.recordAt(seq) });
      }
      for (const query of ['clone', 'CLONE_NEWPID', 'nothing like this', '"ret":-2']) {
        const found = await call(server.port, `/trace/search?q=${encodeURIComponent(query)}&token=${server.token}`);
        expect([...new Uint32Array(found.body.buffer.slice(found.body.byteOffset, found.body.byteOffset + found.body.length))], query).toEqual([...page.reader.search(query)]);
      }
      expect((await call(server.port, `/trace/model?token=${server.token}`, { method: 'POST' })).status).toBe(405);
      const size = readFileSync(FILTERED).length;
      expect(JSON.parse((await call(server.port, `/trace/progress?token=${server.token}`)).body.toString())).toEqual({ bytes: size, total: size, records: page.reader.recordCount });
      expect((await call(server.port, '/trace/progress')).status).toBe(401);
      expect(openScratch()).toHaveLength(1);
      expect(openScratch()[0]).toMatch(/\(deleted\)$/);
    } finally {
      await server.close();
    }
    expect(openScratch()).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('cttrace-text-'))).toEqual([]);
  });

  it('reads a file dropped on the page: only from the viewer, with the token; one line for what is not a trace', async () => {
    const server = await startLiveServer({ header: null, staticDir: viewerDir });
    const origin = `http://127.0.0.1:${server.port}`;
    const upload = (body: Uint8Array, headers: Record<string, string> = { Origin: origin }, token = server.token) =>
      call(server.port, `/trace/upload?token=${token}&name=dropped.cttrace`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', ...headers }, body });
    try {
      const trace = readFileSync(join(TRACES, 'busybox-ctrun.cttrace'));
      expect((await call(server.port, `/trace/model?token=${server.token}`)).status).toBe(404);
      expect((await upload(trace, {})).status).toBe(403);
      expect((await upload(trace, { Origin: 'http://evil.example' })).status).toBe(403);
      expect((await upload(trace, { Origin: origin }, 'wrong')).status).toBe(401);
      expect((await call(server.port, `/trace/upload?token=${server.token}`)).status).toBe(405);
      const accepted = await upload(trace);
      expect([accepted.status, JSON.parse(accepted.body.toString())]).toEqual([200, { read: true }]);
      const { summary, columns } = modelOf((await call(server.port, `/trace/model?token=${server.token}`)).body);
      expect(summary.name).toBe('dropped.cttrace');
      expect(columns).toEqual(pageReading(trace).columns);

      const notGzip = await upload(new TextEncoder().encode('{"format":"cttrace","version":1}\n'));
      expect([notGzip.status, notGzip.body.toString()]).toEqual([422, 'dropped.cttrace is not a cttrace trace: it is not gzip data (a .cttrace file is gzip\'d JSON lines).\n']);
      const cut = await upload(trace.subarray(0, trace.length >> 1));
      expect(cut.status).toBe(422);
      expect(cut.body.toString()).toMatch(/^dropped\.cttrace is truncated or corrupt: .*\n$/);
      const notJson = await upload(gzipSync('{"format":"cttrace","version":1}\nnot json\n'));
      expect([notJson.status, notJson.body.toString().split('\n').length]).toEqual([422, 2]);
      expect(notJson.body.toString()).toMatch(/^dropped\.cttrace line 2 is not JSON/);
      expect(openScratch()).toHaveLength(1);
    } finally {
      await server.close();
    }
    expect(openScratch()).toEqual([]);
  });

  it('leaves a trace too big to hold to the page', async () => {
    const server = await startLiveServer({ header: null, staticDir: viewerDir, traceFile: FILTERED, servedTextLimit: 4096 });
    try {
      const model = await call(server.port, `/trace/model?token=${server.token}`);
      expect([model.status, model.type, JSON.parse(model.body.toString())]).toEqual([200, 'application/json', { readInPage: 'too big for the server to hold' }]);
      // the page then reads the file itself
      expect((await call(server.port, `/trace.cttrace?token=${server.token}`)).status).toBe(200);
    } finally {
      await server.close();
    }
    const served = new ServedTrace('x.cttrace', Readable.from([readFileSync(FILTERED)]), null, false, 1024);
    expect((await served.outcome).kind).toBe('too-big');
    served.close();
    // the gzip trailer tells before any reading
    expect(gzipTextSize(FILTERED)).toBe(gunzipSync(readFileSync(FILTERED)).length);
    const source = Readable.from([readFileSync(FILTERED)]);
    const told = new ServedTrace('x.cttrace', source, null, false, 1024, gzipTextSize(FILTERED));
    expect((await told.outcome).kind).toBe('too-big');
    expect(source.destroyed).toBe(true);
    expect(openScratch()).toEqual([]);
  });

  it('a model is read back exactly, and a cut or foreign one is refused', () => {
    const count = 3;
    const columns = { count, start: new Float64Array([1, 2.5, 1e15]), dur: new Float64Array([0, 1, 2]), lane: new Uint32Array([0, 1, 4e9]), seq: new Uint32Array([0, 5, 9]), name: new Uint16Array([0, 1, 65535]), family: new Uint8Array([7, 0, 3]), flags: new Uint8Array([1, 2, 3]) };
    const summary = { name: 'é.cttrace', header: { format: 'cttrace', version: 1 }, missing: ['host'], records: 10, ms: 1, skipped: null, wasm: true, names: ['read'], lanes: [], kept: [] };
    const bytes = Buffer.concat(servedModelParts(summary, columns));
    const whole = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    const back = decodeServedModel(whole);
    expect(back.summary).toEqual(summary);
    for (const key of ['start', 'dur', 'lane', 'seq', 'name', 'family', 'flags'] as const) expect([...back.columns[key]]).toEqual([...columns[key]]);
    expect(() => decodeServedModel(whole.slice(0, whole.byteLength - 1))).toThrow(ServedModelError);
    expect(() => decodeServedModel(new ArrayBuffer(40))).toThrow(/not a model/);
    expect(() => decodeServedModel(new ArrayBuffer(3))).toThrow(ServedModelError);
  });
});
