// `cttrace cleanup`: remove what crashed runs left behind (containers whose cttrace is gone:
// their processes, cgroups, overlays, folders and runtime state; unfinished unpacks), and say
// what in one line. `cttrace run` does the same before it starts.
import { describeSweep, sweepOrphans } from '../../runtime/bundle/crash-sweep.js';
import { print } from './output.js';
import { UserError } from './user-error.js';

export async function cleanupCommand(): Promise<number> {
  if (process.getuid?.() !== 0) throw new UserError('cttrace cleanup needs root (it unmounts overlays and removes cgroups): run it with sudo');
  print(process.stderr, `cttrace: ${describeSweep(sweepOrphans()) ?? 'nothing left behind by crashed runs'}\n`);
  return 0;
}
