// The namespace table: one row per process, one column per namespace kind, with the host's
// inodes in the first row for comparison and how many processes share each namespace.
import type { TraceModel } from '../model/model-types.js';
import { namespaceKey } from '../model/namespaces.js';
import { clear, el } from './dom.js';

export class NamespaceTablePanel {
  constructor(
    private readonly root: HTMLElement,
    private readonly onSelectLane: (lane: number) => void,
  ) {}

  render(model: TraceModel): void {
    const { kinds, host, rows, shares } = model.namespaceTable;
    clear(this.root);
    const table = el('table', { className: 'ns-table', testid: 'namespace-table' });
    table.append(el('thead', {}, [el('tr', {}, [el('th', { text: 'process (host pid / ns pid  comm)' }), ...kinds.map((kind) => el('th', { text: kind }))])]));
    const body = el('tbody');
    body.append(
      el('tr', { className: 'host-row' }, [
        el('th', { text: `host (the tracer, pid ${model.header.host.pid})` }),
        ...host.map((inode) => el('td', { text: inode === null ? '–' : String(inode) })),
      ]),
    );
    for (const row of rows) {
      const name = el('th', {}, [el('button', { className: 'link', text: row.label, attrs: { type: 'button' } })]);
      name.firstElementChild!.addEventListener('click', () => this.onSelectLane(row.lane));
      const cells = row.inodes.map((inode, i) => {
        if (inode === null) return el('td', { text: '–' });
        const kind = kinds[i]!;
        const shared = shares.get(namespaceKey(kind, inode)) ?? 1;
        const differs = host[i] !== null && host[i] !== inode;
        return el('td', { className: differs ? 'differs' : 'same', title: `${kind} ${inode}: ${differs ? 'not the host’s' : 'the host’s'}; ${shared} process${shared === 1 ? '' : 'es'} in it` }, [
          el('span', { text: String(inode) }),
          el('sup', { text: `×${shared}` }),
        ]);
      });
      const tr = el('tr', {}, [name, ...cells]);
      tr.dataset.lane = String(row.lane);
      body.append(tr);
    }
    table.append(body);
    this.root.append(table, el('p', { className: 'hint', text: 'Coloured: a namespace other than the host’s. ×N: how many traced processes were ever in it.' }));
  }
}
