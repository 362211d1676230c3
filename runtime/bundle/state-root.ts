// The runtime's state folder (`--root`) for one `cttrace run`: /run/cttrace/<runtime>-<owner>-XXXXXX,
// named by the process that made it (process-owner.ts), so that the crash sweep can tell a
// crashed run's state from a running one's.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { ownerTag } from '../image/process-owner.js';

export const STATE_PARENT = '/run/cttrace';

/** `label`: the runtime's name as a file name (runtimeLabel) */
export function makeStateRoot(label: string): string {
  mkdirSync(STATE_PARENT, { recursive: true, mode: 0o700 });
  return mkdtempSync(join(STATE_PARENT, `${label}-${ownerTag()}-`));
}

/** The owner tag in a state folder's name (`ctrun-123.456-AbCdEf` → `123.456`), or null for names older versions made (`ctrun-AbCdEf`). */
export function stateRootOwnerTag(name: string): string | null {
  return /^.+-(\d+\.\d+)-[A-Za-z0-9]{6}$/.exec(name)?.[1] ?? null;
}
