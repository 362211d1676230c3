// The terminal lines, against what strace 6.1 printed for the same calls on this machine (the
// expected strings below were copied from its output, pids and addresses kept).
import { describe, expect, it } from 'vitest';
import { formatSyscall, PLAIN_STYLE, TerminalFormatter } from '../../tracer/format/terminal.js';
import type { SignalRecord, SyscallRecord } from '../../tracer/trace/records.js';

function clone3(args: Record<string, unknown>, ret: number): SyscallRecord {
  return { type: 'syscall', t: 0, pid: 7, name: 'clone3', nr: 435, args: { args, size: 88 }, ret, err: null, dur: 1, raw: [], family: 'process' } as unknown as SyscallRecord;
}

/** struct clone_args in the decoder's field order, for a call made without a stack or tids. */
function plainArgs(flags: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { flags, pidfd: null, child_tid: null, parent_tid: null, exit_signal: 'SIGCHLD', stack: null, stack_size: 0, tls: null, set_tid: null, set_tid_size: 0, cgroup: 0, ...extra };
}

describe('terminal lines', () => {
  it("shows clone3's struct as strace does: only the fields its flags put in use", () => {
    const thread = clone3(
      {
        flags: ['CLONE_VM', 'CLONE_FS', 'CLONE_FILES', 'CLONE_SIGHAND', 'CLONE_THREAD', 'CLONE_SYSVSEM', 'CLONE_SETTLS', 'CLONE_PARENT_SETTID', 'CLONE_CHILD_CLEARTID'],
        pidfd: '0x7f262258b990', // glibc fills it; without CLONE_PIDFD the kernel ignores it
        child_tid: '0x7f262258b990',
        parent_tid: '0x7f262258b990',
        exit_signal: '0',
        stack: '0x7f2621d8b000',
        stack_size: 0x7fff80,
        tls: '0x7f262258b6c0',
        set_tid: null,
        set_tid_size: 0,
        cgroup: 0,
      },
      20573,
    );
    expect(formatSyscall(thread)).toBe(
      'clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f262258b990, parent_tid=0x7f262258b990, exit_signal=0, stack=0x7f2621d8b000, stack_size=0x7fff80, tls=0x7f262258b6c0}, 88) = 20573',
    );
    const container = clone3(plainArgs(['CLONE_NEWIPC']), 20764);
    expect(formatSyscall(container)).toBe('clone3({flags=CLONE_NEWIPC, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 88) = 20764');
    const intoCgroup = clone3(plainArgs(['CLONE_NEWPID', 'CLONE_INTO_CGROUP'], { set_tid: '0x7ffd0010', set_tid_size: 1, cgroup: 5 }), 1);
    expect(formatSyscall(intoCgroup)).toBe(
      'clone3({flags=CLONE_NEWPID|CLONE_INTO_CGROUP, exit_signal=SIGCHLD, stack=NULL, stack_size=0, set_tid=0x7ffd0010, set_tid_size=1, cgroup=5}, 88) = 1',
    );
  });

  it("names a signal's si_code as strace does", () => {
    const formatter = new TerminalFormatter(PLAIN_STYLE);
    const signal: SignalRecord = { type: 'signal', t: 0, pid: 15608, signal: 'SIGUSR1', signo: 10, code: 0, codeName: 'SI_USER', sender: { pid: 15608, uid: 0 }, stop: false };
    expect(formatter.line(signal)).toMatch(/--- SIGUSR1 \{si_code=SI_USER, si_pid=15608\} ---$/);
    // a trace written before codeName existed still shows the number
    const { codeName: _omitted, ...older } = signal;
    expect(formatter.line(older as SignalRecord)).toMatch(/--- SIGUSR1 \{si_code=0, si_pid=15608\} ---$/);
  });

  it("shows times as strace's -r and -T do, and the time since the trace began", () => {
    const call = (t: number, dur: number, ret: number | null, name = 'mount'): SyscallRecord =>
      ({ type: 'syscall', t, pid: 7, name, nr: 0, args: {}, ret, err: null, dur, raw: [], family: 'mounts' }) as unknown as SyscallRecord;
    const formatter = new TerminalFormatter(PLAIN_STYLE, { relative: true, elapsed: true, durations: true });
    expect(formatter.line(call(1_500_000, 83_400, 0))).toMatch(/^ +0\.001500 +0\.000000 7 .* mount\(\) += 0 <0\.000083>$/);
    expect(formatter.line(call(2_750_000, 45_000, 0))).toMatch(/^ +0\.002750 +0\.001250 7 .* mount\(\) += 0 <0\.000045>$/);
    // a call that never returned shows no time spent
    expect(formatter.line(call(3_000_000, 5_000, null, 'exit_group'))).toMatch(/exit_group\(\) += \?$/);
    // a line whose event came before the previous line's (a call recorded when it returned) is 0, not negative
    expect(formatter.line(call(2_000_000, 1_000_000, 0))).toMatch(/^ +0\.002000 +0\.000000 7 /);
    expect(new TerminalFormatter(PLAIN_STYLE).line(call(1_500_000, 83_400, 0))).toMatch(/^7 +\? +mount\(\) {33}= 0$/);
  });

  it('prints only the failed calls with -Z, as strace does, and keeps the other lines', () => {
    const formatter = new TerminalFormatter(PLAIN_STYLE, { failedOnly: true });
    const ok = { type: 'syscall', t: 0, pid: 7, name: 'prctl', nr: 157, args: { option: 'PR_SET_NAME', arg2: 'runc:[1:CHILD]' }, ret: 0, err: null, dur: 1, raw: [], family: 'process' } as unknown as SyscallRecord;
    const failed = { type: 'syscall', t: 1, pid: 7, name: 'openat', nr: 257, args: {}, ret: -2, err: 'ENOENT', dur: 1, raw: [], family: 'files' } as unknown as SyscallRecord;
    formatter.line({ type: 'process', t: 0, pid: 7, tgid: 7, ppid: 1, nspid: [7], comm: 'runc', ns: {}, uid: 0, gid: 0, reason: 'new' });
    expect(formatter.line(ok)).toBeNull();
    // the rename of a call not shown is still followed
    expect(formatter.line(failed)).toMatch(/^7 +runc:\[1:CHILD\] +openat\(\) += -1 ENOENT \(No such file or directory\)$/);
    expect(formatter.line({ type: 'exit', t: 2, pid: 7, code: 0 })).toMatch(/\+\+\+ exited with 0 \+\+\+$/);
  });
});
