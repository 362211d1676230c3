// --port for view and --web: a TCP port number, or nothing for any free one.
import { LiveServerError } from './live-error.js';

export function parsePort(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LiveServerError(`--port ${String(value)}: a port is a number from 1 to 65535 (0 or none: any free port)`, 2);
  return port;
}
