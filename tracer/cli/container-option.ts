// --container ID for show, export and diff: one container's part of a trace, found by its id or
// (like docker) a prefix of it that no other container shares.
import { shortIds } from '../analysis/container-ids.js';
import { containerRecords } from '../analysis/container-records.js';
import { findContainers, type Container } from '../analysis/containers.js';
import type { TraceHeader, TraceRecord } from '../trace/records.js';
import { UserError } from './user-error.js';

export interface ContainerOption {
  readonly container?: string;
}

/** The one container `wanted` names: its id, or a prefix only it has. */
export function chooseContainer(containers: readonly Container[], wanted: string, file: string): Container {
  const exact = containers.find((container) => container.id === wanted);
  if (exact) return exact;
  const matching = wanted === '' ? [] : containers.filter((container) => container.id.startsWith(wanted));
  if (matching.length === 1) return matching[0]!;
  if (containers.length === 0) throw new UserError(`${file} holds no container (no runtime's command line names one, and no process is PID 1 of a new PID namespace): leave out --container`);
  const ids = shortIds(matching.length > 1 ? matching : containers).join(', ');
  throw new UserError(
    matching.length > 1
      ? `--container ${wanted} matches ${matching.length} containers in ${file} (${ids}): give more of the id`
      : `no container ${wanted || '""'} in ${file}: its containers are ${ids}`,
  );
}

/** The trace as it is, or only the records of the container --container names. */
export function restrictToContainer<T extends { header: TraceHeader; records: TraceRecord[] }>(trace: T, options: ContainerOption, file: string): T {
  if (options.container === undefined) return trace;
  const container = chooseContainer(findContainers(trace.records, trace.header).containers, options.container, file);
  return { ...trace, records: containerRecords(trace.records, container) };
}

/** For a command that compares start-ups: a trace holding several, read whole, mixes them up;
 *  the line that says so and how to pick one, or null. */
export function severalContainersNote(trace: { header: TraceHeader; records: readonly TraceRecord[] }, file: string): string | null {
  const { containers } = findContainers(trace.records, trace.header);
  if (containers.length < 2) return null;
  return `${file} holds ${containers.length} containers (${shortIds(containers).join(', ')}): the whole trace is compared as one start-up; pick one with --container ID (A's,B's as ID_A,ID_B)`;
}
