// The `?` help: keys and mouse.
import { el } from './dom.js';

const KEYS: ReadonlyArray<[string, string]> = [
  ['W / S', 'zoom in / out (around the mouse)'],
  ['A / D', 'pan left / right'],
  ['wheel', 'zoom; shift+wheel or wheel over the labels scrolls the lanes'],
  ['drag', 'pan (and scroll the lanes)'],
  ['click', 'select a syscall, a process label, a phase or a namespace'],
  ['F', 'fit the selection (or the whole trace)'],
  ['← / →  or  [ / ]', 'previous / next syscall of the selected lane'],
  ['↑ / ↓', 'the lane above / below'],
  ['/', 'search'],
  ['space', 'play / pause the replay'],
  ['Esc', 'clear the selection, close this help'],
  ['?', 'this help'],
];

export function buildHelp(root: HTMLElement): void {
  const table = el('table');
  for (const [keys, action] of KEYS) table.append(el('tr', {}, [el('th', { text: keys }), el('td', { text: action })]));
  root.replaceChildren(
    el('div', { className: 'help-card' }, [
      el('h2', { text: 'Navigating the timeline' }),
      table,
      el('p', { className: 'hint', text: 'Open a .cttrace file by dropping it here, with Open…, or with ?trace=URL. Nothing leaves this page: it works offline.' }),
      el('button', { text: 'Close', attrs: { type: 'button' }, className: 'close-help' }),
    ]),
  );
}
