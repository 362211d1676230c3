// The details panel: renders EventDetails (plain data) as text nodes.
import type { EventDetails } from '../model/describe-event.js';
import { clear, el } from './dom.js';

export class DetailsPanel {
  constructor(private readonly root: HTMLElement) {
    this.empty();
  }

  empty(message = 'Click a syscall, a process, a namespace or a phase to see what it did and why.'): void {
    clear(this.root);
    this.root.append(el('p', { className: 'hint', text: message, testid: 'details-empty' }));
  }

  show(details: EventDetails): void {
    clear(this.root);
    this.root.append(el('h2', { text: details.heading, testid: 'details-heading' }), el('p', { className: 'summary', text: details.summary, testid: 'details-summary' }));
    for (const section of details.sections) {
      if (section.rows.length === 0) continue;
      const table = el('table', { className: 'detail-rows' });
      for (const row of section.rows) {
        const tr = el('tr', { className: row.tone ?? '' }, [el('th', { text: row.label }), el('td', { text: row.value })]);
        tr.dataset.label = row.label;
        table.append(tr);
      }
      this.root.append(el('section', { testid: `details-${section.title.toLowerCase().split(' ')[0]}` }, [el('h3', { text: section.title }), table]));
    }
    if (details.explanations.length) {
      const list = el('dl', { className: 'explanations' });
      for (const item of details.explanations) list.append(el('dt', { text: item.term }), el('dd', { text: item.text }));
      this.root.append(el('section', { testid: 'details-explanations' }, [el('h3', { text: 'What it means' }), list]));
    }
  }
}
