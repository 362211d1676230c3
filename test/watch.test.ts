// Root + docker.io: `cttrace watch` follows containers with eBPF, attached to no daemon: two
// `docker run`s give two traces, each named by its container id, each with the chain from the
// runtime to the execve of sh by PID 1 inside.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerIdOf } from '../tracer/cli/watch-command.js';
import { dockerInstalled, PRIVATE_IMAGE, startDockerd, type PrivateDockerd } from './helpers/dockerd.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, waitFor } from './helpers/cli.js';

const installed = dockerInstalled();
if (!isRoot || !installed) console.warn('watch: skipped, needs root and docker.io');

describe('containerIdOf', () => {
  it('takes the container id a runtime command line works on', () => {
    expect(containerIdOf(['runc', '--root', '/run/r', '--log', 'l.json', 'create', '--bundle', '/b', '--pid-file', '/p', 'abc123'])).toBe('abc123');
    expect(containerIdOf(['runc', 'delete', '--force', 'abc123'])).toBe('abc123');
    expect(containerIdOf(['runc', '--version'])).toBeNull();
    expect(containerIdOf(['unshare', '--fork', '--pid', 'sh'])).toBeNull();
    expect(containerIdOf(['runc', 'create', '../escape'])).toBeNull();
    expect(containerIdOf(['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', 'abc123', '-address', '/run/c.sock'])).toBe('abc123');
  });
});

let dockerd: PrivateDockerd | undefined;

describe.skipIf(!isRoot || !installed)('cttrace watch (root, docker.io)', () => {
  beforeAll(async () => {
    dockerd = await startDockerd();
    dockerd.importBusybox(PRIVATE_IMAGE);
  }, 60_000);

  afterAll(async () => {
    await dockerd?.stop();
  }, 60_000);

  it('writes one trace per container, named by its id, during two docker runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cttrace-watch-'));
    try {
      const watcher = spawn(process.execPath, [cliPath, 'watch', '-o', join(dir, 'traces')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      watcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await waitFor(() => (stderr.includes('following every new container') ? true : undefined), 'the watch to start');
      const ids: string[] = [];
      for (const word of ['one', 'two']) {
        const cidfile = join(dir, `${word}.cid`);
        const run = dockerd!.docker('run', '--rm', '--network', 'none', '--cidfile', cidfile, PRIVATE_IMAGE, 'sh', '-c', `echo ${word}`);
        expect(run.stdout, run.stderr).toBe(`${word}\n`);
        ids.push(readFileSync(cidfile, 'utf8').trim());
      }
      watcher.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => watcher.on('exit', resolve));
      expect(code, stderr).toBe(0);
      for (const [index, id] of ids.entries()) {
        const path = join(dir, 'traces', `${id}.cttrace`);
        expect(existsSync(path), `${path}\n${stderr}`).toBe(true);
        const { header, records } = await readTraceFile(path);
        expect(header.backend).toBe('ebpf');
        const calls = records.filter((r): r is SyscallRecord => r.type === 'syscall');
        expect(calls.some((r) => r.name === 'unshare' && (r.args.flags as string[]).includes('CLONE_NEWPID'))).toBe(true);
        const makesInit = calls.find((r) => ['clone', 'clone3'].includes(r.name) && r.childNspid?.at(-1) === 1);
        expect(makesInit, 'the clone whose child is PID 1 inside').toBeDefined();
        const shExec = calls.find((r) => r.pid === makesInit!.retPid!.host && r.name === 'execve' && r.args.filename === '/bin/sh');
        expect(shExec?.args.argv).toEqual(['sh', '-c', `echo ${['one', 'two'][index]}`]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
