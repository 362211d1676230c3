// Terminal output that survives its reader going away (`cttrace trace ... | head`): the trace
// must still be saved and the command still run to its end. Output that cannot be written for
// another reason (a full disk: `> /dev/full`) is said in one line and makes the exit code 1.
import type { Writable } from 'node:stream';

const closed = new WeakSet<Writable>();
let failed = false;

export function guardOutput(stream: Writable): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    closed.add(stream);
    if (error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
    failed = true;
    process.exitCode = 1; // also when the error comes after main() has returned
    const name = stream === process.stdout ? 'standard output' : stream === process.stderr ? 'standard error' : 'the output';
    // another listener (export -o -) says it in its own words
    if (stream.listenerCount('error') === 1 && stream !== process.stderr && !closed.has(process.stderr)) {
      process.stderr.write(`cttrace: cannot write to ${name}: ${error.code ?? error.message}${error.code === 'ENOSPC' ? ' (no space left on the device)' : ''}\n`);
    }
  });
}

/** Whether some output could not be written (not counting a reader that went away). */
export function outputFailed(): boolean {
  return failed;
}

export function print(stream: Writable, text: string): void {
  if (!closed.has(stream)) stream.write(text);
}

/** What --lenient left out of a trace, on stderr (stdout keeps only the output asked for). */
export function reportSkipped(summary: string | null): void {
  if (summary !== null) print(process.stderr, `cttrace: ${summary}\n`);
}
