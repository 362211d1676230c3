// A trace file that cannot be read or written: one line saying why and what to do.
export class TraceFileError extends Error {}
