// Two start-ups side by side in one self-contained page (`cttrace diff --html`): each trace in
// its own viewer (the standalone page, in an iframe made from srcdoc), their time windows kept
// together, moved by the offset that lines up their phases; below them the diff, each line
// marked as the same, only in A, only in B or a flag change. Opens from file:// with no server.
// The page's CSP allows its own small script and style and the viewer's, by hash, nothing else.
import { createHash } from 'node:crypto';
import { escapeHtml, HtmlPageError, htmlPageWithTrace } from './html-page.js';

export interface ComparedTrace {
  readonly name: string;
  /** the .cttrace bytes (gzip) */
  readonly bytes: Uint8Array;
  /** where its phases are lined up, ns since its start (the same phase's start in both) */
  readonly offset: number;
  /** the records (their place after the header) of its calls that the diff marks */
  readonly differences: readonly number[];
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Keeps the viewers' windows together: a window one viewer's user chose goes to the others,
 *  shifted by the difference of their offsets. Only from the page's own frames; only numbers.
 *  Each viewer marks its calls the diff marks (sent when it says it is ready and when it has
 *  loaded, whichever comes first: both are harmless); "only the differences" shows only those. */
const SYNC_SCRIPT = `
const frames = [...document.querySelectorAll('iframe[data-offset]')];
const only = document.querySelector('input[data-testid="only-differences"]');
const differences = (frame) => frame.dataset.differences.split(',').filter(Boolean).map(Number);
const sendMarks = (frame) => frame.contentWindow.postMessage({ type: 'cttrace-marks', seqs: differences(frame) }, '*');
for (const frame of frames) frame.addEventListener('load', () => sendMarks(frame));
only.addEventListener('change', () => {
  for (const frame of frames) {
    const seqs = only.checked ? differences(frame) : null;
    frame.contentWindow.postMessage({ type: 'cttrace-only', seqs }, '*');
  }
});
addEventListener('message', (event) => {
  const from = frames.findIndex((frame) => frame.contentWindow === event.source);
  const data = event.data;
  if (from >= 0 && data && data.type === 'cttrace-ready') return sendMarks(frames[from]);
  if (from < 0 || !data || data.type !== 'cttrace-window' || !Number.isFinite(data.t0) || !Number.isFinite(data.t1)) return;
  const shift = Number(frames[from].dataset.offset);
  frames.forEach((frame, index) => {
    if (index === from) return;
    const delta = Number(frame.dataset.offset) - shift;
    frame.contentWindow.postMessage({ type: 'cttrace-set-window', t0: data.t0 + delta, t1: data.t1 + delta }, '*');
  });
});
`;

const STYLE = `
body { margin: 0; font: 13px/1.4 system-ui, "DejaVu Sans", sans-serif; color: #1f2328; }
header { padding: 6px 10px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
.side { display: flex; align-items: baseline; gap: 8px; padding: 2px 10px; font-weight: 600; }
.side .tag { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
iframe { display: block; width: 100%; height: 46vh; border: 0; border-bottom: 2px solid #d0d7de; }
pre { margin: 0; padding: 8px 10px; font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre; overflow-x: auto; }
.removed { color: #b31d28; background: #ffeef0; }
.added { color: #22863a; background: #f0fff4; }
.section { color: #0550ae; font-weight: 600; }
.note { color: #57606a; }
.mark { color: #e0249a; }
`;

function policyTokens(template: string, directive: string): string {
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(template)?.[1];
  const tokens = csp && new RegExp(`(?:^|; )${directive} ([^;]+)`).exec(csp)?.[1];
  if (!tokens) throw new HtmlPageError(`the self-contained viewer page has no ${directive} in its CSP: run \`npm run build:web\``);
  return tokens;
}

function diffLine(line: string): string {
  const kind = line.startsWith('@@') ? 'section' : line.startsWith('---') || line.startsWith('+++') ? 'section' : line.startsWith('-') ? 'removed' : line.startsWith('+') ? 'added' : line.startsWith('#') ? 'note' : '';
  return kind ? `<span class="${kind}">${escapeHtml(line)}</span>` : escapeHtml(line);
}

/** The compare page: A's viewer above B's, the diff (`diff -u` text, one line a line) below. */
export function comparePage(template: string, a: ComparedTrace, b: ComparedTrace, diffText: string, aligned: string): string {
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(SYNC_SCRIPT)} ${policyTokens(template, 'script-src')}`,
    `style-src ${sha256(STYLE)} ${policyTokens(template, 'style-src')}`,
    'worker-src blob:',
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const frame = (trace: ComparedTrace, tag: string) =>
    `<div class="side"><span class="tag">${tag}</span><span data-testid="name-${tag.toLowerCase()}">${escapeHtml(trace.name)}</span></div>\n` +
    `<iframe title="${tag}: ${escapeHtml(trace.name)}" data-testid="viewer-${tag.toLowerCase()}" data-offset="${Math.round(trace.offset)}" data-differences="${trace.differences.map((seq) => Math.trunc(seq)).join(',')}" srcdoc="${escapeHtml(htmlPageWithTrace(template, trace.bytes, trace.name))}"></iframe>`;
  const lines = diffText.replace(/\n$/, '').split('\n').map(diffLine).join('\n');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <meta name="referrer" content="no-referrer" />
    <link rel="icon" href="data:," />
    <title>${escapeHtml(a.name)} vs ${escapeHtml(b.name)} · cttrace diff</title>
    <style>${STYLE}</style>
  </head>
  <body>
    <header>cttrace diff: two start-ups on one time axis (${escapeHtml(aligned)}); moving one timeline moves the other; the calls that differ are marked <span class="mark">▼</span> on each; the diff is below.
      <label><input type="checkbox" data-testid="only-differences" /> show only the calls that differ</label></header>
    ${frame(a, 'A')}
    ${frame(b, 'B')}
    <pre data-testid="diff">${lines}</pre>
    <script type="module">${SYNC_SCRIPT}</script>
  </body>
</html>
`;
}
