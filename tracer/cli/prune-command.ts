// `cttrace prune`: remove the blobs and unpacked layers no cached image uses, and downloads
// left unfinished by pulls that were killed.
import { pruneCache } from '../../runtime/image/cache.js';
import { cttraceHome } from '../../runtime/image/home.js';
import { formatBytes } from '../../runtime/image/progress.js';
import { needsRoot } from './image-cache-access.js';
import { print } from './output.js';

export async function pruneCommand(): Promise<number> {
  needsRoot('prune');
  const freed = pruneCache(cttraceHome());
  const temps = freed.temps > 0 ? `, ${freed.temps} unfinished unpacks` : '';
  print(process.stdout, `removed ${freed.layers} unpacked layers, ${freed.blobs} blobs (${formatBytes(freed.bytes)}) and ${formatBytes(freed.partial)} of unfinished downloads${temps}\n`);
  return 0;
}
