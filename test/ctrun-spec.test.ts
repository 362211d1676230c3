// The rest of the runtime spec a conformance suite checks, ctrun against runc on the same
// bundle where runc 1.1 has it: rootfsPropagation modes, namespace paths of the wrong kind,
// oomScoreAdj, umask, domainname; capabilities that do not exist, personality and timeOffsets
// (which runc 1.1 lacks or only warns about) against the spec and the kernel's own view.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';

import { ctrunPath, isHybridCgroupHost, runcSpec, sandboxForSuite, skipReason, type OciConfig } from './helpers/ctrun-bundle.js';

const reason = skipReason() ?? (spawnSync('runc', ['--version']).status === 0 ? null : 'runc is not installed (apt-get install runc)');
if (reason) console.log(`ctrun spec tests skipped: ${reason}`);

describe.skipIf(reason !== null)('ctrun, the rest of the spec (root, against runc)', () => {
  const suite = sandboxForSuite();
  const { used } = suite;

  function runWith(binary: string, args: string[], edit: (c: OciConfig) => void) {
    const id = suite.sb.newId();
    used.push(id);
    const config = runcSpec(suite.sb.rootfs, args);
    edit(config);
    const r = suite.sb.runtime(binary, ['run', '--bundle', suite.sb.bundle(id, config), id]);
    if (binary !== ctrunPath) suite.sb.runtime(binary, ['delete', '--force', id]);
    return r;
  }
  const both = (args: string[], edit: (c: OciConfig) => void) => ({ ctrun: runWith(ctrunPath, args, edit), runc: runWith('runc', args, edit) });

  it('every rootfsPropagation mode gives the root that propagation, as runc', () => {
    // mountinfo's optional fields: shared:N, master:N, unbindable, or none (private)
    const script = "grep ' / / ' /proc/self/mountinfo | sed -E 's/^([^ ]+ ){6}//; s/ - .*//; s/:[0-9]+/:N/g'";
    for (const mode of ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable']) {
      const { ctrun, runc } = both(['sh', '-c', script], (c) => {
        c.linux.rootfsPropagation = mode;
      });
      expect(ctrun.stdout, mode).toBe(runc.stdout);
      if (mode.endsWith('unbindable')) {
        // the kernel refuses to bind the rootfs under an unbindable root: both fail
        expect(ctrun.stderr).toMatch(/bind the rootfs .* onto itself: Invalid argument/);
        expect(runc.status).not.toBe(0);
      } else expect(ctrun.stderr, mode).toBe('');
    }
  });

  it.runIf(isHybridCgroupHost())('cpu cpus/mems/realtime and memory swappiness in their v1 files, as runc; unified refused on v1', () => {
    const script = 'cd /sys/fs/cgroup; cat cpuset/cpuset.cpus cpuset/cpuset.mems cpu/cpu.rt_period_us cpu/cpu.rt_runtime_us memory/memory.swappiness';
    const { ctrun, runc } = both(['sh', '-c', script], (c) => {
      c.linux.resources.cpu = { cpus: '0', mems: '0', realtimePeriod: 100000, realtimeRuntime: 1000 };
      c.linux.resources.memory = { swappiness: 37 };
    });
    expect(ctrun.stderr).toBe('');
    expect(ctrun.stdout).toBe(runc.stdout);
    expect(ctrun.stdout).toBe('0\n0\n100000\n1000\n37\n');
    const unified = runWith(ctrunPath, ['true'], (c) => {
      c.linux.resources.unified = { 'memory.high': '100000000' };
    });
    expect(unified.stderr).toBe('ctrun: linux.resources.unified needs cgroup v2; this host has v1 controllers\n');
  });

  it('oomScoreAdj and umask as runc, and domainname', () => {
    const { ctrun, runc } = both(['sh', '-c', 'cat /proc/self/oom_score_adj; umask; cat /proc/sys/kernel/domainname; touch /tmp/f && stat -c %a /tmp/f'], (c) => {
      c.process.oomScoreAdj = 345;
      c.process.user.umask = 0o027;
      c.domainname = 'example.org';
      c.root.readonly = false;
    });
    // runc 1.1 leaves domainname unset ("(none)"); the spec and ctrun set it
    expect(runc.stdout).toBe('345\n0027\n(none)\n640\n');
    expect(ctrun.stdout).toBe('345\n0027\nexample.org\n640\n');
  });

  it('a capability that does not exist fails the create (runc 1.1 only warns)', () => {
    const ctrun = runWith(ctrunPath, ['true'], (c) => {
      c.process.capabilities.bounding.push('CAP_NO_SUCH_THING');
    });
    expect(ctrun.status).toBe(1);
    expect(ctrun.stderr).toBe('ctrun: config.json: unknown capability `CAP_NO_SUCH_THING` in process.capabilities.bounding\n');
  });

  it('a namespace path of the wrong kind, or not a namespace, fails in one line', () => {
    const cases: [string, string][] = [
      ['/proc/self/ns/uts', 'is a uts namespace, not a network one'],
      ['/etc/hostname', 'is not a namespace'],
    ];
    for (const [path, message] of cases) {
      const r = runWith(ctrunPath, ['true'], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path } : n));
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`ctrun: namespace path \`${path}\` ${message}\n`);
      const theirs = runWith('runc', ['true'], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path } : n));
      });
      expect(theirs.status, `runc refuses ${path} too`).not.toBe(0);
    }
  });

  it('personality LINUX32 makes uname say i686', () => {
    const r = runWith(ctrunPath, ['uname', '-m'], (c) => {
      c.linux.personality = { domain: 'LINUX32' };
    });
    expect(r.stdout).toBe(process.arch === 'x64' ? 'i686\n' : r.stdout);
    const bad = runWith(ctrunPath, ['true'], (c) => {
      c.linux.personality = { domain: 'BSD' };
    });
    expect(bad.stderr).toBe('ctrun: config.json: linux.personality.domain `BSD` is invalid: use LINUX or LINUX32\n');
  });

  it('timeOffsets: a new time namespace whose clocks are moved before the command starts', () => {
    const r = runWith(ctrunPath, ['sh', '-c', 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'], (c) => {
      c.linux.namespaces.push({ type: 'time' });
      c.linux.timeOffsets = { monotonic: { secs: 86400, nanosecs: 0 }, boottime: { secs: 864000, nanosecs: 5 } };
    });
    expect(r.stderr).toBe('');
    const [monotonic, boottime, uptime] = r.stdout.trim().split('\n');
    expect(monotonic!.split(/\s+/)).toEqual(['monotonic', '86400', '0']);
    expect(boottime!.split(/\s+/)).toEqual(['boottime', '864000', '5']);
    const hostUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split('.')[0]);
    expect(Number(uptime) - hostUptime).toBeGreaterThanOrEqual(864000 - 5);
    const without = runWith(ctrunPath, ['true'], (c) => {
      c.linux.timeOffsets = { monotonic: { secs: 1, nanosecs: 0 } };
    });
    expect(without.stderr).toBe('ctrun: config.json: linux.timeOffsets needs a new time namespace in linux.namespaces\n');
  });
});
