// `cttrace watch --web`: the containers the watch records, listed as they appear (the server's
// /ws/traces: one JSON line per trace, one more when it is complete). Choosing one streams it on
// its own socket into the timeline, the same live path as `trace --web`; the first one is opened
// by itself, so the page shows a container as soon as there is one.
import type { TraceHeader } from '../../../tracer/trace/records.js';
import type { App } from './app.js';
import { byId, el } from './dom.js';

type ListEntry = { readonly name: string; readonly header: TraceHeader } | { readonly name: string; readonly finished: true };

export function installWatchList(app: App, token: string): void {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socketUrl = (path: string, extra: Record<string, string> = {}) =>
    `${scheme}://${location.host}${path}?${new URLSearchParams({ token, ...extra }).toString()}`;
  const list = el('ul', { className: 'watch-list', testid: 'watch-list' });
  const status = el('p', { className: 'watch-status muted', testid: 'watch-status', text: 'waiting for the first container…' });
  const panel = el('details', { attrs: { open: '' } }, [el('summary', { text: 'Containers (watch)' }), status, list]);
  byId('side').prepend(panel);
  const items = new Map<string, HTMLButtonElement>();
  let chosen: string | null = null;

  const choose = (name: string) => {
    chosen = name;
    for (const [each, button] of items) button.classList.toggle('selected', each === name);
    app.openLive(socketUrl('/ws', { trace: name }));
  };

  const accept = (entry: ListEntry) => {
    if ('finished' in entry) {
      items.get(entry.name)?.classList.add('finished');
      return;
    }
    if (items.has(entry.name)) return;
    const button = el('button', { className: 'tree-item', text: entry.name, title: entry.header.command.join(' '), attrs: { type: 'button', 'data-trace': entry.name } });
    button.addEventListener('click', () => choose(entry.name));
    items.set(entry.name, button);
    list.append(el('li', {}, [button]));
    status.textContent = `${items.size} container${items.size === 1 ? '' : 's'} so far`;
    if (chosen === null) choose(entry.name);
  };

  const socket = new WebSocket(socketUrl('/ws/traces'));
  socket.onmessage = (event) => {
    if (typeof event.data !== 'string') return;
    for (const line of event.data.split('\n')) if (line) accept(JSON.parse(line) as ListEntry);
  };
  socket.onclose = (event) => {
    status.textContent = `${items.size} container${items.size === 1 ? '' : 's'}; ${event.code === 1001 ? 'cttrace has stopped' : 'the watch is no longer reachable'}`;
  };
}
