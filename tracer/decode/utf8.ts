// Text out of the engine's buffers. Buffer#toString(encoding, start, end) is a JavaScript
// wrapper (argument checks, encoding lookup) around the native utf8Slice; on the decoder
// benchmark the wrapper alone took as long as the decoding it wraps (7 % of split + decode).
// utf8Slice is what toString calls for UTF-8, with the same replacement of invalid bytes; it is
// not in Node's documented API, so where it is missing the wrapper is used.

type Slicing = Buffer & { utf8Slice?: (start: number, end: number) => string };

const hasUtf8Slice = typeof (Buffer.prototype as Slicing).utf8Slice === 'function';

/** The UTF-8 text of buffer[start, end); both within the buffer. */
export const utf8Text: (buffer: Buffer, start: number, end: number) => string = hasUtf8Slice
  ? (buffer, start, end) => (buffer as Slicing).utf8Slice!(start, end)
  : (buffer, start, end) => buffer.toString('utf8', start, end);
