import { basename } from 'node:path';

/** cttrace-20261123-073250-unshare.cttrace: sortable, and says what was traced. */
export function defaultOutputPath(subject: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = basename(subject || 'trace').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `cttrace-${stamp}-${name}.cttrace`;
}
