// `cttrace view FILE`: serve a saved trace with the web viewer on 127.0.0.1 and print the URL;
// runs until Ctrl-C.
import { startLiveServer } from '../live/live-server.js';
import { viewerDir } from '../live/viewer-dir.js';
import { parsePort } from '../live/parse-port.js';
import { readTraceHeader } from '../live/read-trace-header.js';
import { waitForInterrupt } from '../live/wait-for-interrupt.js';
import { print } from './output.js';

export interface ViewOptions {
  /** a fixed port (default: a free one) */
  readonly port?: number | string;
  /** the viewer skips records that break the trace schema, and says how many */
  readonly lenient?: boolean;
}

export async function viewCommand(file: string, options: ViewOptions = {}, until: () => Promise<unknown> = waitForInterrupt): Promise<number> {
  const port = parsePort(options.port);
  // refuses a file that is not a trace (or of a newer format) with a message before serving anything
  const header = await readTraceHeader(file);
  const server = await startLiveServer({ port, header, staticDir: viewerDir, traceFile: file, lenient: options.lenient });
  print(process.stdout, `${server.url}\n`);
  print(process.stderr, `cttrace: serving ${file} to the viewer at the URL above (only this machine can reach it); Ctrl-C to stop\n`);
  await until();
  await server.close();
  return 0;
}
