// The process tree: lanes as a nested list, each a button that selects the lane.
import type { TraceModel } from '../model/model-types.js';
import { clear, el } from './dom.js';

export class ProcessTreePanel {
  private buttons = new Map<number, HTMLButtonElement>();

  constructor(
    private readonly root: HTMLElement,
    private readonly onSelect: (lane: number) => void,
  ) {}

  render(model: TraceModel): void {
    clear(this.root);
    this.buttons.clear();
    const listOf = (ordinals: readonly number[]): HTMLUListElement => {
      const list = el('ul');
      for (const ordinal of ordinals) {
        const lane = model.lanes[ordinal]!;
        const comms = lane.segments.map((segment) => segment.comm).filter((comm, i, all) => i === 0 || comm !== all[i - 1]);
        const button = el('button', {
          className: `tree-item${lane.isThread ? ' thread' : ''}${lane.end !== null ? ' exited' : ''}`,
          text: `${lane.hostPid} / ${lane.nsPid}  ${comms.join(' → ')}${lane.isThread ? ' (thread)' : ''}`,
          title: lane.exit ? `exited ${lane.exit.signal ?? `status ${lane.exit.code ?? '?'}`}` : 'running at the end of the trace',
          attrs: { type: 'button' },
        });
        button.dataset.lane = String(ordinal);
        button.addEventListener('click', () => this.onSelect(ordinal));
        this.buttons.set(ordinal, button);
        const item = el('li', {}, [button]);
        if (lane.children.length) item.append(listOf(lane.children));
        list.append(item);
      }
      return list;
    };
    const roots = model.rows.filter((ordinal) => model.lanes[ordinal]!.parent === null);
    this.root.append(listOf(roots));
  }

  highlight(lane: number | null): void {
    for (const [ordinal, button] of this.buttons) button.classList.toggle('selected', ordinal === lane);
  }
}
