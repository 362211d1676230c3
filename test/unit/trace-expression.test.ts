// strace-style -e trace= expressions: what they select, and what the user reads when one is wrong.
import { describe, it, expect } from 'vitest';

// The parser reads the generated syscall tables; generate them first, as on a clean checkout.
const generator = await import('../../tracer/tables/generate.mjs');
generator.generate();
const { parseTraceExpression, isTraced, TraceExpressionError, DEFAULT_TRACE_SET } = await import('../../tracer/filter/trace-expression.js');
const { allSyscalls, syscallByName } = await import('../../tracer/tables/syscalls.js');

const nr = (name: string, arch: 'x86_64' | 'aarch64' = 'x86_64') => {
  const info = syscallByName(arch, name);
  if (!info) throw new Error(`no syscall ${name} on ${arch}`);
  return info.nr;
};
const sorted = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);
const numbers = (...names: string[]) => names.map((name) => nr(name)).sort((a, b) => a - b);

function parseError(expression: string, arch: 'x86_64' | 'aarch64' = 'x86_64') {
  try {
    parseTraceExpression(expression, arch);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceExpressionError);
    const e = error as InstanceType<typeof TraceExpressionError>;
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error(`"${expression}" parsed without error`);
}

describe('selecting syscalls', () => {
  it('takes syscall names', () => {
    const selection = parseTraceExpression('clone,execve');
    expect(selection.all).toBe(false);
    expect(sorted(selection.syscalls)).toEqual([56, 59]);
  });

  it('ignores spaces around items and accepts the "trace=" qualifier', () => {
    expect(sorted(parseTraceExpression(' open , close ').syscalls)).toEqual(numbers('open', 'close'));
    expect(sorted(parseTraceExpression('trace=open').syscalls)).toEqual(numbers('open'));
  });

  it('takes classes, ours and strace\'s', () => {
    expect(sorted(parseTraceExpression('%namespace').syscalls)).toEqual(numbers('clone', 'clone3', 'unshare', 'setns'));
    const mounts = parseTraceExpression('%mount').syscalls;
    for (const name of ['mount', 'umount2', 'pivot_root', 'chroot', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr']) {
      expect(mounts.has(nr(name)), name).toBe(true);
    }
    expect(mounts.has(nr('chdir'))).toBe(false);
    const processes = parseTraceExpression('%process').syscalls;
    expect(processes.has(nr('execve'))).toBe(true);
    expect(processes.has(nr('read'))).toBe(false);
    expect(parseTraceExpression('%%stat').syscalls.has(nr('newfstatat'))).toBe(true);
  });

  it('takes strace\'s old class names without the %', () => {
    expect(sorted(parseTraceExpression('process').syscalls)).toEqual(sorted(parseTraceExpression('%process').syscalls));
    expect(sorted(parseTraceExpression('file').syscalls)).toEqual(sorted(parseTraceExpression('%file').syscalls));
    // a syscall of the same name wins over the class
    expect(sorted(parseTraceExpression('stat').syscalls)).toEqual([nr('stat')]);
  });

  it('takes regular expressions over names', () => {
    expect(sorted(parseTraceExpression('/^(mount|umount2)$').syscalls)).toEqual(numbers('mount', 'umount2'));
    const mountish = parseTraceExpression('/^mount').syscalls;
    expect(mountish.has(nr('mount'))).toBe(true);
    expect(mountish.has(nr('mount_setattr'))).toBe(true);
    expect(mountish.has(nr('umount2'))).toBe(false);
  });

  it('takes syscall numbers', () => {
    expect(sorted(parseTraceExpression('435,999').syscalls)).toEqual([435, 999]);
  });

  it('skips unknown names marked with ?', () => {
    expect(sorted(parseTraceExpression('?frobnicate,open').syscalls)).toEqual(numbers('open'));
    expect(sorted(parseTraceExpression('?%nosuchclass,?/^zzz').syscalls)).toEqual([]);
    expect(sorted(parseTraceExpression('?open').syscalls)).toEqual(numbers('open'));
  });
});

describe('all, none and negation', () => {
  const known = allSyscalls('x86_64').length;

  it('all traces everything', () => {
    const selection = parseTraceExpression('all');
    expect(selection.all).toBe(true);
    expect(selection.syscalls.size).toBe(known);
    expect(isTraced(selection, 4000)).toBe(true);
  });

  it('none traces nothing', () => {
    const selection = parseTraceExpression('none');
    expect(selection).toEqual({ all: false, syscalls: new Set() });
    expect(isTraced(selection, 0)).toBe(false);
  });

  it('a leading ! inverts the whole list', () => {
    const selection = parseTraceExpression('!open,close');
    expect(selection.all).toBe(false);
    expect(selection.syscalls.size).toBe(known - 2);
    expect(selection.syscalls.has(nr('open'))).toBe(false);
    expect(selection.syscalls.has(nr('close'))).toBe(false);
    expect(selection.syscalls.has(nr('read'))).toBe(true);
    expect(isTraced(selection, nr('read'))).toBe(true);
  });

  it('inverts all and none', () => {
    expect(parseTraceExpression('!none').all).toBe(true);
    expect(parseTraceExpression('!all')).toEqual({ all: false, syscalls: new Set() });
    expect(parseTraceExpression('!!open')).toEqual(parseTraceExpression('open'));
  });
});

describe('the default set', () => {
  it('is data: names and classes in the -e trace syntax', () => {
    expect(DEFAULT_TRACE_SET).toContain('%mount');
    expect(DEFAULT_TRACE_SET).toContain('clone3');
  });

  it('selects the container-startup calls', () => {
    const selection = parseTraceExpression('default');
    expect(selection.all).toBe(false);
    for (const name of ['fork', 'vfork', 'clone', 'clone3', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid',
      'kill', 'tkill', 'tgkill', 'unshare', 'setns', 'mount', 'umount2', 'pivot_root', 'chroot', 'open_tree', 'move_mount',
      'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr', 'chdir', 'fchdir', 'sethostname', 'setdomainname', 'prctl',
      'open', 'openat', 'openat2', 'creat', 'mkdir', 'mkdirat', 'write', 'dup', 'dup2', 'dup3', 'rmdir', 'setuid', 'setgid', 'setreuid',
      'setregid', 'setresuid', 'setresgid', 'setgroups', 'setfsuid', 'setfsgid', 'capset', 'seccomp']) {
      expect(selection.syscalls.has(nr(name)), name).toBe(true);
    }
    expect(selection.syscalls.has(nr('read'))).toBe(false);
    expect(selection.syscalls.has(nr('mmap'))).toBe(false);
    // a stop per close would cost more than checking a cgroup fd again when it is written
    expect(selection.syscalls.has(nr('close'))).toBe(false);
  });

  it('combines with other items', () => {
    const selection = parseTraceExpression('default,read');
    expect(selection.syscalls.has(nr('read'))).toBe(true);
    expect(selection.syscalls.size).toBe(parseTraceExpression('default').syscalls.size + 1);
  });

  it('works on aarch64, which lacks fork, open and mkdir', () => {
    const selection = parseTraceExpression('default', 'aarch64');
    expect(selection.syscalls.has(nr('clone', 'aarch64'))).toBe(true);
    expect(selection.syscalls.has(nr('mkdirat', 'aarch64'))).toBe(true);
    expect(selection.syscalls.has(nr('mount', 'aarch64'))).toBe(true);
  });
});

describe('mistakes', () => {
  it('suggests the syscall meant', () => {
    const error = parseError('opne');
    expect(error.item).toBe('opne');
    expect(error.suggestion).toBe('open');
    expect(error.message).toBe('-e trace: unknown syscall "opne" on x86_64; did you mean "open"?');
    expect(parseError('clone,unshar').suggestion).toBe('unshare');
    expect(parseError('pivotroot').suggestion).toBe('pivot_root');
    expect(parseError('defualt').suggestion).toBe('default');
  });

  it('suggests the class meant', () => {
    expect(parseError('%proces').suggestion).toBe('%process');
    expect(parseError('%namespaces').message).toBe('-e trace: unknown class "%namespaces"; did you mean "%namespace"?');
    expect(parseError('proces').suggestion).toBe('%process');
  });

  it('lists the classes when none is close', () => {
    const error = parseError('%containers');
    expect(error.suggestion).toBeUndefined();
    expect(error.message).toContain('classes are %%stat, %%statfs, %clock');
  });

  it('tells how to skip a name with no close match', () => {
    const error = parseError('xyzzy');
    expect(error.suggestion).toBeUndefined();
    expect(error.message).toBe('-e trace: unknown syscall "xyzzy" on x86_64; check the spelling, or write "?xyzzy" to skip names this arch lacks');
  });

  it('says when a syscall exists only on another arch', () => {
    expect(parseError('fork', 'aarch64').message).toBe(
      '-e trace: "fork" is not a syscall on aarch64 (only on x86_64); write "?fork" to trace it where it exists');
  });

  it('rejects empty lists and items', () => {
    expect(parseError('').message).toContain('the list is empty');
    expect(parseError('!').message).toContain('the list is empty');
    expect(parseError('open,,close').message).toContain('remove the doubled or trailing comma');
    expect(parseError('open,').message).toContain('remove the doubled or trailing comma');
  });

  it('rejects ! in the middle of the list', () => {
    const error = parseError('open,!close');
    expect(error.item).toBe('!close');
    expect(error.message).toContain('e.g. -e trace=!close');
  });

  it('rejects bad and empty regular expressions', () => {
    expect(parseError('/(').message).toContain('"/(" is not a valid regular expression');
    expect(parseError('/^zzz').message).toBe('-e trace: "/^zzz" matches no syscall on x86_64; loosen the pattern, or write "?/^zzz" to allow that');
  });

  it('rejects numbers too big to be syscalls', () => {
    expect(parseError('99999').message).toContain('is not a syscall number');
  });
});
