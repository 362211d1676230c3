// Terminal output that survives its reader going away (`cttrace trace ... | head`): the trace
// must still be saved and the command still run to its end.
import type { Writable } from 'node:stream';

const closed = new WeakSet<Writable>();

export function guardOutput(stream: Writable): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ECONNRESET') closed.add(stream);
    else throw error;
  });
}

export function print(stream: Writable, text: string): void {
  if (!closed.has(stream)) stream.write(text);
}

/** What --lenient left out of a trace, on stderr (stdout keeps only the output asked for). */
export function reportSkipped(summary: string | null): void {
  if (summary !== null) print(process.stderr, `cttrace: ${summary}\n`);
}
