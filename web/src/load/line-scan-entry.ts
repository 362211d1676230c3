// What the WebAssembly line scanner (web/wasm/line-scanner.c, struct entry) writes for each line.

/** An entry's layout (struct entry in line-scanner.c): 7 float64s, or 14 uint32s. */
export const ENTRY_BYTES = 56;
/** float64 fields, at entry * 7 + these */
export const E_T = 0;
export const E_DUR = 1;
export const E_PID = 2;
/** uint32 fields, at entry * 14 + these */
export const E_START = 6;
export const E_END = 7;
export const E_NAME_START = 8;
export const E_NAME_END = 9;
export const E_NAME_HASH = 10;
export const E_FAMILY_START = 11;
export const E_FAMILY_END = 12;
export const E_FLAGS = 13;

export const KIND_MASK = 3;
export const KIND_BLANK = 0;
export const KIND_SYSCALL = 1;
export const KIND_OTHER = 2;
export const FLAG_FAILED = 4;
export const FLAG_UNFINISHED = 8;
