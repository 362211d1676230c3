// One container's part of a trace: its tasks' records (and the end record, so a trace made of
// them is whole), and its own phases of creation: the phase analysis run on those records alone,
// so five `docker run`s under one attach give five start-ups, not one long one. Pure.
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import type { Container } from './containers.js';
import { containerPhases, type Phase } from './phases.js';

/** The records of the container's tasks, in trace order, and the trace's end record: at its
 *  time when a task of the container was still running then, else at the end of the container's
 *  last record (its own end: a later container's life is not its teardown). */
export function containerRecords(records: readonly TraceRecord[], container: Pick<Container, 'tasks'>): TraceRecord[] {
  const tasks = new Set(container.tasks);
  const exited = new Set<number>();
  let last = 0;
  const own: TraceRecord[] = [];
  for (const record of records) {
    if (record.type === 'end') {
      const running = [...tasks].some((tid) => !exited.has(tid));
      own.push(running ? record : { ...record, t: last });
      continue;
    }
    if (record.type === 'lost') {
      own.push(record); // events lost belong to no process: any container may miss some
      continue;
    }
    if (!tasks.has(record.pid)) continue;
    own.push(record);
    if (record.type === 'exit') exited.add(record.pid);
    last = Math.max(last, record.t + (record.type === 'syscall' ? record.dur : 0));
  }
  return own;
}

/** The container's phases: from its first record to the end of its last (not the trace's end). */
export function phasesOfContainer(records: readonly TraceRecord[], container: Pick<Container, 'tasks'>, header?: Pick<TraceHeader, 'host'>): Phase[] {
  return containerPhases(containerRecords(records, container).filter((record) => record.type !== 'end'), header);
}
