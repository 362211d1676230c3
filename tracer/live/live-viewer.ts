// `--web` for trace, run and attach: start the live server before the trace, feed it the header
// and each record as they are decoded, and keep serving the finished trace until Ctrl-C.
import { print } from '../cli/output.js';
import { UserError } from '../cli/user-error.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { LiveServerError, startLiveServer, type LiveServer } from './live-server.js';
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

export async function startLiveViewer(options: { port?: number | string } = {}): Promise<LiveViewer> {
  let server: LiveServer;
  try {
    server = await startLiveServer({ port: parsePort(options.port), header: null, staticDir: viewerDir });
  } catch (error) {
    if (error instanceof LiveServerError) throw new UserError(error.message, 1);
    throw error;
  }
  print(process.stderr, `cttrace: live timeline at ${server.url}\n`);
  return {
    url: server.url,
    onHeader: (header) => server.setHeader(header),
    onRecord: (record) => server.publish(record),
    async finish(until = waitForInterrupt) {
      server.finish();
      print(process.stderr, `cttrace: the trace is complete; the timeline stays at ${server.url} until Ctrl-C\n`);
      await until();
      await server.close();
    },
    close: () => server.close(),
  };
}
