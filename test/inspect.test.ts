// Root: cttrace inspect on a process in new namespaces.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childrenOf } from '../tracer/cli/process-lookup.js';
import { isRoot, runCli } from './helpers/cli.js';

describe.skipIf(!isRoot)('cttrace inspect (root)', () => {
  it('shows the ancestry with in-namespace pids and the namespaces beside the host', async () => {
    const parent = spawn('unshare', ['--fork', '--pid', '--mount-proc', '--net', '--uts', 'sleep', '5'], { stdio: 'ignore' });
    try {
      let sleeper: number | undefined;
      for (let i = 0; i < 100 && sleeper === undefined; i++) {
        sleeper = childrenOf(parent.pid!)[0];
        if (sleeper === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const result = runCli(['inspect', '--json', String(sleeper)]);
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as {
        ancestry: { pid: number; ppid: number; nspid: number[]; cmdline: string[] }[];
        namespaces: { kind: string; inode: number; sharedWithHost: boolean; processes: number }[];
      };
      expect(report.ancestry[0]).toMatchObject({ pid: sleeper, nspid: [sleeper, 1], cmdline: ['sleep', '5'] });
      expect(report.ancestry[1]).toMatchObject({ pid: parent.pid, cmdline: ['unshare', '--fork', '--pid', '--mount-proc', '--net', '--uts', 'sleep', '5'] });
      expect(report.ancestry.at(-1)!.pid).toBe(1);
      const shared = Object.fromEntries(report.namespaces.map((row) => [row.kind, row.sharedWithHost]));
      expect(shared).toMatchObject({ pid: false, mnt: false, net: false, uts: false, user: true, ipc: true });
      expect(report.namespaces.find((row) => row.kind === 'pid')!.processes).toBe(1);

      const text = runCli(['inspect', String(sleeper)]).stdout;
      expect(text).toMatch(new RegExp(`^\\s+${sleeper}\\s+${parent.pid}\\s+root\\(0\\)\\s+1\\s+sleep 5$`, 'm'));
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('refuses a pid that does not exist', () => {
    const result = runCli(['inspect', '99999999']);
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim()).toBe('cttrace: no process with pid 99999999; check the pid (ps -e)');
  });
});
