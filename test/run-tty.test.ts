// Root: `cttrace run -i -t` as `docker run -it`, driven through a pty (util-linux `script`) under
// ctrun, runc and crun: the shell's prompt, the terminal's size inside, Ctrl-C to the container,
// the exit code, and the user's terminal restored afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, isRoot, withTempDirAsync } from './helpers/cli.js';

const RUNTIMES = ['ctrun', 'runc', 'crun'] as const;
const have = (runtime: string) => runtime === 'ctrun' || ['/usr/bin', '/usr/sbin'].some((dir) => existsSync(join(dir, runtime)));
const hasScript = spawnSync('script', ['--version']).status === 0;
if (isRoot && !hasScript) console.warn('run-tty: skipped, util-linux script is missing');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process running exactly ARGV that is its terminal's foreground process group: the
 *  moment a Ctrl-C reaches it (before, the shell would get it). */
function foregroundProcess(argv: string[]): boolean {
  const want = `${argv.join('\0')}\0`;
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== want) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (fields[2] === fields[5]) return true; // pgrp == tpgid
    } catch {
      // gone
    }
  }
  return false;
}

/** Runs cttrace inside `script`'s pty of 31×97; `steps` are written when `output` shows `after`. */
async function inPty(dir: string, runtime: string, steps: Array<{ after: string | (() => boolean); send: string }>) {
  const inner = [
    'stty rows 31 cols 97',
    `stty -g > ${dir}/before`,
    `${process.execPath} ${cliPath} run -q -i -t --runtime ${runtime} -o ${dir}/t.cttrace -- busybox sh`,
    'echo cttrace-exit=$?',
    `stty -g > ${dir}/after`,
  ].join('; ');
  const child = spawn('script', ['-qec', inner, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    for (const step of steps) {
      const deadline = Date.now() + 20_000;
      while (typeof step.after === 'string' ? !output.includes(step.after) : !step.after()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(step.after)}; output: ${JSON.stringify(output)}`);
        await sleep(20);
      }
      child.stdin!.write(step.send);
    }
    await exited;
  } finally {
    child.kill('SIGKILL');
  }
  return { output, restored: readFileSync(`${dir}/before`, 'utf8') === readFileSync(`${dir}/after`, 'utf8') };
}

for (const runtime of RUNTIMES) {
  describe.skipIf(!isRoot || !hasScript || !have(runtime))(`cttrace run -i -t --runtime ${runtime} (root, in a pty)`, () => {
    it('gives an interactive shell: prompt, size, Ctrl-C to the container, exit code, terminal restored', async () => {
      await withTempDirAsync(async (dir) => {
        const { output, restored } = await inPty(dir, runtime, [
          { after: '# ', send: 'tty; stty size\r' },
          { after: '31 97', send: 'sleep 29.5\r' },
          { after: () => foregroundProcess(['sleep', '29.5']), send: '\x03' },
          { after: '# ', send: 'echo status=$?\r' },
          { after: 'status=130', send: 'exit 3\r' },
        ]);
        expect(output).toMatch(/\/dev\/pts\/\d+\r\n31 97\r\n/);
        expect(output).toContain('status=130'); // sleep died of the SIGINT the container's terminal sent
        expect(output).toContain('cttrace-exit=3');
        expect(restored, 'the terminal settings are the same as before').toBe(true);
      });
    }, 60_000);
  });
}
