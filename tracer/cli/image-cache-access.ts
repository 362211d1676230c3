// Who may change the image cache: root (unpacked layers hold device nodes for whiteouts and
// files of every owner), unless $CTTRACE_HOME points at a cache of one's own.
import { UserError } from './user-error.js';

export function needsRoot(command: string): void {
  if (process.getuid?.() !== 0 && process.env['CTTRACE_HOME'] === undefined) {
    throw new UserError(`cttrace ${command} changes the image cache in /var/lib/cttrace, which needs root: run it with sudo (or set CTTRACE_HOME to a cache of your own)`);
  }
}
