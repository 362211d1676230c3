// Bytes from the tracee as strace quotes them (its string_quote): printable ASCII as it is,
// \" \\ \f \n \r \t \v escaped, every other byte in octal, with three digits when an octal
// digit follows so the escape cannot swallow it. Non-ASCII bytes are octal too: strace does not
// decode UTF-8.
import type { ArgValue } from '../../trace/records.js';

const encoder = new TextEncoder();

const ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

/** The bytes a string value of the trace stands for: its UTF-8, or the `{hex}` of bytes that
 *  were not UTF-8; null for anything else. */
export function bytesOf(value: ArgValue | undefined): Uint8Array | null {
  if (typeof value === 'string') return encoder.encode(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { hex?: unknown }).hex === 'string') {
    const hex = (value as { hex: string }).hex;
    const bytes = new Uint8Array(hex.length >> 1);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return bytes;
  }
  return null;
}

/** `"…"` of the first `count` bytes. */
export function quoteBytes(bytes: Uint8Array, count = bytes.length): string {
  let text = '"';
  const end = Math.min(count, bytes.length);
  for (let i = 0; i < end; i++) {
    const byte = bytes[i]!;
    const escape = ESCAPES[byte];
    if (escape) text += escape;
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else {
      const next = i + 1 < end ? bytes[i + 1]! : -1;
      const threeDigits = next >= 0x30 && next <= 0x37;
      text += `\\${threeDigits ? byte.toString(8).padStart(3, '0') : byte.toString(8)}`;
    }
  }
  return `${text}"`;
}

/** A quoted string cut at `limit` bytes, with strace's `...` after the quote when there was
 *  more (past the limit, or past what the engine copied). */
export function quoteLimited(bytes: Uint8Array, limit: number, more: boolean): string {
  const cut = bytes.length > limit;
  return `${quoteBytes(bytes, limit)}${cut || more ? '...' : ''}`;
}
