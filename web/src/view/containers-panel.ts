// The containers panel: each container of the trace (id, runtime, image, PID 1's command, its own
// start-up time) with its lanes; a container collapses (its lanes leave the timeline) and opens
// again; its id fits the timeline to its life. Hidden when the trace holds no container.
import { deriveContainers, type LaneGroup, shownModel } from '../model/containers.js';
import { formatDuration } from '../model/format.js';
import type { TraceModel } from '../model/model-types.js';
import { clear, el } from './dom.js';

export interface ContainersPanelHost {
  /** a container was collapsed or opened: the timeline must be shown again */
  changed(): void;
  focus(start: number, end: number): void;
  selectLane(lane: number): void;
}

function describeGroup(group: LaneGroup): string {
  const parts = [
    group.runtime === 'other' || (group.runtime === null && group.program) ? group.program : group.runtime,
    group.image ? `image ${group.image}` : null,
    group.initArgv ? group.initArgv.join(' ') : null,
    group.phases.length ? `start-up ${formatDuration(group.phases.at(-1)!.end - group.phases[0]!.start)}` : null,
  ];
  return parts.filter((part) => part !== null).join(' · ');
}

export class ContainersPanel {
  private groups: LaneGroup[] = [];
  private readonly collapsed = new Set<string>();
  /** containers whose lane list the user opened: kept open when the panel is drawn again */
  private readonly listed = new Set<string>();
  /** what the groups were derived from: a model built again with nothing new keeps them */
  private derivedFrom: { spans: number; kept: number; lanes: number } | null = null;

  constructor(
    private readonly root: HTMLElement,
    /** the panel's section, hidden when there is nothing to list */
    private readonly section: HTMLElement,
    private readonly host: ContainersPanelHost,
  ) {}

  reset(): void {
    this.collapsed.clear();
    this.listed.clear();
    this.derivedFrom = null;
    this.groups = [];
    this.render(null);
  }

  /** The containers of a freshly built model listed; the model the timeline is to show returned. */
  apply(model: TraceModel): TraceModel {
    const from = { spans: model.columns.count, kept: model.kept.length, lanes: model.lanes.length };
    const same = this.derivedFrom && from.spans === this.derivedFrom.spans && from.kept === this.derivedFrom.kept && from.lanes === this.derivedFrom.lanes;
    if (!same) this.groups = deriveContainers(model);
    this.derivedFrom = from;
    this.render(model);
    return shownModel(model, this.groups, this.collapsed);
  }

  private toggle(key: string): void {
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    this.host.changed();
  }

  /** Its lanes, each selecting itself: folded (a container has tens of them), opened on demand. */
  private laneList(model: TraceModel, group: LaneGroup): HTMLDetailsElement {
    const list = el('ul');
    for (const ordinal of group.lanes) {
      const lane = model.lanes[ordinal]!;
      const button = el('button', { className: `tree-item${lane.end !== null ? ' exited' : ''}`, text: lane.label, attrs: { type: 'button' } });
      button.addEventListener('click', () => this.host.selectLane(ordinal));
      list.append(el('li', {}, [button]));
    }
    const count = `${group.lanes.length} lane${group.lanes.length === 1 ? '' : 's'}`;
    const details = el('details', { className: 'container-lanes' }, [el('summary', { text: count, testid: 'container-lanes' }), list]);
    details.open = this.listed.has(group.key);
    details.addEventListener('toggle', () => (details.open ? this.listed.add(group.key) : this.listed.delete(group.key)));
    return details;
  }

  private render(model: TraceModel | null): void {
    clear(this.root);
    this.section.hidden = this.groups.length === 0 || model === null;
    if (!model) return;
    const summary = this.section.querySelector(':scope > summary');
    const count = this.groups.filter((group) => group.key !== '').length;
    if (summary) summary.textContent = `Containers (${count})`;
    const list = el('ul', { className: 'container-list' });
    for (const group of this.groups) {
      const open = !this.collapsed.has(group.key);
      const toggle = el('button', {
        className: 'container-toggle',
        text: open ? '▾' : '▸',
        testid: 'container-toggle',
        title: open ? 'collapse: take its lanes out of the timeline' : 'open: put its lanes back in the timeline',
        attrs: { type: 'button', 'aria-expanded': String(open) },
      });
      toggle.addEventListener('click', () => this.toggle(group.key));
      const name = el('button', { className: 'link container-name', text: group.label, testid: 'container-name', title: group.key ? `${group.key}: fit the timeline to it` : 'fit the timeline to them', attrs: { type: 'button' } });
      name.addEventListener('click', () => this.host.focus(group.start, group.end));
      const item = el('li', { className: `container-item${open ? '' : ' collapsed'}`, testid: 'container' }, [
        el('div', { className: 'container-head' }, [toggle, name, el('span', { className: 'muted container-facts', text: describeGroup(group) })]),
      ]);
      item.dataset.container = group.key;
      if (open) item.append(this.laneList(model, group));
      list.append(item);
    }
    this.root.append(list);
  }
}
