// How `cttrace export --html` marks the trace inside the page, and how the viewer finds it: the
// .cttrace bytes (gzip), base64, in a data block the browser never runs. Shared by both sides.
export const EMBEDDED_TRACE_ID = 'cttrace-embedded-trace';
export const EMBEDDED_TRACE_TYPE = 'application/gzip;base64';
