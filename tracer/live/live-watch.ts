// `cttrace watch --web`: the live server with one channel per container (live-channels.ts). The
// viewer lists the containers as they are recorded and streams the one chosen; once the watch
// ends, the traces stay served until Ctrl-C, as `trace --web` serves its finished trace.
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { LiveChannels } from './live-channels.js';
import { startLiveServer } from './live-server.js';
import { parsePort } from './parse-port.js';
import { viewerDir } from './viewer-dir.js';
import { waitForInterrupt } from './wait-for-interrupt.js';

export interface LiveWatch {
  readonly url: string;
  /** a container's trace begins */
  open(name: string, header: TraceHeader): void;
  publish(name: string, record: TraceRecord): void;
  /** the watch is over: say so, serve the traces until Ctrl-C, then stop */
  finish(until?: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server (a LiveServerError if it cannot); `say` gets the lines for the user. */
export async function startLiveWatch(options: { port?: number | string }, say: (line: string) => void): Promise<LiveWatch> {
  const channels = new LiveChannels();
  const server = await startLiveServer({ port: parsePort(options.port), header: null, staticDir: viewerDir, channels });
  say(`live timelines of the containers at ${server.url}`);
  return {
    url: server.url,
    open: (name, header) => channels.open(name, header),
    publish: (name, record) => channels.publish(name, record),
    async finish(until = waitForInterrupt) {
      channels.finishAll();
      say(`the traces are complete; their timelines stay at ${server.url} until Ctrl-C`);
      await until();
      await server.close();
    },
    close: () => server.close(),
  };
}
