// `cttrace cleanup`: remove what crashed runs left behind (containers whose cttrace is gone:
// their processes, cgroups, overlays, folders and runtime state; unfinished unpacks; the partial
// downloads of pulls that were killed), and say what in one line. `cttrace run` does the same
// before it starts, except for partial downloads: a run's pull takes those over and resumes them.
import { removeOrphanDownloads } from '../../runtime/image/blob-store.js';
import { cttraceHome } from '../../runtime/image/home.js';
import { formatBytes } from '../../runtime/image/progress.js';
import { describeSweep, sweepOrphans } from '../../runtime/bundle/crash-sweep.js';
import { print } from './output.js';
import { UserError } from './user-error.js';

export async function cleanupCommand(): Promise<number> {
  if (process.getuid?.() !== 0) throw new UserError('cttrace cleanup needs root (it unmounts overlays and removes cgroups): run it with sudo');
  const home = cttraceHome();
  const swept = describeSweep(sweepOrphans(home));
  const downloads = removeOrphanDownloads(home);
  const partial = downloads.files
    ? `${downloads.files} partial download${downloads.files > 1 ? 's' : ''} of killed pulls (${formatBytes(downloads.bytes)})`
    : null;
  const said = swept && partial ? `${swept}; ${partial}` : swept ?? (partial && `removed what crashed runs left behind: ${partial}`);
  print(process.stderr, `cttrace: ${said ?? 'nothing left behind by crashed runs'}\n`);
  return 0;
}
