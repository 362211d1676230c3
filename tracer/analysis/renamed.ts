// What a call says about a task's name. Pure: the terminal lines and the export both follow it.
import type { SyscallRecord } from '../trace/records.js';

/** The name a successful prctl(PR_SET_NAME) gave the calling thread (its comm: 15 bytes at most), or null. */
export function renamedTo(record: SyscallRecord): string | null {
  return record.name === 'prctl' && record.ret === 0 && record.args.option === 'PR_SET_NAME' && typeof record.args.arg2 === 'string'
    ? record.args.arg2.slice(0, 15)
    : null;
}
