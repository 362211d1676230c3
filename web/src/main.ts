// Entry point: build the viewer, then open what the URL asks for:
//   ?trace=URL[&name=N]   a served .cttrace (with ?token=T, the token goes along to the server)
//   ?token=T              the live stream of the cttrace server that printed this URL
//   ?token=T&watch=1      the containers `cttrace watch --web` records, listed as they appear
//   &lenient              skip records that break the trace schema; &spill=N: keep the text on disk
//                         past N characters (the tests force the large-trace path with spill=0)
// or, in a page made by `cttrace export --html`, the trace inside the page.
import './styles.css';
import { embeddedTrace } from './load/embedded-trace.js';
import { App } from './view/app.js';
import { installEmbedSync } from './view/embed-sync.js';
import { installKeyboard } from './view/keyboard.js';
import { installTestHooks } from './view/test-hooks.js';
import { installWatchList } from './view/watch-list.js';
import { Toolbar } from './view/toolbar.js';

const app = new App();
const toolbar = new Toolbar(app);
installTestHooks(app);
installEmbedSync(app);
installKeyboard({
  zoom: (factor) => app.timeline.zoomBy(factor),
  pan: (fraction) => app.timeline.panBy(fraction),
  fit: () => app.fitSelection(),
  step: (direction) => app.step(direction),
  moveLane: (direction) => app.moveLane(direction),
  toggleHelp: () => toolbar.toggleHelp(),
  closeOverlays: () => {
    toolbar.toggleHelp(false);
    app.select(null, false);
  },
  focusSearch: () => app.search.input.focus(),
  togglePlay: () => app.togglePlay(),
});

const params = new URLSearchParams(location.search);
const embedded = embeddedTrace(document);
const token = params.get('token');
const trace = params.get('trace');
app.source.lenient = params.has('lenient');
if (params.has('spill')) app.source.spillAboveChars = Number(params.get('spill'));
// a page the cttrace server sent (not one made by export --html): dropped files are read there
if (token && !embedded && location.protocol.startsWith('http')) app.source.useServer(token);
if (embedded) {
  app.openFile(embedded);
} else if (trace) {
  const url = new URL(trace, location.href);
  if (token && url.origin === location.origin) url.searchParams.set('token', token);
  const name = params.get('name') ?? (decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'trace');
  // the server reads the trace itself (cttrace view): the page fetches the model
  if (params.has('served') && token) app.openServed(name, url.href);
  else app.openUrl(url.href, name);
} else if (token && params.has('watch')) {
  installWatchList(app, token);
} else if (token) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  app.openLive(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
}
