// --web: the live timeline around a traced session. The server starts before the trace (so the
// URL can be opened while the container is being made) and serves the finished trace until Ctrl-C.
import type { LiveViewer } from '../live/live-viewer.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { print } from './output.js';

export interface WebOptions {
  readonly web?: boolean;
  readonly port?: string;
}

export interface LiveHooks {
  readonly onHeader?: (header: TraceHeader) => void;
  readonly onRecord?: (record: TraceRecord) => void;
}

/** Run `trace` with the live viewer's hooks when --web was given; then serve until Ctrl-C. */
export async function withLiveViewer(options: WebOptions, trace: (hooks: LiveHooks) => Promise<number>): Promise<number> {
  if (!options.web) return trace({});
  const { startLiveViewer } = await import('../live/live-viewer.js');
  const live: LiveViewer = await startLiveViewer({ port: options.port }, (line) => print(process.stderr, `cttrace: ${line}\n`));
  let status: number;
  try {
    status = await trace({ onHeader: live.onHeader, onRecord: live.onRecord });
  } catch (error) {
    await live.close();
    throw error;
  }
  await live.finish();
  return status;
}
