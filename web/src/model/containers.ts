// The containers of the trace, as the viewer lists them: the split of tracer/analysis/containers.ts
// (the one the CLI's summary uses) over the records the model keeps (processes, execs) and the
// phase stand-ins, each container with its lanes and its own phases; and the model as shown when
// some containers are collapsed (their lanes out of the timeline). Pure: vitest runs it.
import { shortIds } from '../../../tracer/analysis/container-ids.js';
import { phasesOfContainer } from '../../../tracer/analysis/container-records.js';
import { findContainers } from '../../../tracer/analysis/containers.js';
import type { RuntimeKind } from '../../../tracer/analysis/runtime-command-line.js';
import type { Phase, TraceModel } from './model-types.js';
import { phaseRecords } from './milestones.js';

/** A group of lanes in the list: a container, or the processes in none (key ''). */
export interface LaneGroup {
  /** the container's id; '' for the processes in no container */
  readonly key: string;
  readonly label: string;
  readonly runtime: RuntimeKind | null;
  readonly program: string | null;
  readonly image: string | null;
  readonly initArgv: readonly string[] | null;
  /** lane ordinals, top to bottom */
  readonly lanes: readonly number[];
  readonly start: number;
  readonly end: number;
  /** its own phases of creation (none for the processes in no container) */
  readonly phases: readonly Phase[];
}

export const OUTSIDE_KEY = '';

/** The trace's containers in the order they began, then the processes in none (if any). Empty
 *  when the trace holds no container. */
export function deriveContainers(model: TraceModel): LaneGroup[] {
  // the records kept whole (processes, execs) are all the split reads; the phase stand-ins,
  // a pass over every span, only when there is a container to give phases to
  const split = findContainers(model.kept.map((item) => item.record), model.header);
  if (split.containers.length === 0) return [];
  const records = phaseRecords(model.columns, model.kept);
  const ids = shortIds(split.containers);
  const lanesOf = (tids: readonly number[]) => {
    const wanted = new Set(tids);
    return model.rows.filter((ordinal) => wanted.has(model.lanes[ordinal]!.tid));
  };
  const extent = (lanes: readonly number[]) => ({
    start: Math.min(...lanes.map((ordinal) => model.lanes[ordinal]!.start)),
    end: Math.max(...lanes.map((ordinal) => model.lanes[ordinal]!.end ?? model.end)),
  });
  const groups: LaneGroup[] = split.containers.map((container, index) => {
    const lanes = lanesOf(container.tasks);
    const { start, end } = lanes.length ? extent(lanes) : container;
    const phases = phasesOfContainer(records, container, model.header);
    return {
      key: container.id,
      label: ids[index]!,
      runtime: container.runtime,
      program: container.program,
      image: container.image,
      initArgv: container.init?.argv ?? null,
      lanes,
      start,
      end,
      // the kept records end before the last span: the last phase runs to the container's end
      phases: phases.map((phase, i) => (i === phases.length - 1 ? { ...phase, end: Math.max(phase.end, end) } : phase)),
    };
  });
  const outside = lanesOf(split.outside);
  if (outside.length) {
    groups.push({ key: OUTSIDE_KEY, label: 'in no container', runtime: null, program: null, image: null, initArgv: null, lanes: outside, ...extent(outside), phases: [] });
  }
  return groups;
}

/**
 * The model as the timeline shows it: the lanes of collapsed groups taken out of the rows (and
 * their clone arrows), and, when the trace holds several containers, the phase band made of each
 * container's own phases instead of one start-up stretched over them all.
 */
export function shownModel(model: TraceModel, groups: readonly LaneGroup[], collapsed: ReadonlySet<string>): TraceModel {
  const containers = groups.filter((group) => group.key !== OUTSIDE_KEY);
  const phases = containers.length > 1 ? containers.flatMap((group) => group.phases).sort((a, b) => a.start - b.start) : model.phases;
  const hidden = new Set(groups.filter((group) => collapsed.has(group.key)).flatMap((group) => group.lanes));
  if (hidden.size === 0) return phases === model.phases ? model : { ...model, phases };
  const rows = model.rows.filter((ordinal) => !hidden.has(ordinal));
  const rowOf = new Map(rows.map((ordinal, row) => [ordinal, row]));
  return {
    ...model,
    phases,
    rows,
    // a hidden lane keeps its place in the array (ordinals index it) but has no row
    lanes: model.lanes.map((lane) => ({ ...lane, row: rowOf.get(lane.ordinal) ?? -1 })),
    arrows: model.arrows.filter((arrow) => !hidden.has(arrow.fromLane) && !hidden.has(arrow.toLane)),
    milestones: model.milestones.filter((milestone) => !hidden.has(milestone.lane)),
  };
}
