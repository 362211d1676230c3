// The engines that can record a session (native/engine.h, native/ebpf/ebpf-engine.h). Apart from
// session.ts so that the CLI can name them without loading the native library.

/** ptrace: the tracer stops the tracees at their calls; ebpf: programs in the kernel record them, nobody stops. */
export type Backend = 'ptrace' | 'ebpf';
export const BACKENDS: readonly Backend[] = ['ptrace', 'ebpf'];
