// ctrun's linux.seccomp against runc on the same bundle: ERRNO with EPERM and with a custom
// errnoRet, KILL, argument conditions, unknown names skipped, bad profiles refused in one line,
// and the filter loaded as the last step before execve.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { allSyscalls } from '../tracer/tables/syscalls.js';
import { ctrunPath, runcSpec, sandboxForSuite, skipReason, type OciConfig } from './helpers/ctrun-bundle.js';

const reason = skipReason() ?? (spawnSync('runc', ['--version']).status === 0 ? null : 'runc is not installed (apt-get install runc)');
if (reason) console.log(`ctrun seccomp tests skipped: ${reason}`);

const EXDEV = 18;
const SIGUSR1 = 10;

/** A profile that allows everything but a few calls, each blocked in another way. */
function profile(): OciConfig {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
      { names: ['chmod', 'fchmodat', 'fchmodat2'], action: 'SCMP_ACT_ERRNO', errnoRet: EXDEV },
      { names: ['sync'], action: 'SCMP_ACT_KILL' },
      // conditions on two arguments: both must hold
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: SIGUSR1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 0, op: 'SCMP_CMP_GT' }] },
      // two conditions on one argument: either one blocks (runc's rule)
      { names: ['setpriority'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, value: 5, op: 'SCMP_CMP_EQ' }, { index: 2, value: 6, op: 'SCMP_CMP_EQ' }] },
      // a mask: mknod of a fifo (mode & S_IFMT == S_IFIFO)
      { names: ['mknodat'], action: 'SCMP_ACT_ERRNO', errnoRet: EXDEV, args: [{ index: 2, value: 0o170000, valueTwo: 0o010000, op: 'SCMP_CMP_MASKED_EQ' }] },
      { names: ['ftruncate'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 4, op: 'SCMP_CMP_GT' }] },
      { names: ['no_such_syscall_in_any_kernel'], action: 'SCMP_ACT_KILL' },
      { names: ['getcwd'], action: 'SCMP_ACT_ALLOW' }, // the default action: skipped
    ],
  };
}

const SCRIPT = [
  'mkdir /tmp/d; echo mkdir=$?',
  'chmod 600 /etc/passwd; echo chmod=$?',
  'kill -0 $$; echo kill0=$?',
  'kill -USR1 $$; echo usr1=$?',
  'renice -n 5 $$ >/dev/null; echo nice5=$?',
  'renice -n 6 $$ >/dev/null; echo nice6=$?',
  'renice -n 7 $$ >/dev/null; echo nice7=$?',
  'mkfifo /dev/shm/f; echo fifo=$?',
  'touch /dev/shm/n; echo touch=$?',
  'truncate -s 3 /dev/shm/n; echo trunc3=$?',
  'truncate -s 5 /dev/shm/n; echo trunc5=$?',
  'sync; echo sync=$?',
  'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status',
].join('; ');

describe.skipIf(reason !== null)('ctrun linux.seccomp (root, against runc)', () => {
  const suite = sandboxForSuite();
  const { used } = suite;

  /** Runs the same config under ctrun and runc; returns both results. */
  function both(args: string[], edit: (c: OciConfig) => void) {
    const results = [];
    for (const runtime of [ctrunPath, 'runc']) {
      const id = suite.sb.newId();
      used.push(id);
      const config = runcSpec(suite.sb.rootfs, args);
      edit(config);
      const bundle = suite.sb.bundle(id, config);
      const r = spawnSync(runtime, ['--root', path.join(suite.sb.dir, 'state'), 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 20_000 });
      results.push({ status: r.status, stdout: r.stdout, stderr: r.stderr });
    }
    return { ctrun: results[0]!, runc: results[1]! };
  }

  it('blocks with EPERM, a custom errno and SIGSYS, and matches argument conditions, as runc does', () => {
    const { ctrun, runc } = both(['sh', '-c', SCRIPT], (c) => {
      c.linux.seccomp = profile();
    });
    expect(ctrun).toEqual(runc);
    const lines = ctrun.stdout.trim().split('\n');
    expect(lines).toEqual([
      'mkdir=1',
      'chmod=1',
      'kill0=0',
      'usr1=1',
      'nice5=1',
      'nice6=1',
      'nice7=0',
      'fifo=1',
      'touch=0',
      'trunc3=0',
      'trunc5=1',
      'sync=159', // 128 + SIGSYS
      'NoNewPrivs:\t1',
      'Seccomp:\t2',
    ]);
    expect(ctrun.stderr).toContain("mkdir: can't create directory '/tmp/d': Operation not permitted");
    expect(ctrun.stderr).toContain('chmod: /etc/passwd: Invalid cross-device link');
  });

  it('applies defaultErrnoRet to what no rule allows, without no_new_privs too', () => {
    // Every x86_64 call is allowed but mknodat and ftruncate: those get the default, ENOSYS.
    const allowed = allSyscalls('x86_64').map((s) => s.name).filter((name) => !['mknodat', 'mknod', 'ftruncate'].includes(name));
    const { ctrun, runc } = both(['sh', '-c', 'mkfifo /dev/shm/f; echo fifo=$?; truncate -s 1 /dev/shm/t; echo trunc=$?; grep NoNewPrivs /proc/self/status'], (c) => {
      c.process.noNewPrivileges = false;
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 38,
        architectures: ['SCMP_ARCH_X86_64'],
        syscalls: [{ names: allowed, action: 'SCMP_ACT_ALLOW' }],
      };
    });
    expect(ctrun).toEqual(runc);
    expect(ctrun.stdout).toBe('fifo=1\ntrunc=1\nNoNewPrivs:\t0\n');
    expect(ctrun.stderr).toContain('Function not implemented');
  });

  it('loads the filter with seccomp(2) as the last call before execve', () => {
    const id = suite.sb.newId();
    used.push(id);
    const config = runcSpec(suite.sb.rootfs, ['true']);
    config.linux.seccomp = profile();
    const bundle = suite.sb.bundle(id, config);
    const log = path.join(suite.sb.dir, `${id}.strace`);
    const r = spawnSync('strace', ['-f', '-qq', '-o', log, '-e', 'trace=!write', ctrunPath, '--root', suite.sb.stateRoot, 'run', '--bundle', bundle, id], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    const exec = lines.findIndex((l) => /execve\("\/bin\/true"/.test(l));
    expect(exec).toBeGreaterThan(0);
    const pid = lines[exec]!.split(' ')[0];
    const before = lines.slice(0, exec).filter((l) => l.startsWith(`${pid} `));
    expect(before.at(-1)).toMatch(/seccomp\(SECCOMP_SET_MODE_FILTER, 0, \{len=\d+, filter=0x[0-9a-f]+\}\) = 0/);
  });

  it('keeps the compiled filter under --root and loads it from there the next time, with the same effect', () => {
    const cache = path.join(suite.sb.stateRoot, '@seccomp');
    fs.rmSync(cache, { recursive: true, force: true });
    const seccomp = { ...profile(), syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    const first = suite.sb.run(['sh', '-c', 'mkdir /tmp/x; echo $?'], (c) => (c.linux.seccomp = seccomp));
    used.push(first.id);
    const entries = fs.readdirSync(cache);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{16}-\d+\.\d+\.\d+\.bpf$/);
    const second = suite.sb.run(['sh', '-c', 'mkdir /tmp/x; echo $?'], (c) => (c.linux.seccomp = seccomp));
    used.push(second.id);
    expect(second.stdout).toBe('1\n');
    expect(second.stderr).toContain('Permission denied');
    expect(second).toMatchObject({ status: first.status, stdout: first.stdout, stderr: first.stderr });
    // A damaged entry is rebuilt, not trusted.
    fs.writeFileSync(path.join(cache, entries[0]!), 'garbage');
    const third = suite.sb.run(['sh', '-c', 'mkdir /tmp/x; echo $?'], (c) => (c.linux.seccomp = seccomp));
    used.push(third.id);
    expect(third.stdout).toBe('1\n');
  });

  it('refuses unknown actions, operators, architectures and flags in one line', () => {
    const cases: [OciConfig, string][] = [
      [{ defaultAction: 'SCMP_ACT_MAYBE' }, 'config.json: linux.seccomp.defaultAction: unknown seccomp action `SCMP_ACT_MAYBE`'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_ABOUT' }] }] }, 'config.json: linux.seccomp.syscalls[0].args[0]: unknown seccomp operator `SCMP_CMP_ABOUT`'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }, 'config.json: unknown seccomp architecture `SCMP_ARCH_Z80`'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_FAST'] }, 'config.json: unknown seccomp flag `SECCOMP_FILTER_FLAG_FAST`'],
      [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_NOTIFY' }] }, 'config.json: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath'],
    ];
    for (const [seccomp, message] of cases) {
      const r = suite.sb.run(['true'], (c) => {
        c.linux.seccomp = seccomp;
      });
      used.push(r.id);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`ctrun: ${message}\n`);
    }
  });

  it('hands the notify fd and the container state to listenerPath', async () => {
    const net = await import('node:net');
    const socketPath = path.join(suite.sb.dir, 'listener.sock');
    const received = new Promise<string>((resolve) => {
      const server = net.createServer((conn) => {
        let text = '';
        conn.on('data', (d) => (text += d.toString()));
        conn.on('end', () => {
          server.close();
          resolve(text);
        });
      });
      server.listen(socketPath);
    });
    const id = suite.sb.newId();
    used.push(id);
    const config = runcSpec(suite.sb.rootfs, ['true']);
    config.annotations = { 'org.example': 'yes' };
    config.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: socketPath,
      listenerMetadata: 'meta-data',
      syscalls: [{ names: ['mknod', 'mknodat'], action: 'SCMP_ACT_NOTIFY' }],
    };
    const bundle = suite.sb.bundle(id, config);
    const r = spawnSync(ctrunPath, ['--root', suite.sb.stateRoot, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const state = JSON.parse(await received);
    expect(state).toMatchObject({ fds: ['seccompFd'], metadata: 'meta-data', state: { id, status: 'creating', bundle, annotations: { 'org.example': 'yes' } } });
    expect(state.pid).toBeGreaterThan(0);
    expect(state.state.pid).toBe(state.pid);
  });
});
