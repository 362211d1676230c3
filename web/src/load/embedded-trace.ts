// The trace inside a page made by `cttrace export --html`: the .cttrace bytes (gzip), base64 in a
// data block that is never run (<script type="application/gzip;base64">): base64 has no `<`, so
// nothing in a trace can end the block or become markup.
import { EMBEDDED_TRACE_ID, EMBEDDED_TRACE_TYPE } from '../../../tracer/export/embedded-trace-block.js';

/** The embedded trace as a File (read like a dropped one), or null on a page without one. */
export function embeddedTrace(doc: Document): File | null {
  const block = doc.getElementById(EMBEDDED_TRACE_ID);
  if (!block || block.getAttribute('type') !== EMBEDDED_TRACE_TYPE) return null;
  const text = atob((block.textContent ?? '').replace(/\s+/g, ''));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new File([bytes], block.dataset.name || 'trace.cttrace', { type: 'application/gzip' });
}
