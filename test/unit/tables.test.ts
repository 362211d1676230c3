// The syscall and flag tables against the real kernel and libc headers, and the helpers over them.
import { afterAll, describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The helpers import the generator's output, so generate before importing them; this also
// makes the test work from a clean checkout.
const generator = await import('../../tracer/tables/generate.mjs');
generator.generate();
const {
  xlat, decodeFlags, decodeValue, decodeOpenFlags, decodeMountFlags, decodeCloneFlags, splitCloneFlags,
  errnoName, signalName, siginfoCodeName, capabilityNames, formatFlags, asInt32, lookupValue,
} = await import('../../tracer/tables/xlat.js');
const { ARCHES, allSyscalls, syscallByName, syscallByNr, syscallName, syscallsInClass } = await import('../../tracer/tables/syscalls.js');

interface HeaderValues {
  readonly values: ReadonlyMap<string, bigint>;
  /** Names the header does not declare (newer than the installed headers). */
  readonly missing: readonly string[];
}

const workDir = mkdtempSync(join(tmpdir(), 'cttrace-tables-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let programCount = 0;

/**
 * Compiles a program that includes `headers` (space-separated, as in #header) and prints each name's value, and returns the values.
 * A name the header lacks makes gcc report it undeclared; it is dropped and reported as missing,
 * so enum constants (fsconfig's commands) are handled like macros. Any other error fails.
 */
function valuesFromHeader(headers: string, cflags: readonly string[], names: readonly string[]): HeaderValues {
  let wanted = [...names];
  const missing: string[] = [];
  for (;;) {
    const source = join(workDir, `probe${programCount}.c`);
    const binary = join(workDir, `probe${programCount++}`);
    writeFileSync(source, [
      '#include <stdio.h>',
      ...headers.split(/\s+/).map((header) => `#include ${header}`),
      'int main(void) {',
      ...wanted.map((name) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`),
      '  return 0;',
      '}',
      '',
    ].join('\n'));
    try {
      execFileSync('gcc', ['-w', ...cflags, '-o', binary, source], { stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
      const undeclared = [...stderr.matchAll(/['‘](\w+)['’] undeclared/g)].map((m) => m[1]!);
      const fresh = undeclared.filter((name) => wanted.includes(name));
      if (fresh.length === 0) throw new Error(`gcc failed on ${headers}:\n${stderr}`);
      missing.push(...fresh);
      wanted = wanted.filter((name) => !fresh.includes(name));
      continue;
    }
    const values = new Map<string, bigint>();
    for (const line of execFileSync(binary, { encoding: 'utf8' }).trim().split('\n')) {
      if (line === '') continue;
      const [name, value] = line.split(' ');
      values.set(name!, BigInt(value!));
    }
    return { values, missing };
  }
}

function reportMissing(what: string, missing: readonly string[]): void {
  if (missing.length > 0) console.log(`${what}: not in the installed headers, not checked: ${missing.join(' ')}`);
}

// C's 1<<31 (MS_NOUSER) is an int, so it prints as -2147483648: compare such values as 32-bit.
function sameValue(ours: bigint, header: bigint): boolean {
  if (ours === header) return true;
  return header < 0n && header >= -(1n << 31n) && ours === BigInt.asUintN(32, header);
}

describe('flag and value sets match the headers', () => {
  const sets = generator.readXlatSets();

  it('has the sets the decoders need', () => {
    const names = sets.map((set) => set.name);
    for (const name of ['clone_flags', 'mount_flags', 'umount_flags', 'move_mount_flags', 'open_tree_flags',
      'fsopen_flags', 'fsconfig_commands', 'fsmount_flags', 'mount_attr_flags', 'fspick_flags', 'at_flags',
      'dirfd_values', 'open_flags', 'open_access_modes', 'prctl_options', 'signals', 'errno', 'wait_options',
      'capabilities', 'siginfo_codes', 'sigchld_codes', 'sigsegv_codes', 'sigbus_codes', 'sigill_codes', 'sigfpe_codes',
      'sigtrap_codes', 'sigpoll_codes', 'sigsys_codes']) {
      expect(names).toContain(name);
    }
  });

  for (const set of sets) {
    it(`${set.name} (${set.header})`, () => {
      const generated = xlat[set.name as keyof typeof xlat];
      expect(generated.kind).toBe(set.kind);
      expect(generated.entries.map(([name, value]) => `${name} ${value}`))
        .toEqual(set.entries.map((e) => `${e.name} ${e.value}`));
      if (set.header === 'none') {
        console.log(`${set.name}: kernel-internal (${set.from}), no userspace header to check against`);
        return;
      }
      const { values, missing } = valuesFromHeader(set.header, set.cflags.split(/\s+/).filter(Boolean),
        generated.entries.map(([name]) => name));
      reportMissing(set.name, missing);
      expect(missing.length).toBeLessThan(generated.entries.length);
      const wrong = generated.entries
        .filter(([name, value]) => values.has(name) && !sameValue(value, values.get(name)!))
        .map(([name, value]) => `${name}: table ${value}, header ${values.get(name)}`);
      expect(wrong).toEqual([]);
    });
  }
});

describe('syscall tables match the headers', () => {
  const tables = generator.readSyscallTables();

  for (const table of tables) {
    it(`${table.arch} numbers (${table.header})`, () => {
      const cflags = table.cflags.split(/\s+/).filter(Boolean);
      const names = table.entries.map((e) => `__NR_${e.name}`);
      const { values, missing } = valuesFromHeader(table.header, cflags, names);
      reportMissing(`${table.arch} syscalls`, missing);
      expect(missing.length).toBeLessThan(names.length);
      const wrong = table.entries
        .filter((e) => values.has(`__NR_${e.name}`) && values.get(`__NR_${e.name}`) !== BigInt(e.nr))
        .map((e) => `${e.name}: table ${e.nr}, header ${values.get(`__NR_${e.name}`)}`);
      expect(wrong).toEqual([]);
    });

    it(`${table.arch} lists every syscall the header has`, () => {
      const cflags = table.cflags.split(/\s+/).filter(Boolean);
      const macros = execFileSync('gcc', [...cflags, '-E', '-dM', '-x', 'c', '-'], {
        input: `#include ${table.header}\n`,
        encoding: 'utf8',
      });
      // __NR_syscalls is a count and __NR_arch_specific_syscall a range start, not syscalls.
      const notSyscalls = new Set(['syscalls', 'arch_specific_syscall']);
      const inHeader = [...macros.matchAll(/^#define __NR_(\w+) /gm)].map((m) => m[1]!).filter((n) => !notSyscalls.has(n));
      expect(inHeader.length).toBeGreaterThan(250);
      const ours = new Set(table.entries.map((e) => e.name));
      expect(inHeader.filter((name) => !ours.has(name))).toEqual([]);
    });
  }

  it('has the container calls at their exact x86_64 numbers', () => {
    const expected = { clone: 56, clone3: 435, unshare: 272, setns: 308, pivot_root: 155, mount: 165, execve: 59, umount2: 166, chroot: 161 };
    for (const [name, nr] of Object.entries(expected)) expect(syscallByName('x86_64', name)?.nr, name).toBe(nr);
  });

  it('has the container calls at their exact aarch64 numbers', () => {
    const expected = { clone: 220, clone3: 435, unshare: 97, setns: 268, pivot_root: 41, mount: 40, execve: 221, umount2: 39, chroot: 51 };
    for (const [name, nr] of Object.entries(expected)) expect(syscallByName('aarch64', name)?.nr, name).toBe(nr);
  });
});

describe('syscall lookups', () => {
  it('finds by number and by name', () => {
    expect(ARCHES).toEqual(['aarch64', 'x86_64']);
    expect(syscallByNr('x86_64', 56)).toEqual({ nr: 56, name: 'clone', classes: ['%process', '%namespace'], args: 5 });
    expect(syscallByNr('x86_64', 400)).toBeUndefined();
    expect(syscallByName('x86_64', 'openat')?.nr).toBe(257);
    expect(syscallByName('aarch64', 'open')).toBeUndefined();
    expect(syscallByName('x86_64', 'nosuchcall')).toBeUndefined();
  });

  it('names unknown numbers as strace does', () => {
    expect(syscallName('x86_64', 59)).toBe('execve');
    expect(syscallName('x86_64', 999)).toBe('syscall_0x3e7');
  });

  it('groups by class', () => {
    const names = (cls: string) => syscallsInClass('x86_64', cls).map((info) => info.name);
    expect(names('%namespace')).toEqual(['clone', 'unshare', 'setns', 'clone3']);
    expect(names('%mount')).toEqual(['pivot_root', 'chroot', 'mount', 'umount2', 'open_tree', 'move_mount',
      'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr', 'open_tree_attr']);
    expect(names('%process')).toEqual(expect.arrayContaining(['fork', 'vfork', 'execve', 'exit_group', 'wait4', 'kill']));
    expect(names('%creds')).toEqual(expect.arrayContaining(['setuid', 'capset', 'prctl']));
    expect(names('%nosuchclass')).toEqual([]);
  });

  it('puts every syscall in number order', () => {
    for (const arch of ARCHES) {
      const numbers = allSyscalls(arch).map((info) => info.nr);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
  });
});

describe('flag decoding', () => {
  it('names set bits in table order', () => {
    expect(decodeFlags(xlat.clone_flags, 0x40000000n | 0x20000n)).toEqual(['CLONE_NEWNS', 'CLONE_NEWNET']);
    expect(decodeFlags(xlat.wait_options, 0x80000000)).toEqual(['__WCLONE']);
    expect(decodeFlags(xlat.wait_options, 0x40000001)).toEqual(['WNOHANG', '__WALL']);
  });

  it('uses 64-bit arithmetic', () => {
    expect(decodeFlags(xlat.clone_flags, 0x200000000n | 0x100n)).toEqual(['CLONE_VM', 'CLONE_INTO_CGROUP']);
    expect(decodeFlags(xlat.clone_flags, 0x100000000n)).toEqual(['CLONE_CLEAR_SIGHAND']);
  });

  it('prints unknown bits as one hex string at the end', () => {
    expect(decodeFlags(xlat.umount_flags, 0x10n | 2n)).toEqual(['MNT_DETACH', '0x10']);
    expect(decodeFlags(xlat.fsopen_flags, 0x8000000000000000n)).toEqual(['0x8000000000000000']);
  });

  it('gives nothing for zero, formatted as 0', () => {
    expect(decodeFlags(xlat.mount_flags, 0n)).toEqual([]);
    expect(formatFlags([])).toBe('0');
    expect(formatFlags(['MS_BIND', 'MS_REC'])).toBe('MS_BIND|MS_REC');
  });

  it('refuses a values set', () => {
    expect(() => decodeFlags(xlat.errno, 1)).toThrow(/errno is a set of values/);
  });
});

describe('value decoding', () => {
  it('names a value or prints it in decimal', () => {
    expect(decodeValue(xlat.prctl_options, 38)).toBe('PR_SET_NO_NEW_PRIVS');
    expect(decodeValue(xlat.prctl_options, 15)).toBe('PR_SET_NAME');
    expect(decodeValue(xlat.prctl_options, 9999)).toBe('9999');
    expect(decodeValue(xlat.fsconfig_commands, 6n)).toBe('FSCONFIG_CMD_CREATE');
    expect(lookupValue(xlat.fsconfig_commands, 99)).toBeUndefined();
  });

  it('matches AT_FDCWD once the register is read as an int', () => {
    expect(decodeValue(xlat.dirfd_values, asInt32(0xffffff9cn))).toBe('AT_FDCWD');
    expect(decodeValue(xlat.dirfd_values, asInt32(0xffffffffffffff9cn))).toBe('AT_FDCWD');
    expect(decodeValue(xlat.dirfd_values, 3)).toBe('3');
  });
});

describe('open flags', () => {
  it('puts the access mode first', () => {
    expect(decodeOpenFlags(0)).toEqual(['O_RDONLY']);
    expect(decodeOpenFlags(0o2000101)).toEqual(['O_WRONLY', 'O_CREAT', 'O_CLOEXEC']);
    expect(decodeOpenFlags(0o200000 | 0o2000000)).toEqual(['O_RDONLY', 'O_DIRECTORY', 'O_CLOEXEC']);
  });

  it('names composites rather than their parts', () => {
    expect(decodeOpenFlags(0o4010002)).toEqual(['O_RDWR', 'O_SYNC']);
    expect(decodeOpenFlags(0o10002)).toEqual(['O_RDWR', 'O_DSYNC']);
    expect(decodeOpenFlags(0o20200002)).toEqual(['O_RDWR', 'O_TMPFILE']);
  });
});

describe('mount flags', () => {
  it('names and strips the MS_MGC_VAL magic', () => {
    expect(decodeMountFlags(0xc0ed0000n | 4096n | 16384n)).toEqual(['MS_MGC_VAL', 'MS_BIND', 'MS_REC']);
  });

  it('decodes plain flags, high bits included', () => {
    expect(decodeMountFlags(4096 | 16384)).toEqual(['MS_BIND', 'MS_REC']);
    expect(decodeMountFlags((1n << 18n) | (1n << 14n))).toEqual(['MS_REC', 'MS_PRIVATE']);
    expect(decodeMountFlags(1n << 31n)).toEqual(['MS_NOUSER']);
  });
});

describe('clone flags', () => {
  it('splits the exit signal off clone(2) flags', () => {
    // glibc's fork(): CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
    expect(decodeCloneFlags(0x01200011)).toEqual(['CLONE_CHILD_CLEARTID', 'CLONE_CHILD_SETTID', 'SIGCHLD']);
    expect(splitCloneFlags(0x20000011n)).toEqual({ flags: 0x20000000n, exitSignal: 17 });
    expect(decodeCloneFlags(0x00010f00)).toEqual(['CLONE_VM', 'CLONE_FS', 'CLONE_FILES', 'CLONE_SIGHAND', 'CLONE_THREAD']);
  });

  it('reads 0x80 as CLONE_NEWTIME where there is no exit signal (clone3, unshare, setns)', () => {
    expect(decodeFlags(xlat.clone_flags, 0x80n | 0x20000n)).toEqual(['CLONE_NEWNS', 'CLONE_NEWTIME']);
    // In clone(2) the same bit is part of the exit signal number.
    expect(decodeCloneFlags(0x80)).toEqual(['128']);
  });
});

describe('errno, signals and capabilities', () => {
  it('names errnos, keeping the first of two names', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(errnoName(133)).toBe('EHWPOISON');
    expect(errnoName(512)).toBe('ERESTARTSYS');
    expect(errnoName(516)).toBe('ERESTART_RESTARTBLOCK');
    expect(errnoName(0)).toBeUndefined();
    expect(errnoName(-1)).toBeUndefined();
    expect(errnoName(4000)).toBeUndefined();
  });

  it('names signals, real-time ones as SIGRT_n', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(17)).toBe('SIGCHLD');
    expect(signalName(31)).toBe('SIGSYS');
    expect(signalName(32)).toBe('SIGRT_0');
    expect(signalName(34)).toBe('SIGRT_2');
    expect(signalName(64)).toBe('SIGRT_32');
    expect(signalName(0)).toBe('0');
    expect(signalName(65)).toBe('65');
  });

  it("names si_code by its signal above 0, by its sender at or below 0 (strace's choice)", () => {
    expect(siginfoCodeName('SIGCHLD', 1)).toBe('CLD_EXITED');
    expect(siginfoCodeName('SIGCHLD', 5)).toBe('CLD_STOPPED');
    expect(siginfoCodeName('SIGSEGV', 1)).toBe('SEGV_MAPERR');
    expect(siginfoCodeName('SIGSYS', 1)).toBe('SYS_SECCOMP');
    expect(siginfoCodeName('SIGIO', 1)).toBe('POLL_IN');
    expect(siginfoCodeName('SIGUSR1', 0)).toBe('SI_USER');
    expect(siginfoCodeName('SIGCHLD', -6)).toBe('SI_TKILL');
    expect(siginfoCodeName('SIGSEGV', 0x80)).toBe('SI_KERNEL');
    expect(siginfoCodeName('SIGRT_2', -1)).toBe('SI_QUEUE');
    // a positive code means nothing for a signal without codes of its own
    expect(siginfoCodeName('SIGUSR1', 1)).toBeNull();
    expect(siginfoCodeName('SIGCHLD', 99)).toBeNull();
    expect(siginfoCodeName('SIGTERM', -99)).toBeNull();
  });

  it('names capability bits', () => {
    expect(capabilityNames((1n << 21n) | 1n)).toEqual(['CAP_CHOWN', 'CAP_SYS_ADMIN']);
    expect(capabilityNames((1n << 41n) - 1n)).toHaveLength(41);
    expect(capabilityNames((1n << 40n) | (1n << 50n))).toEqual(['CAP_CHECKPOINT_RESTORE', '0x4000000000000']);
    expect(capabilityNames(0n)).toEqual([]);
  });
});

describe('table data checks', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cttrace-in-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(scratch, name);
    writeFileSync(file, text);
    return file;
  };
  const header = '#From test\n#kind flags\n#header none\n';

  it('reads header-style numbers', () => {
    expect(generator.parseNumber('0100')).toBe(64n);
    expect(generator.parseNumber('0x1f')).toBe(31n);
    expect(generator.parseNumber('1<<16')).toBe(65536n);
    expect(generator.parseNumber('-100')).toBe(-100n);
    expect(generator.parseNumber('0')).toBe(0n);
    expect(generator.parseNumber('08')).toBeUndefined();
  });

  it('rejects two names for one value', () => {
    expect(() => generator.parseXlatFile(write('dup.in', `${header}A 1\nB 0x1\n`))).toThrow(/B has the value of A/);
  });

  it('rejects a composite listed after its part', () => {
    expect(() => generator.parseXlatFile(write('order.in', `${header}PART 1\nWHOLE 3\n`))).toThrow(/WHOLE contains PART: list WHOLE first/);
  });

  it('rejects a zero flag and a missing #kind', () => {
    expect(() => generator.parseXlatFile(write('zero.in', `${header}NONE 0\n`))).toThrow(/non-zero/);
    expect(() => generator.parseXlatFile(write('nokind.in', '#From test\n#header none\nA 1\n'))).toThrow(/missing #kind/);
  });

  it('rejects a syscall number used twice', () => {
    expect(() => generator.parseSyscallFile(write('arch.in', '#From t\n#header none\n1 a\n1 b\n'))).toThrow(/1 is already a/);
  });
});

describe('errno texts', () => {
  it("are glibc's strerror() for every userspace errno, as strace prints them", () => {
    const userspace = generator.parseErrnoMessages().filter((message) => !message.name.startsWith('ERESTART'));
    const source = join(workDir, 'strerror.c');
    const binary = join(workDir, 'strerror');
    writeFileSync(source, [
      '#include <errno.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      'int main(void) {',
      ...userspace.map(({ name }) => `  printf("%s %s\\n", "${name}", strerror(${name}));`),
      '  return 0;',
      '}',
      '',
    ].join('\n'));
    execFileSync('gcc', ['-w', '-o', binary, source], { stdio: 'pipe' });
    const libc = execFileSync(binary, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim().split('\n');
    expect(libc).toEqual(userspace.map(({ name, text }) => `${name} ${text}`));
    // every errno the decoder can name has its text
    const named = new Set(generator.parseErrnoMessages().map((message) => message.name));
    expect(xlat.errno.entries.map(([name]) => name).filter((name) => !named.has(name))).toEqual([]);
  });
});
