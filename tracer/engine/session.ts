// One tracing session: the engine runs on a libuv worker thread while records stream back
// over a pipe into the event loop.
import net from 'node:net';
import { EngineOptions } from '../protocol/layout.js';
import { RawRecordSplitter } from '../protocol/raw-reader.js';
import type { RawRecord } from '../protocol/raw-records.js';
import type { Backend } from './backends.js';
import { loadEngine } from './ffi.js';

export interface SessionTables {
  /** CAPTURE_ROW bytes per syscall number (native/event.h). */
  readonly capture: Uint8Array;
  /** One bit per syscall number: the syscalls to record. */
  readonly bitmap: Uint8Array;
}

export type SessionTarget =
  | { readonly kind: 'command'; readonly path: string; readonly argv: readonly string[] }
  | { readonly kind: 'attach'; readonly pids: readonly number[] }
  /** every container started on the host from now on (eBPF only) */
  | { readonly kind: 'containers' };


export interface SessionOptions {
  readonly target: SessionTarget;
  /** default: ptrace */
  readonly backend?: Backend;
  readonly traceAll: boolean;
  /** keep the engine thread on one CPU and this process's other threads off it (native/placement.h) */
  readonly pinTracer?: boolean;
  readonly tables: SessionTables;
  readonly onRecord: (record: RawRecord) => void;
  /** also hand every raw chunk here (to save the engine's stream for tests and benchmarks) */
  readonly onRawChunk?: (chunk: Buffer) => void;
  /**
   * Nobody watches live: hold the engine's bytes and hand the records over once the engine is
   * done, so that decoding does not run beside the traced command (on 2 CPUs it slowed `runc
   * run` under --all by a fifth). Past `deferLimitBytes` held, records flow live again.
   */
  readonly deferRecords?: boolean;
  readonly deferLimitBytes?: number;
}

/** About 600,000 records of --all: decoded afterwards in about 2 s. */
export const DEFAULT_DEFER_LIMIT_BYTES = 64 << 20;

export interface Session {
  /** Resolves with the engine's result (exit status of the started command) once every record was delivered. */
  readonly done: Promise<number>;
  /** End the session: started tracees are killed, attached ones detached. */
  stop(): void;
}

export class SessionError extends Error {
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

export function startSession(options: SessionOptions): Session {
  const engine = loadEngine();
  const ebpf = options.backend === 'ebpf';
  const requestStop = ebpf ? engine.ebpfRequestStop : engine.requestStop;
  const fds = new Int32Array(2);
  const rc = engine.makePipe(fds);
  if (rc < 0) throw new SessionError('cannot create the engine pipe', -rc);
  const [readFd, writeFd] = [fds[0]!, fds[1]!];
  const engineOptions = (options.traceAll ? EngineOptions.traceAll : 0) | (options.pinTracer ? EngineOptions.pinTracer : 0);
  const splitter = new RawRecordSplitter();
  const stream = new net.Socket({ fd: readFd, readable: true, writable: false });
  const deferLimit = options.deferLimitBytes ?? DEFAULT_DEFER_LIMIT_BYTES;
  let held: Buffer[] | null = options.deferRecords ? [] : null;
  let heldBytes = 0;
  let failed = false;
  const streamEnded = new Promise<void>((resolve, reject) => {
    const deliver = (chunk: Buffer) => {
      if (failed) return;
      try {
        splitter.push(chunk, options.onRecord);
      } catch (error) {
        failed = true;
        stream.destroy();
        reject(error);
      }
    };
    const releaseHeld = () => {
      const backlog = held ?? [];
      held = null;
      for (const chunk of backlog) deliver(chunk);
    };
    stream.on('data', (chunk: Buffer) => {
      options.onRawChunk?.(chunk);
      if (held === null) return deliver(chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes > deferLimit) releaseHeld();
    });
    const ended = () => {
      releaseHeld();
      resolve();
    };
    stream.on('end', ended);
    stream.on('close', ended);
    stream.on('error', reject);
  });
  // koffi reads the pids on the engine's thread: they must outlive the call, not just this function.
  let attachedPids: Int32Array | null = null;
  const engineResult = new Promise<number>((resolve, reject) => {
    const callback = (error: unknown, result: number) => (error ? reject(error) : resolve(result));
    const { capture, bitmap } = options.tables;
    const { target } = options;
    const traceCommand = ebpf ? engine.ebpfTraceCommand : engine.traceCommand;
    const traceAttach = ebpf ? engine.ebpfTraceAttach : engine.traceAttach;
    if (target.kind === 'command') {
      traceCommand.async(target.path, [...target.argv, null], writeFd, engineOptions, capture, bitmap, callback);
    } else if (target.kind === 'containers') {
      engine.ebpfWatch.async(writeFd, engineOptions, capture, bitmap, callback);
    } else {
      attachedPids = Int32Array.from(target.pids);
      traceAttach.async(attachedPids, attachedPids.length, writeFd, engineOptions, capture, bitmap, callback);
    }
  });
  let stopTimer: NodeJS.Timeout | undefined;
  const done = Promise.all([engineResult, streamEnded]).then(([result]) => result);
  done
    .finally(() => {
      clearInterval(stopTimer);
      attachedPids = null;
    })
    .catch(() => undefined);
  return {
    done,
    stop() {
      if (stopTimer) return;
      requestStop();
      // The request can race with the engine entering waitpid: repeat until it ends.
      stopTimer = setInterval(() => requestStop(), 50);
      stopTimer.unref();
    },
  };
}
