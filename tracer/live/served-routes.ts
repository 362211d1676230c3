// The server's side of a trace it reads for the page (served-trace.ts): the model, a record
// whole, search matches, and a file dropped on the page, uploaded to be read here the same way.
// Every route needs the URL's token; the upload, a POST, also the viewer's own Origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { LIMITS, tooBigFile } from '../../web/src/load/trace-limits.js';
import { originAllowed, tokenMatches, tokenOf } from './access.js';
import { ServedTrace } from './served-trace.js';

export const SERVED_PATHS = { model: '/trace/model', progress: '/trace/progress', record: '/trace/record', search: '/trace/search', upload: '/trace/upload' } as const;

/** The trace being served now, replaced by an upload. */
export interface ServedSlot {
  current: ServedTrace | null;
  readonly lenient: boolean;
  readonly textLimit: number;
}

/** The answer for a trace the server does not hold: the page reads it itself (a model is application/octet-stream). */
const READ_IN_PAGE = { readInPage: 'too big for the server to hold' };

type Reply = (status: number, type: string, body: string | Uint8Array | readonly Uint8Array[]) => void;

/** Handles a request for one of SERVED_PATHS; false if the path is none of them. */
export function handleServed(request: IncomingMessage, response: ServerResponse, path: string, slot: ServedSlot, token: string, port: number, reply: Reply): boolean {
  if (!(Object.values(SERVED_PATHS) as string[]).includes(path)) return false;
  if (!tokenMatches(tokenOf(request), token)) {
    reply(401, 'text/plain; charset=utf-8', 'Unauthorized: wrong or missing token\n');
    return true;
  }
  const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
  const text = (status: number, line: string) => reply(status, 'text/plain; charset=utf-8', `${line}\n`);
  if (path === SERVED_PATHS.upload) {
    if (request.method !== 'POST') return (response.setHeader('Allow', 'POST'), text(405, 'Method Not Allowed'), true);
    // a page of another origin must not make this server read (and hold) what it sends
    if (request.headers.origin === undefined || !originAllowed(request, port)) return (text(403, 'Forbidden: the upload comes from the viewer only'), true);
    const size = Number(request.headers['content-length'] ?? NaN);
    const name = basename(query.get('name') || 'dropped.cttrace');
    if (size > LIMITS.maxFileBytes) return (text(413, tooBigFile(name, size).message), true);
    slot.current?.close();
    const served = new ServedTrace(name, request, Number.isFinite(size) ? size : null, slot.lenient, slot.textLimit);
    slot.current = served;
    void served.outcome.then((outcome) => {
      if (outcome.kind === 'refused') text(422, outcome.message);
      else reply(200, 'application/json', JSON.stringify(outcome.kind === 'too-big' ? READ_IN_PAGE : { read: true }));
    });
    return true;
  }
  if (request.method !== 'GET') return (response.setHeader('Allow', 'GET'), text(405, 'Method Not Allowed'), true);
  const served = slot.current;
  if (!served) return (text(404, 'Not Found: no trace is served'), true);
  // answered at once, while the model waits for the reading to end
  if (path === SERVED_PATHS.progress) return (reply(200, 'application/json', JSON.stringify(served.progress())), true);
  void (async () => {
    const outcome = await served.outcome;
    if (outcome.kind === 'refused') return text(422, outcome.message);
    // not an error (a browser would log one): the page reads the trace itself
    if (outcome.kind === 'too-big') return reply(200, 'application/json', JSON.stringify(READ_IN_PAGE));
    if (path === SERVED_PATHS.model) return reply(200, 'application/octet-stream', outcome.model);
    if (path === SERVED_PATHS.search) return reply(200, 'application/octet-stream', new Uint8Array((await served.search(query.get('q') ?? '')).buffer));
    const seq = Number(query.get('seq'));
    try {
      reply(200, 'application/json', JSON.stringify({ record: await served.record(Number.isInteger(seq) ? seq : -1) }));
    } catch (error) {
      reply(200, 'application/json', JSON.stringify({ record: null, problem: (error as Error).message }));
    }
  })().catch((error: unknown) => text(500, `the trace could not be read: ${(error as Error).message}`));
  return true;
}
