// The names each task went by, in order: its comm at each exec and each prctl(PR_SET_NAME)
// (runc's and ctrun's stages name themselves so). Pure: the export and the diff both use it.
import type { ProcessRecord, TraceHeader, TraceRecord } from '../trace/records.js';
import { renamedTo } from './renamed.js';

export interface TaskNames {
  /** in order, no name twice in a row */
  readonly names: readonly string[];
  /** the task's latest description */
  readonly last: ProcessRecord;
}

/** Per host tid, in the order the tasks appeared. The command cttrace started goes by cttrace's
 *  own name until its exec: that name is left out. */
export function taskNames(records: readonly TraceRecord[], header: Pick<TraceHeader, 'filter'>): Map<number, TaskNames> {
  const names = new Map<number, string[]>();
  const lastOf = new Map<number, ProcessRecord>();
  const started = header.filter.mode === 'attach' ? null : records.find((record) => record.type === 'process')?.pid;
  const called = (tid: number, name: string) => {
    const list = names.get(tid);
    if (list && list[list.length - 1] !== name) list.push(name);
  };
  for (const record of records) {
    if (record.type === 'process') {
      lastOf.set(record.pid, record);
      if (!names.has(record.pid)) names.set(record.pid, []);
      if (record.pid !== started || record.reason !== 'new') called(record.pid, record.comm);
    } else if (record.type === 'syscall') {
      const renamed = renamedTo(record);
      if (renamed !== null) called(record.pid, renamed);
    }
  }
  const tasks = new Map<number, TaskNames>();
  for (const [tid, list] of names) {
    const last = lastOf.get(tid)!;
    tasks.set(tid, { names: list.length ? list : [last.comm], last });
  }
  return tasks;
}
