// The live server: one Node http server plus a WebSocket endpoint on 127.0.0.1. It serves the
// built viewer (web/dist), a saved trace for `cttrace view`, and streams records to the viewer
// as they are decoded. The socket only sends: nothing from the browser reaches the tracer.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { hostAllowed, newToken, originAllowed, tokenMatches, tokenOf } from './access.js';
import { RecordStream } from './record-stream.js';
import { securityHeaders } from './security-headers.js';
import { resolveStatic, streamFile } from './static-files.js';
import { LiveServerError } from './live-error.js';
import type { LiveChannels } from './live-channels.js';
import { handleServed, type ServedSlot } from './served-routes.js';
import { gzipTextSize, SERVED_TEXT_LIMIT, ServedTrace } from './served-trace.js';

export interface LiveServerOptions {
  /** 0 or absent: a random free port */
  readonly port?: number;
  /** the header of the live trace; null when only a saved trace is served, or until setHeader() */
  readonly header: TraceHeader | null;
  /** the built viewer (web/dist) */
  readonly staticDir: string;
  /** a saved .cttrace to serve at /trace.cttrace (cttrace view) */
  readonly traceFile?: string;
  /** the viewer skips records of traceFile that break the trace schema (cttrace view --lenient) */
  readonly lenient?: boolean;
  /** several live traces and their list (cttrace watch --web): their sockets, beside /ws */
  readonly channels?: LiveChannels;
  /** decompressed text the server holds for the page at most (default SERVED_TEXT_LIMIT); past it the page reads the trace itself */
  readonly servedTextLimit?: number;
}

export interface LiveServer {
  /** the URL to open, token included */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** the live trace's header, when it was not known at start (viewers that connected meanwhile wait for it) */
  setHeader(header: TraceHeader): void;
  /** send a record to every viewer (before a header exists, records are dropped) */
  publish(record: TraceRecord): void;
  /** the trace is complete: flush; viewers keep what they have, late joiners still get it all */
  finish(): void;
  close(): Promise<void>;
  /** viewers connected now */
  readonly viewers: number;
}

export { LiveServerError };

const TRACE_PATH = '/trace.cttrace';
const SOCKET_PATH = '/ws';

function refuse(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const text = `${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const staticDir = resolve(options.staticDir);
  if (!resolveStatic(staticDir, '/index.html')) {
    throw new LiveServerError(`the web viewer is not built (no ${staticDir}/index.html): run \`npm run build:web\``);
  }
  const traceFile = options.traceFile ? resolve(options.traceFile) : null;
  const token = newToken();
  const clients = new Set<WebSocket>();
  /** connected before the header was known */
  const waiting = new Set<WebSocket>();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  let stream: RecordStream | null = null;
  /** a live trace is (or will be) streamed: the socket exists */
  const live = options.header !== null || (!options.traceFile && !options.channels);
  const join = (client: WebSocket) => {
    // everything so far, then live batches: sent in this same tick, so nothing is missed or doubled
    for (const message of stream!.catchUp()) client.send(message);
    clients.add(client);
  };
  const setHeader = (header: TraceHeader) => {
    if (stream) return;
    stream = new RecordStream(header, (message) => {
      for (const client of clients) if (client.readyState === WebSocket.OPEN) client.send(message);
    });
    for (const client of waiting) if (client.readyState === WebSocket.OPEN) join(client);
    waiting.clear();
  };
  if (options.header) setHeader(options.header);
  let port = 0;
  // the saved trace is read now, beside the browser starting: the page fetches its model (served-trace.ts)
  const slot: ServedSlot = { current: null, lenient: options.lenient ?? false, textLimit: options.servedTextLimit ?? SERVED_TEXT_LIMIT };
  if (traceFile) {
    const size = (() => {
      try {
        return statSync(traceFile).size;
      } catch {
        return null;
      }
    })();
    slot.current = new ServedTrace(basename(traceFile), createReadStream(traceFile), size, slot.lenient, slot.textLimit, gzipTextSize(traceFile));
  }

  const send = (response: ServerResponse, status: number, text: string) => {
    response.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(`${text}\n`);
  };

  const reply = (response: ServerResponse) => (status: number, type: string, body: string | Uint8Array | readonly Uint8Array[]) => {
    const parts = typeof body === 'string' ? [Buffer.from(body)] : body instanceof Uint8Array ? [body] : body;
    response.writeHead(status, { ...securityHeaders(port), 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': String(parts.reduce((sum, part) => sum + part.length, 0)) });
    for (const part of parts) response.write(part);
    response.end();
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (!hostAllowed(request, port)) return send(response, 403, 'Forbidden: unexpected Host');
    const route = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (handleServed(request, response, route, slot, token, port, reply(response))) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'Method Not Allowed');
    }
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === TRACE_PATH) {
      if (!traceFile) return send(response, 404, 'Not Found');
      if (!tokenMatches(tokenOf(request), token)) return send(response, 401, 'Unauthorized: wrong or missing token');
      let size: number;
      try {
        size = statSync(traceFile).size;
      } catch {
        return send(response, 404, 'Not Found: the trace file is gone');
      }
      response.writeHead(200, { ...securityHeaders(port), 'Content-Type': 'application/octet-stream', 'Content-Length': String(size), 'Cache-Control': 'no-store' });
      if (request.method === 'HEAD') return response.end();
      createReadStream(traceFile).pipe(response);
      return;
    }
    const file = resolveStatic(staticDir, path);
    if (!file) return send(response, 404, 'Not Found');
    response.writeHead(200, {
      ...securityHeaders(port),
      'Content-Type': file.type,
      'Content-Length': String(file.size),
      'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    if (request.method === 'HEAD') return response.end();
    streamFile(file).pipe(response);
  };

  const server = createServer(handle);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (!hostAllowed(request, port)) return refuse(socket, 403, 'Forbidden');
    const channel = options.channels?.handlerFor(path, url.searchParams) ?? null;
    if (!channel && (path !== SOCKET_PATH || !live)) return refuse(socket, 404, 'Not Found');
    if (!originAllowed(request, port)) return refuse(socket, 403, 'Forbidden');
    if (!tokenMatches(tokenOf(request), token)) return refuse(socket, 401, 'Unauthorized');
    sockets.handleUpgrade(request, socket, head, (client) => {
      if (channel) {
        client.on('message', () => client.close(1008, 'this socket only sends'));
        return channel(client);
      }
      if (stream) join(client);
      else waiting.add(client);
      const forget = () => {
        clients.delete(client);
        waiting.delete(client);
      };
      client.on('message', () => client.close(1008, 'this socket only sends'));
      client.on('close', forget);
      client.on('error', forget);
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LiveServerError(`port ${options.port} is in use: choose another with --port, or leave it out for a free one`)
          : error.code === 'EACCES'
            ? new LiveServerError(`port ${options.port} needs privileges: choose one above 1023`)
            : error,
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as { port: number }).port;

  const query = new URLSearchParams({ token });
  if (traceFile) {
    query.set('trace', TRACE_PATH.slice(1));
    query.set('name', basename(traceFile));
    query.set('served', '1');
    if (options.lenient) query.set('lenient', '1');
  }
  if (options.channels) query.set('watch', '1');
  const url = `http://127.0.0.1:${port}/?${query.toString()}`;

  return {
    url,
    port,
    token,
    setHeader,
    publish(record) {
      stream?.publish(record);
    },
    finish() {
      stream?.finish();
    },
    get viewers() {
      return clients.size + (options.channels?.viewers ?? 0);
    },
    async close() {
      slot.current?.close();
      stream?.flush();
      stream?.dispose();
      options.channels?.dispose();
      const open = [...clients, ...waiting, ...(options.channels?.sockets() ?? [])];
      for (const client of open) client.close(1001, 'cttrace is stopping');
      await new Promise<void>((resolvePromise) => {
        const force = setTimeout(() => {
          for (const client of open) client.terminate();
          server.closeAllConnections();
        }, 500);
        server.close(() => {
          clearTimeout(force);
          resolvePromise();
        });
        server.closeIdleConnections();
      });
      sockets.close();
    },
  };
}
