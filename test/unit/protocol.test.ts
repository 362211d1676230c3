// Pins tracer/protocol/layout.ts to native/event.h and engine.h: a C program prints the real offsets.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as L from '../../tracer/protocol/layout.js';
import { repoRoot, withTempDir } from '../helpers/cli.js';

const CHECKS: readonly (readonly [string, string, number])[] = [
  ['sizeof', 'struct ct_record_header', L.HEADER_SIZE],
  ['offsetof', 'struct ct_record_header, type', L.Header.type],
  ['offsetof', 'struct ct_record_header, tid', L.Header.tid],
  ['offsetof', 'struct ct_record_header, time_ns', L.Header.time],
  ['sizeof', 'struct ct_hello', L.Hello.size],
  ['offsetof', 'struct ct_hello, start_ns', L.Hello.startNs],
  ['offsetof', 'struct ct_hello, realtime_start_ns', L.Hello.realtimeStartNs],
  ['offsetof', 'struct ct_hello, kernel_release', L.Hello.kernelRelease],
  ['offsetof', 'struct ct_hello, machine', L.Hello.machine],
  ['sizeof', 'struct ct_task', L.Task.size],
  ['offsetof', 'struct ct_task, reason', L.Task.reason],
  ['offsetof', 'struct ct_task, nspid_count', L.Task.nspidCount],
  ['offsetof', 'struct ct_task, nspid', L.Task.nspid],
  ['offsetof', 'struct ct_task, ns', L.Task.ns],
  ['offsetof', 'struct ct_task, uid', L.Task.uid],
  ['offsetof', 'struct ct_task, gid', L.Task.gid],
  ['offsetof', 'struct ct_task, comm', L.Task.comm],
  ['sizeof', 'struct ct_syscall', L.Syscall.size],
  ['offsetof', 'struct ct_syscall, flags', L.Syscall.flags],
  ['offsetof', 'struct ct_syscall, blob_count', L.Syscall.blobCount],
  ['offsetof', 'struct ct_syscall, args', L.Syscall.args],
  ['offsetof', 'struct ct_syscall, ret', L.Syscall.ret],
  ['offsetof', 'struct ct_syscall, enter_ns', L.Syscall.enterNs],
  ['offsetof', 'struct ct_syscall, child_tid', L.Syscall.childTid],
  ['sizeof', 'struct ct_blob', L.Blob.size],
  ['offsetof', 'struct ct_blob, length', L.Blob.length],
  ['sizeof', 'struct ct_exec', L.Exec.size],
  ['offsetof', 'struct ct_exec, comm', L.Exec.comm],
  ['sizeof', 'struct ct_signal', L.Signal.size],
  ['offsetof', 'struct ct_signal, kind', L.Signal.kind],
  ['sizeof', 'struct ct_exit', L.Exit.size],
  ['offsetof', 'struct ct_error', 0],
  ['sizeof', 'struct ct_end', L.End.size],
  ['sizeof', 'struct ct_lost', L.Lost.size],
  ['offsetof', 'struct ct_lost, total', L.Lost.total],
  ['offsetof', 'struct ct_lost, since_ns', L.Lost.sinceNs],
  ['offsetof', 'struct ct_lost, cpu_count', L.Lost.cpuCount],
  ['sizeof', 'struct ct_lost_cpu', L.LostCpu.size],
  ['offsetof', 'struct ct_lost_cpu, count', L.LostCpu.count],
  ['value', 'CT_REC_LOST', L.RecordType.lost],
  ['value', 'CT_PROTOCOL_VERSION', L.PROTOCOL_VERSION],
  ['value', 'CT_NS_COUNT', L.NAMESPACE_KINDS.length],
  ['value', 'CT_NS_PID', L.NAMESPACE_KINDS.indexOf('pid')],
  ['value', 'CT_NS_UTS', L.NAMESPACE_KINDS.indexOf('uts')],
  ['value', 'CT_MAX_NSPID', L.Task.maxNspid],
  ['value', 'CT_CAPTURE_ROW', L.CAPTURE_ROW],
  ['value', 'CT_ROW_BEHAVIOUR', L.Row.behaviour],
  ['value', 'CT_ROW_FILTER', L.Row.filter],
  ['value', 'CT_ROW_PATH_ARG', L.Row.pathArg],
  ['value', 'CT_ROW_DIRFD_ARG', L.Row.dirfdArg],
  ['value', 'CT_ROW_FD_ARG', L.Row.fdArg],
  ['value', 'CT_ROW_CLONE_FLAGS_ARG', L.Row.cloneFlagsArg],
  ['value', 'CT_BEHAVIOUR_RETURNS_FD', L.Behaviour.returnsFd],
  ['value', 'CT_BEHAVIOUR_CLOSES_FD', L.Behaviour.closesFd],
  ['value', 'CT_BEHAVIOUR_FORKS', L.Behaviour.forks],
  ['value', 'CT_OPT_TRACE_ALL', L.EngineOptions.traceAll],
  ['value', 'CT_OPT_PIN_TRACER', L.EngineOptions.pinTracer],
  ['value', 'CT_RECORD_CGROUP_ONLY', L.RecordFilter.cgroupOnly],
  ['value', 'CT_MAX_SYSCALL', L.MAX_SYSCALL],
  ['value', 'CT_CAPTURE_INTS_ARG', L.CaptureKind.intsArg],
  ['value', 'CT_CAPTURE_POINTER_COUNT', L.CaptureKind.pointerCount],
  ['value', 'CT_CAPTURE_OUT_STRUCT', L.CaptureKind.outStruct],
  ['value', 'CT_CAPTURE_OUT_OF_ARG', L.CaptureKind.outOfArg],
  ['value', 'CT_CAPTURE_FPROG', L.CaptureKind.fprog],
  ['value', 'CT_CAPTURE_CWD', L.CaptureKind.cwd],
  ['value', 'CT_FPROG_MAX_INSNS', L.FPROG_MAX_INSNS],
  ['value', 'CT_CAPTURE_OUT_FIXED', L.CaptureKind.outFixed],
  ['value', 'CT_BEHAVIOUR_EXEC', L.Behaviour.exec],
  ['value', 'CT_REC_END', L.RecordType.end],
];

describe('protocol layout', () => {
  it('matches native/event.h', () => {
    const printed = withTempDir((dir) => {
      const lines = CHECKS.map(([how, what]) => {
        if (how === 'value') return `printf("%ld\\n", (long)(${what}));`;
        if (how === 'sizeof') return `printf("%zu\\n", sizeof(${what}));`;
        if (!what.includes(',')) return 'printf("0\\n");';
        return `printf("%zu\\n", offsetof(${what}));`;
      });
      const source = `#include <stddef.h>\n#include <stdio.h>\n#include "event.h"\n#include "engine.h"\nint main(void) {\n${lines.join('\n')}\nreturn 0; }\n`;
      writeFileSync(join(dir, 'layout.c'), source);
      execFileSync('gcc', ['-I', join(repoRoot, 'native'), '-o', join(dir, 'layout'), join(dir, 'layout.c')]);
      return execFileSync(join(dir, 'layout'), { encoding: 'utf8' }).trim().split('\n').map(Number);
    });
    const expected = CHECKS.map(([, , value]) => value);
    const labelled = (values: number[]) => CHECKS.map(([how, what], index) => `${how} ${what} = ${values[index]}`);
    expect(labelled(printed)).toEqual(labelled(expected));
  });
});
