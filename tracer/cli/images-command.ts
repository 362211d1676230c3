// `cttrace images`: what the cache holds: reference, digest, platform, size, last used.
import { displayName } from '../../runtime/image/cache.js';
import { cttraceHome } from '../../runtime/image/home.js';
import { formatBytes } from '../../runtime/image/progress.js';
import { listRecords } from '../../runtime/image/records.js';
import { print } from './output.js';

/** "3 minutes ago", as docker prints times. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units: Array<[number, string]> = [[86400 * 365, 'year'], [86400 * 30, 'month'], [86400 * 7, 'week'], [86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, name] of units) if (seconds >= size) return `${Math.floor(seconds / size)} ${name}${Math.floor(seconds / size) > 1 ? 's' : ''} ago`;
  return seconds < 2 ? 'just now' : `${seconds} seconds ago`;
}

export async function imagesCommand(options: { json?: boolean }): Promise<number> {
  const records = listRecords(cttraceHome());
  if (options.json) {
    for (const record of records) print(process.stdout, `${JSON.stringify({ ...record, reference: displayName(record) })}\n`);
    return 0;
  }
  const rows = [['REFERENCE', 'DIGEST', 'PLATFORM', 'SIZE', 'LAST USED']];
  for (const record of records) {
    rows.push([displayName(record), (record.manifestDigest ?? record.id).slice(0, 19), record.platform ?? '-', formatBytes(record.size), ago(record.lastUsed)]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) print(process.stdout, `${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('   ')}\n`);
  return 0;
}
