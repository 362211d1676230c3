// "0x…" of a 64-bit register held as two uint32 words, as BigInt's toString(16) spells it.
// Number#toString(16) and BigInt#toString(16) both go through the runtime and cost ~3× these
// table lookups, and every argument of every call gets one (the record's `raw`).

const BYTE_DIGITS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** The leading byte: no leading zero, and the "0x" already in front. */
const LEADING_BYTE = Array.from({ length: 256 }, (_, byte) => `0x${byte.toString(16)}`);

/** All eight digits of a word, leading zeros kept. */
function paddedHex32(word: number): string {
  return BYTE_DIGITS[word >>> 24]! + BYTE_DIGITS[(word >>> 16) & 0xff]! + BYTE_DIGITS[(word >>> 8) & 0xff]! + BYTE_DIGITS[word & 0xff]!;
}

function prefixedHex32(word: number): string {
  if (word < 0x100) return LEADING_BYTE[word]!;
  if (word < 0x10000) return LEADING_BYTE[word >>> 8]! + BYTE_DIGITS[word & 0xff]!;
  if (word < 0x1000000) return LEADING_BYTE[word >>> 16]! + BYTE_DIGITS[(word >>> 8) & 0xff]! + BYTE_DIGITS[word & 0xff]!;
  return LEADING_BYTE[word >>> 24]! + BYTE_DIGITS[(word >>> 16) & 0xff]! + BYTE_DIGITS[(word >>> 8) & 0xff]! + BYTE_DIGITS[word & 0xff]!;
}

/** `0x${((BigInt(high) << 32n) | BigInt(low)).toString(16)}` for uint32 words. */
export function hexOfWords(high: number, low: number): string {
  return high === 0 ? prefixedHex32(low) : prefixedHex32(high) + paddedHex32(low);
}
