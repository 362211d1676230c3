// docker-format seccomp profiles resolved for an architecture, a kernel and a capability set
// (runtime/bundle/seccomp.ts). The default profile's data is checked against a real dockerd in
// test/docker-ctrun.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCKER_DEFAULT_PROFILE_PATH, resolveSeccompProfile, seccompFor, type OciSeccomp } from '../../runtime/bundle/seccomp.js';
import { DEFAULT_CAPABILITIES } from '../../runtime/bundle/spec.js';
import { withTempDir } from '../helpers/cli.js';

const profile = JSON.parse(readFileSync(DOCKER_DEFAULT_PROFILE_PATH, 'utf8'));
const allowed = (s: OciSeccomp) => new Set(s.syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
const rulesFor = (s: OciSeccomp, name: string) => s.syscalls!.filter((r) => r.names.includes(name));

describe("docker's default seccomp profile, resolved", () => {
  it('on amd64 without CAP_SYS_ADMIN: EPERM by default, no unshare/mount, clone without namespace flags, clone3 ENOSYS', () => {
    const s = resolveSeccompProfile(profile, { arch: 'amd64', kernel: '6.1.0', capabilities: DEFAULT_CAPABILITIES });
    expect(s.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(s.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const allow = allowed(s);
    for (const name of ['read', 'execve', 'arch_prctl', 'modify_ldt', 'ptrace', 'socket']) expect(allow.has(name), name).toBe(true);
    for (const name of ['unshare', 'mount', 'setns', 'chroot', 'reboot', 'bpf', 'open_by_handle_at', 'riscv_flush_icache', 'set_tls']) expect(allow.has(name), name).toBe(false);
    expect(rulesFor(s, 'clone')).toEqual([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }] }]);
    expect(rulesFor(s, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    expect(rulesFor(s, 'personality').map((r) => r.args![0]!.value)).toEqual([0, 8, 131072, 131080, 4294967295]);
  });

  it('with CAP_SYS_ADMIN and CAP_SYS_CHROOT: namespaces and mounts allowed, clone unrestricted', () => {
    const s = resolveSeccompProfile(profile, { arch: 'amd64', kernel: '6.1', capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_CHROOT'] });
    const allow = allowed(s);
    for (const name of ['unshare', 'mount', 'setns', 'clone', 'clone3', 'chroot']) expect(allow.has(name), name).toBe(true);
    expect(rulesFor(s, 'clone3').every((r) => r.action === 'SCMP_ACT_ALLOW')).toBe(true);
    expect(rulesFor(s, 'clone').some((r) => r.args)).toBe(false);
  });

  it('by architecture and kernel: arm64 gets its calls and ARM, s390x its clone argument order, old kernels no ptrace', () => {
    const arm = resolveSeccompProfile(profile, { arch: 'arm64', kernel: '6.1', capabilities: [] });
    expect(arm.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(allowed(arm).has('set_tls')).toBe(true);
    expect(allowed(arm).has('arch_prctl')).toBe(false);
    const s390 = resolveSeccompProfile(profile, { arch: 's390x', kernel: '6.1', capabilities: [] });
    expect(rulesFor(s390, 'clone').map((r) => r.args![0]!.index)).toEqual([1]);
    const old = resolveSeccompProfile(profile, { arch: 'amd64', kernel: '4.4.0', capabilities: [] });
    expect(allowed(old).has('ptrace')).toBe(false);
  });

  it('--seccomp: unconfined is none, a file is resolved, a missing or broken one is one clear error', () => {
    expect(seccompFor('unconfined', DEFAULT_CAPABILITIES)).toBeUndefined();
    withTempDir((dir) => {
      const file = join(dir, 'p.json');
      writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ name: 'mkdir', action: 'SCMP_ACT_ERRNO', excludes: { caps: ['CAP_KILL'] } }, { names: ['rmdir'], action: 'SCMP_ACT_ERRNO' }] }));
      expect(seccompFor(file, DEFAULT_CAPABILITIES)).toEqual({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['rmdir'], action: 'SCMP_ACT_ERRNO' }] });
      writeFileSync(file, '{ not json');
      expect(() => seccompFor(file, [])).toThrow(/is not valid JSON/);
      writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] }] }));
      expect(() => seccompFor(file, [])).toThrow(/both architectures and archMap/);
      expect(() => seccompFor(join(dir, 'none.json'), [])).toThrow(/does not exist: give default, unconfined or a profile FILE.json/);
    });
  });
});
