// `cttrace diff`: the recorded runc and ctrun start-ups compared (roles paired and named, runc's
// unshare then clone against ctrun's one clone3, flags added and removed, phase times), a trace
// against itself and against a second run that differs only in its ids (no difference), --json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { containerPhases } from '../../tracer/analysis/phases.js';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import { repoRoot, runCli, withTempDir } from '../helpers/cli.js';

const RUNC = join(repoRoot, 'traces', 'busybox-runc.cttrace');
const CTRUN = join(repoRoot, 'traces', 'busybox-ctrun.cttrace');

/** The lines of one @@ section, up to the next. */
function section(text: string, title: RegExp): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('@@') && title.test(line));
  expect(start, `no section ${title}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('@@'));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('cttrace diff', () => {
  it('pairs runc and ctrun by role and shows what only one does: runc unshares then clones, ctrun clone3s once', async () => {
    const result = runCli(['diff', RUNC, CTRUN]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const out = result.stdout;
    expect(out).toMatch(/^--- A .*busybox-runc\.cttrace\trunc: runc --root /);
    expect(out.split('\n')[1]).toMatch(/^\+\+\+ B .*busybox-ctrun\.cttrace\tctrun: ctrun --root /);
    expect(out).not.toMatch(/\x1b\[/); // no colour when not on a terminal

    const roles = section(out, /^@@ roles/);
    expect(roles).toEqual([
      expect.stringMatching(/^ runtime +runc \(\d+\) +ctrun → ctrun:\[0:MAIN\] \(\d+\)$/),
      expect.stringMatching(/^-stage +runc → exe → runc:\[0:PARENT\] \(\d+\) +-$/),
      expect.stringMatching(/^-stage +runc:\[0:PARENT\] → runc:\[1:CHILD\] \(\d+\) +-$/),
      expect.stringMatching(/^ container pid 1 +runc:\[1:CHILD\] → runc:\[2:INIT\] → sh → id \(\d+\/1\) +ctrun:\[0:MAIN\] → ctrun:\[1:INIT\] → sh → id \(\d+\/1\)$/),
      expect.stringMatching(/^ process +sh → ps \(\d+\/6\) +sh → ps \(\d+\/2\)$/),
      expect.stringMatching(/^ process +sh → hostname \(\d+\/7\) +sh → hostname \(\d+\/3\)$/),
    ]);

    const child = section(out, /^@@ stage only in A: runc:\[0:PARENT\] → runc:\[1:CHILD\]/);
    expect(child).toContain('-unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) = 0');
    expect(child.some((line) => /^-clone\(child_stack=0x[0-9a-f]+, flags=CLONE_PARENT\|SIGCHLD\) += \d+ \[child is pid 1 in its namespace\]$/.test(line))).toBe(true);
    const runtime = section(out, /^@@ runtime: runc/);
    expect(runtime.filter((line) => line.startsWith('+clone3(') && line.includes('CLONE_NEWPID'))).toEqual([
      expect.stringMatching(/^\+clone3\(\{flags=CLONE_NEWNS\|CLONE_NEWUTS\|CLONE_NEWIPC\|CLONE_NEWPID\|CLONE_NEWNET, exit_signal=SIGCHLD.*\[child is pid 1 in its namespace\]$/),
    ]);
    expect(runtime.some((line) => line.startsWith('-') && line.includes('CLONE_NEWPID'))).toBe(false);

    // pid 1: the same masked paths, other flags: shown as - and + with the flags that changed
    const init = section(out, /^@@ container pid 1: /);
    const relatime = init.indexOf('#   mountflags: +MS_RELATIME');
    expect(init[relatime - 2]).toBe('-mount("tmpfs", "/proc/self/fd/6", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "mode=755") = 0');
    expect(init[relatime - 1]).toBe('+mount("tmpfs", "<bundle>/rootfs/sys/fs/cgroup", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_RELATIME, "mode=755") = 0');
    expect(init).toContain(' pivot_root(".", ".") = 0');

    // each phase's time in A and B, and the change
    const [a, b] = await Promise.all([readTraceFile(RUNC), readTraceFile(CTRUN)]);
    const pa = containerPhases(a.records, a.header);
    const pb = containerPhases(b.records, b.header);
    const phases = section(out, /^@@ phases/);
    for (const phase of pa) {
      const other = pb.find((candidate) => candidate.name === phase.name)!;
      const [msA, msB] = [(phase.end - phase.start) / 1e6, (other.end - other.start) / 1e6];
      const delta = msB - msA;
      expect(phases).toContain(` ${phase.name.padEnd(16)}${msA.toFixed(2).padStart(10)}${msB.toFixed(2).padStart(10)}  ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} (${delta >= 0 ? '+' : ''}${Math.round((delta / msA) * 100)}%)`);
    }
  });

  it("finds runc's roles in an attach to containerd too: runc create is the runtime, its stages meet runc run's", () => {
    const result = runCli(['diff', join(repoRoot, 'traces', 'docker-containerd.cttrace'), RUNC]);
    expect(result.status).toBe(1);
    expect(section(result.stdout, /^@@ roles/).slice(0, 4)).toEqual([
      expect.stringMatching(/^ runtime +containerd-shim → runc \(\d+\) +runc \(\d+\)$/),
      expect.stringMatching(/^ stage +runc → exe → runc:\[0:PARENT\] \(\d+\) +runc → exe → runc:\[0:PARENT\] \(\d+\)$/),
      expect.stringMatching(/^ stage +runc:\[0:PARENT\] → runc:\[1:CHILD\] \(\d+\) +runc:\[0:PARENT\] → runc:\[1:CHILD\] \(\d+\)$/),
      expect.stringMatching(/^ container pid 1 +runc:\[1:CHILD\] → runc:\[2:INIT\] → sh \(\d+\/1\) +runc:\[1:CHILD\] → runc:\[2:INIT\] → sh → id \(\d+\/1\)$/),
    ]);
    // the same runc: [1:CHILD] unshares alike; its clone differs only in the tls word, not in flags
    const child = section(result.stdout, /^@@ stage: runc:\[0:PARENT\] → runc:\[1:CHILD\]/);
    expect(child).toContain(' unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) = 0');
    expect(child.filter((line) => /^[-+]clone\(child_stack=0x[0-9a-f]+, flags=CLONE_PARENT\|SIGCHLD\)/.test(line))).toHaveLength(2);
    expect(child.some((line) => line.startsWith('#'))).toBe(false);
  });

  it('--json gives the same comparison as data', () => {
    const result = runCli(['diff', '--json', RUNC, CTRUN]);
    expect(result.status).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.same).toBe(false);
    expect(json.phases.map((phase: { name: string }) => phase.name)).toEqual(['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown', 'total']);
    for (const phase of json.phases) expect(phase.change).toBe(phase.b - phase.a);
    const runtime = json.roles.find((role: { kind: string }) => role.kind === 'runtime');
    expect(runtime.a).toMatch(/^runc \(\d+\)$/);
    // ctrun's clone3 is set against one of runc's thread clone3s: the flags say how they differ
    type Call = { name: string; args: { args: { flags: string[] } } };
    const namespaced = (call: Call) => call.name === 'clone3' && call.args.args.flags.includes('CLONE_NEWPID');
    const inB = [...runtime.onlyB, ...runtime.changed.map((change: { b: Call }) => change.b)].filter(namespaced);
    expect(inB).toHaveLength(1);
    const change = runtime.changed.find((candidate: { b: Call }) => namespaced(candidate.b));
    expect(change.flags).toEqual([expect.objectContaining({ arg: 'args.flags', added: ['CLONE_NEWNS', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWPID', 'CLONE_NEWNET'] })]);
    const child = json.roles.find((role: { a: string | null }) => role.a?.includes('runc:[1:CHILD] ('));
    expect(child.b).toBeNull();
    expect(child.onlyA.map((call: { name: string }) => call.name)).toEqual(expect.arrayContaining(['unshare', 'clone']));
    const init = json.roles.find((role: { kind: string }) => role.kind === 'container pid 1');
    expect(init.changed.some((change: { flags: { arg: string; added: string[] }[] }) => change.flags.some((flag) => flag.arg === 'mountflags' && flag.added.includes('MS_RELATIME')))).toBe(true);
  });

  it('a trace against itself, or against a run that differs only in its ids, shows no difference', () => {
    const itself = runCli(['diff', RUNC, RUNC]);
    expect(itself.status).toBe(0);
    const changes = itself.stdout.split('\n').filter((line) => /^[-+#]/.test(line) && !/^(---|\+\+\+) /.test(line));
    expect(changes).toEqual(['# no difference in the calls of 6 roles (only the times may differ)']);
    expect(itself.stdout).toContain(' total                93.04     93.04  +0.00 (+0%)');
    const json = JSON.parse(runCli(['diff', '--json', RUNC, RUNC]).stdout);
    expect(json.same).toBe(true);
    for (const role of json.roles) expect([role.onlyA, role.onlyB, role.changed]).toEqual([[], [], []]);

    // another container id, bundle and state root: the run's own names are masked
    withTempDir((dir) => {
      const text = gunzipSync(readFileSync(RUNC)).toString().replaceAll('cttrace-a1d370fd07ef', 'cttrace-0123456789ab').replaceAll('runc-HRz2HO', 'runc-Zq81xP');
      const other = join(dir, 'other-run.cttrace');
      writeFileSync(other, gzipSync(text));
      const result = runCli(['diff', RUNC, other]);
      expect(result.stdout).toContain('# no difference in the calls of 6 roles');
      expect(result.status).toBe(0);
    });
  });

  it('refuses a file that is not a trace in one line', () => {
    withTempDir((dir) => {
      const notes = join(dir, 'notes.txt');
      writeFileSync(notes, 'hello\n');
      const result = runCli(['diff', RUNC, notes]);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(`cttrace: ${notes} is not a cttrace trace: it is not gzip data (a .cttrace file is gzip'd JSON lines)\n`);
    });
  });
});
