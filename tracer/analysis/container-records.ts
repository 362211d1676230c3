// One container's part of a trace: its tasks' records (and the end record, so a trace made of
// them is whole), and its own phases of creation: the phase analysis run on those records alone,
// so five `docker run`s under one attach give five start-ups, not one long one. Pure.
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import type { Container } from './containers.js';
import { containerPhases, type Phase } from './phases.js';

/** The records of the container's tasks, in trace order, with the trace's end record. */
export function containerRecords(records: readonly TraceRecord[], container: Pick<Container, 'tasks'>): TraceRecord[] {
  const tasks = new Set(container.tasks);
  return records.filter((record) => record.type === 'end' || tasks.has(record.pid));
}

/** The container's phases: from its first record to the end of its last (not the trace's end). */
export function phasesOfContainer(records: readonly TraceRecord[], container: Pick<Container, 'tasks'>, header?: Pick<TraceHeader, 'host'>): Phase[] {
  return containerPhases(containerRecords(records, container).filter((record) => record.type !== 'end'), header);
}
