// Types for generate.mjs, which stays plain JavaScript so it runs before anything is compiled.

export declare const TABLES_DIR: string;
export declare const XLAT_DIR: string;
export declare const SYSCALLS_DIR: string;
export declare const GENERATED_DIR: string;
export declare const ERRNO_MESSAGES_FILE: string;
export declare const SIGNATURES_FILE: string;
export declare const PRCTL_FILE: string;
export declare const SYSCALL_ARGS_FILE: string;

/** A mistake in a .in file; the message starts with file:line. */
export declare class TableDataError extends Error {
  constructor(file: string, line: number, message: string);
}

export interface XlatEntry {
  readonly name: string;
  readonly value: bigint;
  readonly lineNo: number;
}

export interface XlatFile {
  readonly name: string;
  readonly kind: 'flags' | 'values';
  /** The #From line: where in the kernel tree the values are defined. */
  readonly from: string;
  /** The #header line: space-separated <headers> that declare the names, or "none". */
  readonly header: string;
  /** The #cflags line, or "": compiler flags those headers need. */
  readonly cflags: string;
  /** The #unknown line, or the names' shared prefix + "???": strace's comment for unnamed values. */
  readonly unknown: string;
  readonly entries: readonly XlatEntry[];
}

export interface SyscallEntry {
  readonly nr: number;
  readonly name: string;
  readonly classes: readonly string[];
  readonly lineNo: number;
}

export interface SyscallFile {
  readonly arch: string;
  readonly from: string;
  readonly header: string;
  readonly cflags: string;
  /** In number order. */
  readonly entries: readonly SyscallEntry[];
}

export declare function parseNumber(text: string): bigint | undefined;
export declare function parseXlatFile(file: string): XlatFile;
export declare function parseSyscallFile(file: string): SyscallFile;
export declare function readXlatSets(dir?: string): XlatFile[];
export declare function readSyscallTables(dir?: string): SyscallFile[];
export declare function renderXlatModule(sets: readonly XlatFile[]): string;
/** syscall-args.in: argument count by syscall name. */
export declare function parseSyscallArgs(file?: string): Map<string, number>;
export declare function renderSyscallsModule(tables: readonly SyscallFile[], argCounts: ReadonlyMap<string, number>): string;
export declare function generate(outDir?: string): { sets: number; arches: string[] };

export interface ErrnoMessage {
  readonly name: string;
  readonly text: string;
  readonly lineNo: number;
}
export declare function parseErrnoMessages(file?: string): ErrnoMessage[];
export declare function renderErrnoMessagesModule(messages: readonly ErrnoMessage[]): string;

export declare function parseSignatures(text: string, file?: string): import('../decode/signature-types.js').SyscallSignature[];
export declare function renderSignaturesModule(signatures: readonly import('../decode/signature-types.js').SyscallSignature[]): string;
export declare function parsePrctlTable(text: string, file?: string): { key: string; args: { type: string; wide: boolean }[]; result: string | null }[];
export declare function renderPrctlModule(shapes: readonly { key: string; args: readonly { type: string; wide: boolean }[]; result: string | null }[]): string;
