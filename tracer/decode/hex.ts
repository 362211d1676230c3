// "0x…" of a 64-bit register held as two uint32 words, as BigInt's toString(16) spells it.
// Number#toString(16) and BigInt#toString(16) both go through the runtime and cost ~3× these
// table lookups, and every argument of every call gets one (the record's `raw`). The tables
// hold 16-bit pieces, so a user-space pointer (48 bits) is three pieces joined, not six bytes;
// each piece is made the first time it is needed, so a trace only pays for the pieces it has.

const PIECES = 0x10000;
/** All four digits of a 16-bit piece, leading zeros kept. */
const paddedPieces: (string | undefined)[] = new Array(PIECES);
/** The leading piece: no leading zero, and the "0x" already in front. */
const leadingPieces: (string | undefined)[] = new Array(PIECES);

function padded16(piece: number): string {
  return (paddedPieces[piece] ??= piece.toString(16).padStart(4, '0'));
}

function leading16(piece: number): string {
  return (leadingPieces[piece] ??= `0x${piece.toString(16)}`);
}

function prefixedHex32(word: number): string {
  return word < PIECES ? leading16(word) : leading16(word >>> 16) + padded16(word & 0xffff);
}

/** `0x${((BigInt(high) << 32n) | BigInt(low)).toString(16)}` for uint32 words. */
export function hexOfWords(high: number, low: number): string {
  return high === 0 ? prefixedHex32(low) : prefixedHex32(high) + padded16(low >>> 16) + padded16(low & 0xffff);
}
