// Little-endian reads without Buffer's per-call argument and bounds checks, which cost about a
// tenth of the split when every syscall record takes some twenty reads. Callers first check
// that what they read lies inside the buffer: past its end these give NaN, not an error.

const TWO_32 = 2 ** 32;

export const uint16 = (buffer: Buffer, at: number): number => buffer[at]! | (buffer[at + 1]! << 8);

export const int32 = (buffer: Buffer, at: number): number =>
  buffer[at]! | (buffer[at + 1]! << 8) | (buffer[at + 2]! << 16) | (buffer[at + 3]! << 24);

export const uint32 = (buffer: Buffer, at: number): number => int32(buffer, at) >>> 0;

/** An unsigned 64-bit value as a number: the same value, rounded once to a double. */
export const uint64 = (buffer: Buffer, at: number): number => uint32(buffer, at + 4) * TWO_32 + uint32(buffer, at);

export const int64 = (buffer: Buffer, at: number): number => int32(buffer, at + 4) * TWO_32 + uint32(buffer, at);
