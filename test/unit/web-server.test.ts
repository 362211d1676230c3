// The live server and `cttrace view` without a browser: static files, the token, Host and Origin
// checks, batching, late joiners, a header that arrives after the first viewer, and the CLI's
// refusals.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { viewCommand } from '../../tracer/cli/view-command.js';
import { tokenMatches } from '../../tracer/live/access.js';
import { LiveServerError, startLiveServer } from '../../tracer/live/live-server.js';
import { startLiveViewer } from '../../tracer/live/live-viewer.js';
import { readTraceHeader } from '../../tracer/live/read-trace-header.js';
import { resolveStatic } from '../../tracer/live/static-files.js';
import { viewerDir } from '../../tracer/live/viewer-dir.js';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import type { TraceHeader, TraceRecord } from '../../tracer/trace/records.js';

const FILTERED = join(import.meta.dirname, '..', '..', 'traces', 'unshare-namespaces.cttrace');
let work: string;
let header: TraceHeader;
let records: TraceRecord[];

beforeAll(async () => {
  if (!existsSync(join(viewerDir, 'index.html'))) {
    const { build } = await import('vite');
    await build({ configFile: join(viewerDir, '..', 'vite.config.ts'), logLevel: 'warn' });
  }
  work = mkdtempSync(join(tmpdir(), 'cttrace-server-'));
  ({ header, records } = await readTraceFile(FILTERED));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, method }, (response) => {
      let body = '';
      response.setEncoding('latin1');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A socket client collecting every line it is sent. */
function viewer(url: string, origin: string) {
  const lines: string[] = [];
  let messages = 0;
  const ws = new WebSocket(url, { headers: { Origin: origin } });
  ws.on('message', (data) => {
    messages++;
    lines.push(...data.toString().split('\n'));
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return { ws, lines, opened, messages: () => messages };
}

describe('the live server', () => {
  it('compares tokens in constant time, whatever their lengths', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
  });

  it('serves the viewer only from its directory', () => {
    expect(resolveStatic(viewerDir, '/')?.path).toBe(join(viewerDir, 'index.html'));
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/../../package.json', '/%00', '/%E0%A4%A']) {
      expect(resolveStatic(viewerDir, path), path).toBeNull();
    }
  });

  it('serves static files with a strict CSP, refuses other methods and foreign Hosts', async () => {
    const server = await startLiveServer({ header: null, staticDir: viewerDir, traceFile: FILTERED });
    try {
      const index = await get(server.port, '/');
      expect(index.status).toBe(200);
      expect(index.headers['content-type']).toContain('text/html');
      expect(index.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
      expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(index.headers['x-content-type-options']).toBe('nosniff');
      expect((await get(server.port, '/', {}, 'POST')).status).toBe(405);
      expect((await get(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
      expect((await get(server.port, '/', { Host: `attacker.example:${server.port}` })).status).toBe(403);
      expect((await get(server.port, '/', { Host: '127.0.0.1:1' })).status).toBe(403);
      const trace = await get(server.port, `/trace.cttrace?token=${server.token}`);
      expect(trace.status).toBe(200);
      expect(trace.body.length).toBe(statSync(FILTERED).size);
      expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[\\w-]{32}&trace=trace\\.cttrace&name=unshare-namespaces\\.cttrace&served=1$`));
      // a saved trace alone: no socket to connect to
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
      const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_q, response) => resolve(response.statusCode!)));
      expect(status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('streams batches, gives late viewers everything, waits for a late header, and only sends', async () => {
    const server = await startLiveServer({ header: null, staticDir: viewerDir });
    const origin = `http://127.0.0.1:${server.port}`;
    const url = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
    try {
      const early = viewer(url, origin);
      await early.opened;
      server.publish(records[0]!); // before the header: dropped
      server.setHeader(header);
      for (const record of records) server.publish(record);
      await vi.waitFor(() => expect(early.lines).toHaveLength(records.length + 1));
      expect(JSON.parse(early.lines[0]!)).toEqual(header);
      expect(early.lines.slice(1).map((line) => JSON.parse(line))).toEqual(records);
      expect(early.messages()).toBeLessThan(records.length / 4);

      const late = viewer(url, origin);
      await late.opened;
      await vi.waitFor(() => expect(late.lines).toHaveLength(records.length + 1));
      server.finish();
      expect(server.viewers).toBe(2);

      const closed = new Promise<number>((resolve) => late.ws.on('close', (code) => resolve(code)));
      late.ws.send('stop the tracer');
      expect(await closed).toBe(1008);
    } finally {
      await server.close();
    }
  });

  it('says so when the port is taken or the viewer is not built', async () => {
    const first = await startLiveServer({ header, staticDir: viewerDir });
    try {
      await expect(startLiveServer({ header, staticDir: viewerDir, port: first.port })).rejects.toThrow(/port \d+ is in use/);
    } finally {
      await first.close();
    }
    await expect(startLiveServer({ header, staticDir: join(work, 'nothing') })).rejects.toThrow(LiveServerError);
    await expect(startLiveServer({ header, staticDir: join(work, 'nothing') })).rejects.toThrow(/npm run build:web/);
  });
});

describe('--web (startLiveViewer)', () => {
  it('prints the URL first, streams the header and records, serves until told to stop', async () => {
    const said: string[] = [];
    const live = await startLiveViewer({ port: '0' }, (line) => said.push(line));
    expect(said.join('')).toContain(live.url);
    const url = new URL(live.url);
    const client = viewer(`ws://127.0.0.1:${url.port}/ws?token=${url.searchParams.get('token')}`, url.origin);
    await client.opened;
    live.onHeader(header);
    records.forEach((record) => live.onRecord(record));
    let stop!: () => void;
    const finished = live.finish(() => new Promise<void>((resolve) => (stop = resolve)));
    await vi.waitFor(() => expect(client.lines).toHaveLength(records.length + 1));
    expect(said.join('')).toContain('the trace is complete');
    stop();
    await finished;
  });
});

describe('cttrace view', () => {
  it('prints the URL, serves the trace until told to stop', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => (printed.push(String(text)), true));
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    try {
      const running = viewCommand(FILTERED, {}, () => stopped);
      await vi.waitFor(() => expect(printed.join('')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/));
      const url = new URL(printed.join('').trim());
      const trace = await get(Number(url.port), `/trace.cttrace?token=${url.searchParams.get('token')}`);
      expect(trace.status).toBe(200);
      stop();
      expect(await running).toBe(0);
    } finally {
      write.mockRestore();
      errors.mockRestore();
    }
  });

  it('refuses a file that is not a trace, or of a newer version, and a bad port, before serving', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'not a trace\n');
    await expect(viewCommand(text, {}, async () => undefined)).rejects.toThrow(/not a cttrace trace: it is not gzip data/);
    await expect(viewCommand(join(work, 'missing.cttrace'), {}, async () => undefined)).rejects.toThrow(/no such file/);
    const { gzipSync } = await import('node:zlib');
    const newer = join(work, 'newer.cttrace');
    writeFileSync(newer, gzipSync(`${JSON.stringify({ ...header, version: 2 })}\n{}\n`));
    await expect(viewCommand(newer, {}, async () => undefined)).rejects.toThrow(/version 2/);
    await expect(viewCommand(FILTERED, { port: 'eighty' }, async () => undefined)).rejects.toThrow(/--port eighty/);
    await expect(viewCommand(FILTERED, { port: 70000 }, async () => undefined)).rejects.toThrow(/--port 70000/);
    expect((await readTraceHeader(FILTERED)).format).toBe('cttrace');
  });
});
