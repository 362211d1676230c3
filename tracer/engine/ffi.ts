// The koffi binding to native/build/libcttrace.so. Nothing else in tracer/ touches koffi.
import type { LibraryHandle } from 'koffi';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { nativeLibraryPath } from '../paths.js';
import { EngineUnavailableError } from './errors.js';

export { EngineUnavailableError };


interface EngineFunction<Args extends unknown[]> {
  (...args: Args): number;
  async(...args: [...Args, (error: unknown, result: number) => void]): void;
}

export interface EngineBinding {
  makePipe: (fds: Int32Array) => number;
  traceCommand: EngineFunction<[string, (string | null)[], number, number, Uint8Array, Uint8Array]>;
  traceAttach: EngineFunction<[Int32Array, number, number, number, Uint8Array, Uint8Array]>;
  requestStop: () => void;
  /** the eBPF backend: the same arguments and records, followed in the kernel (native/ebpf/ebpf-engine.h) */
  ebpfTraceCommand: EngineFunction<[string, (string | null)[], number, number, Uint8Array, Uint8Array]>;
  ebpfTraceAttach: EngineFunction<[Int32Array, number, number, number, Uint8Array, Uint8Array]>;
  ebpfWatch: EngineFunction<[number, number, Uint8Array, Uint8Array]>;
  ebpfRequestStop: () => void;
}

let binding: EngineBinding | undefined;

/** koffi, loaded when the engine is: its native module can be missing from a broken install, which is a message with the fix, not a stack. */
function loadKoffi(): { load(path: string): LibraryHandle } {
  try {
    return createRequire(import.meta.url)('koffi') as { load(path: string): LibraryHandle };
  } catch (error) {
    const why = String((error as Error)?.message ?? error).split('\n')[0];
    throw new EngineUnavailableError(`koffi, which loads the ptrace engine, cannot be loaded (${why}); reinstall the dependencies: npm ci`);
  }
}

export function loadEngine(): EngineBinding {
  if (binding) return binding;
  if (!existsSync(nativeLibraryPath)) {
    throw new EngineUnavailableError(
      `the ptrace engine is not built (${nativeLibraryPath} is missing); run: npm run build`,
    );
  }
  const lib = loadKoffi().load(nativeLibraryPath);
  binding = {
    makePipe: lib.func('int ct_make_pipe(_Inout_ int32_t *fds)'),
    traceCommand: lib.func(
      'int ct_trace_command(const char *path, const char **argv, int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap)',
    ) as unknown as EngineBinding['traceCommand'],
    traceAttach: lib.func(
      'int ct_trace_attach(const int32_t *pids, int32_t pid_count, int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap)',
    ) as unknown as EngineBinding['traceAttach'],
    requestStop: lib.func('void ct_request_stop(void)'),
    ebpfTraceCommand: lib.func(
      'int ct_ebpf_trace_command(const char *path, const char **argv, int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap)',
    ) as unknown as EngineBinding['ebpfTraceCommand'],
    ebpfTraceAttach: lib.func(
      'int ct_ebpf_trace_attach(const int32_t *pids, int32_t pid_count, int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap)',
    ) as unknown as EngineBinding['ebpfTraceAttach'],
    ebpfWatch: lib.func('int ct_ebpf_watch(int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap)') as unknown as EngineBinding['ebpfWatch'],
    ebpfRequestStop: lib.func('void ct_ebpf_request_stop(void)'),
  };
  return binding;
}
