// The filter controls: syscall name, family chips, process, failed only.
import { FAMILIES } from '../model/family-index.js';
import type { FilterState } from '../model/filters.js';
import type { TraceModel } from '../model/model-types.js';
import { FAMILY_COLOURS } from './colours.js';
import { byId, el } from './dom.js';

export type FilterChange = Omit<FilterState, 'matches'>;

export class FilterControls {
  private readonly syscall = byId<HTMLInputElement>('filter-syscall');
  private readonly names = byId<HTMLDataListElement>('syscall-names');
  private readonly process = byId<HTMLSelectElement>('filter-process');
  private readonly failed = byId<HTMLInputElement>('filter-failed');
  private readonly chips = byId('family-chips');
  private readonly hidden = new Set<number>();
  private knownNames = 0;
  private knownLanes = -1;

  constructor(private readonly onChange: (change: FilterChange) => void) {
    FAMILIES.forEach((family, index) => {
      const box = el('input', { attrs: { type: 'checkbox' } });
      box.checked = true;
      box.dataset.family = family;
      box.addEventListener('change', () => {
        if (box.checked) this.hidden.delete(index);
        else this.hidden.add(index);
        this.emit();
      });
      const swatch = el('span', { className: 'swatch' });
      swatch.style.backgroundColor = FAMILY_COLOURS[family];
      this.chips.append(el('label', { className: 'chip', title: `show ${family} syscalls` }, [box, swatch, document.createTextNode(family)]));
    });
    this.syscall.addEventListener('change', () => this.emit());
    this.syscall.addEventListener('keydown', (event) => event.key === 'Enter' && this.emit());
    this.process.addEventListener('change', () => this.emit());
    this.failed.addEventListener('change', () => this.emit());
    byId('filter-reset').addEventListener('click', () => this.reset(true));
  }

  /** Refresh the choices (names, processes) from the model. */
  update(model: TraceModel): void {
    if (model.columns.names.length !== this.knownNames) {
      this.knownNames = model.columns.names.length;
      this.names.replaceChildren(...[...model.columns.names].sort().map((name) => el('option', { attrs: { value: name } })));
    }
    if (model.lanes.length !== this.knownLanes) {
      this.knownLanes = model.lanes.length;
      const chosen = this.process.value;
      this.process.replaceChildren(
        el('option', { text: 'all processes', attrs: { value: '' } }),
        ...model.rows.map((ordinal) => el('option', { text: model.lanes[ordinal]!.label, attrs: { value: String(ordinal) } })),
      );
      this.process.value = chosen;
    }
  }

  reset(emit: boolean): void {
    this.syscall.value = '';
    this.process.value = '';
    this.failed.checked = false;
    this.hidden.clear();
    for (const box of this.chips.querySelectorAll('input')) box.checked = true;
    if (emit) this.emit();
  }

  private emit(): void {
    const names = this.syscall.value.split(/[\s,]+/).filter(Boolean);
    this.onChange({
      names: names.length ? new Set(names) : null,
      hiddenFamilies: new Set(this.hidden),
      lanes: this.process.value === '' ? null : new Set([Number(this.process.value)]),
      failedOnly: this.failed.checked,
    });
  }
}
