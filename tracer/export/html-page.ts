// A trace inside the self-contained viewer page (web/dist-standalone/index.html, built by
// `npm run build:web`): one HTML file that opens from file:// with no server and no network.
// The trace goes in as it is stored (gzip), base64 in a data block the browser never runs;
// base64 holds no `<`, `&` or quote, so nothing a trace says can become markup. The page's CSP
// (in the built page) allows only its own script and style, by hash.
import { EMBEDDED_TRACE_ID, EMBEDDED_TRACE_TYPE } from './embedded-trace-block.js';

export class HtmlPageError extends Error {}

/** Text as HTML text or a quoted attribute's value. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page with the trace (gzip'd .cttrace bytes) in it; `name` is what the viewer calls it. */
export function htmlPageWithTrace(template: string, trace: Uint8Array, name: string): string {
  const body = template.lastIndexOf('</body>');
  if (body < 0 || !template.includes('http-equiv="Content-Security-Policy"')) {
    throw new HtmlPageError('the self-contained viewer page is not a standalone build (no CSP or no body): run `npm run build:web`');
  }
  const base64 = Buffer.from(trace.buffer, trace.byteOffset, trace.byteLength).toString('base64');
  // 76-character lines, as MIME does: editors and mail clients cope better than with one line of megabytes
  const lines = base64.replace(/.{1,76}/g, '$&\n');
  const block = `<script type="${EMBEDDED_TRACE_TYPE}" id="${EMBEDDED_TRACE_ID}" data-name="${escapeHtml(name)}">\n${lines}</script>\n`;
  const titled = template.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(name)} · cttrace</title>`);
  const at = titled.lastIndexOf('</body>');
  return `${titled.slice(0, at)}${block}${titled.slice(at)}`;
}
