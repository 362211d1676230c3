// `--web` for trace, run and attach: start the live server before the trace, feed it the header
// and each record as they are decoded, and keep serving the finished trace until Ctrl-C.
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { startLiveServer } from './live-server.js';
import { parsePort } from './parse-port.js';
import { viewerDir } from './viewer-dir.js';
import { waitForInterrupt } from './wait-for-interrupt.js';

export interface LiveViewer {
  readonly url: string;
  /** pass as runTracedSession's onHeader */
  readonly onHeader: (header: TraceHeader) => void;
  /** pass as runTracedSession's onRecord */
  readonly onRecord: (record: TraceRecord) => void;
  /** the trace is over: say so, serve it until Ctrl-C, then stop */
  finish(until?: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server (a LiveServerError if it cannot); `say` gets the lines for the user (the URL, the end). */
export async function startLiveViewer(options: { port?: number | string }, say: (line: string) => void): Promise<LiveViewer> {
  const server = await startLiveServer({ port: parsePort(options.port), header: null, staticDir: viewerDir });
  say(`live timeline at ${server.url}`);
  return {
    url: server.url,
    onHeader: (header) => server.setHeader(header),
    onRecord: (record) => server.publish(record),
    async finish(until = waitForInterrupt) {
      server.finish();
      say(`the trace is complete; the timeline stays at ${server.url} until Ctrl-C`);
      await until();
      await server.close();
    },
    close: () => server.close(),
  };
}
