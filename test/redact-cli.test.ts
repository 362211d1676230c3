// --redact end to end: a traced command with a secret planted in its argv, in its environment
// (--env), in a file path (under the user's home) and in a cgroup write. Without --redact each
// secret is in the trace (so this test can fail); with it, no byte of any output holds one: the
// terminal lines, --json, the trace file, show, summary, diff, export (Chrome JSON and HTML, the
// trace inside the page decoded too), and `cttrace redact` of the unredacted trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_TRACE_ID } from '../tracer/export/embedded-trace-block.js';
import { cliPath, isRoot, repoRoot, runCli } from './helpers/cli.js';

const SECRETS = {
  argv: 'Pw-argv-7c1e9a',
  env: 'tok-env-52b0f4',
  path: 'home-path-d41f3c',
  cgroup: 'cg-write-9e77b2',
};
const ALL_SECRETS = Object.values(SECRETS);
const PLACEHOLDER = /<redacted:[0-9a-f]{4}>/;

/** cgroup v2 alone, or v1's pids hierarchy: somewhere a test may make a cgroup. */
const CGROUP_PARENT = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';

function leaked(output: string | Buffer): string[] {
  const text = output.toString();
  return ALL_SECRETS.filter((secret) => text.includes(secret));
}

describe.skipIf(!isRoot)('--redact: no secret in any output', () => {
  let work: string;
  let home: string;
  let cgroup: string;
  const env = () => ({ ...process.env, HOME: home, API_TOKEN: SECRETS.env });
  const cli = (args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: env(), encoding: 'utf8', timeout: 60_000 });
  let plain: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cttrace-redact-'));
    home = join(work, SECRETS.path);
    mkdirSync(home);
    writeFileSync(join(home, 'notes.txt'), 'notes\n');
    // the cgroup write's text comes from a file: it is in no argv, only in the write
    writeFileSync(join(work, 'cgroup-line'), `password=${SECRETS.cgroup}\n`);
    cgroup = join(CGROUP_PARENT, `cttrace-redact-${process.pid}`);
    mkdirSync(cgroup);
    plain = join(work, 'plain.cttrace');
  });

  afterAll(() => {
    if (cgroup && existsSync(cgroup)) rmdirSync(cgroup);
    rmSync(work, { recursive: true, force: true });
  });

  const command = () => [
    'sh',
    '-c',
    `cat "$HOME/notes.txt" >/dev/null; cat "${join(work, 'cgroup-line')}" > "${cgroup}/cgroup.procs"; true`,
    'sh',
    `--password=${SECRETS.argv}`,
  ];
  const traceArgs = (extra: string[], output: string) => ['trace', '--env', '-e', 'trace=default,openat', '--json', '-o', output, ...extra, '--', ...command()];

  it('without --redact, the trace holds every planted secret', () => {
    const result = cli(traceArgs([], plain));
    expect(result.status).toBe(0);
    expect(leaked(gunzipSync(readFileSync(plain)))).toEqual(ALL_SECRETS);
  });

  it('with --redact, the terminal, --json and the trace file hold none, and the header says it was redacted', () => {
    const redacted = join(work, 'redacted.cttrace');
    const result = cli(traceArgs(['--redact'], redacted));
    expect(result.status).toBe(0);
    expect(leaked(result.stdout)).toEqual([]);
    expect(leaked(result.stderr)).toEqual([]);
    const text = gunzipSync(readFileSync(redacted)).toString();
    expect(leaked(text)).toEqual([]);
    const [header, ...records] = text.trim().split('\n').map((line) => JSON.parse(line));
    expect(header.redaction.rules).toEqual(expect.arrayContaining(['env', 'secretOptions', 'assignments', 'homes', 'users']));
    const execve = records.find((record) => record.name === 'execve' && record.args.argv?.[0] === 'sh');
    expect(execve.args.argv[4]).toMatch(/^--password=<redacted:[0-9a-f]{4}>$/);
    expect(execve.args.envp.find((entry: string) => entry.startsWith('API_TOKEN='))).toMatch(/^API_TOKEN=<redacted:[0-9a-f]{4}>$/);
    const write = records.find((record) => record.name === 'write' && String(record.args.buf).startsWith('password='));
    expect(write.args.buf).toMatch(/^password=<redacted:[0-9a-f]{4}>\n$/);
    const open = records.find((record) => record.name === 'openat' && String(record.args.pathname).endsWith('notes.txt'));
    expect(open.args.pathname).toMatch(/^<redacted:[0-9a-f]{4}>\/notes\.txt$/);
    // the terminal shows the placeholders
    expect(result.stderr).toMatch(PLACEHOLDER);
  });

  it('show, export (Chrome and HTML) and redact of the unredacted trace hold none either', () => {
    for (const args of [['show', '--redact', plain], ['show', '--redact', '--json', plain], ['summary', '--redact', '--json', plain], ['diff', '--redact', plain, plain]]) {
      const result = cli(args);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(PLACEHOLDER);
      expect(leaked(result.stdout + result.stderr)).toEqual([]);
      // the same command without --redact shows them: the check above can fail
      expect(leaked(cli(args.filter((arg) => arg !== '--redact')).stdout)).not.toEqual([]);
    }
    const chrome = join(work, 'plain.json');
    expect(cli(['export', '--redact', plain, '-o', chrome]).status).toBe(0);
    expect(leaked(readFileSync(chrome))).toEqual([]);
    expect(readFileSync(chrome, 'utf8')).toMatch(PLACEHOLDER);

    const redactedCopy = join(work, 'copy.cttrace');
    const redact = cli(['redact', plain, '-o', redactedCopy]);
    expect(redact.status, redact.stderr).toBe(0);
    expect(leaked(redact.stderr)).toEqual([]);
    expect(leaked(gunzipSync(readFileSync(redactedCopy)))).toEqual([]);

    for (const [input, extra] of [[plain, ['--redact']], [redactedCopy, []]] as const) {
      const html = join(work, 'page.html');
      const result = cli(['export', '--html', ...extra, input, '-o', html]);
      expect(result.status, result.stderr).toBe(0);
      const page = readFileSync(html, 'utf8');
      expect(leaked(page)).toEqual([]);
      const base64 = new RegExp(`id="${EMBEDDED_TRACE_ID}"[^>]*>([^<]*)</script>`).exec(page)![1]!;
      const inside = gunzipSync(Buffer.from(base64.replace(/\s+/g, ''), 'base64')).toString();
      expect(leaked(inside)).toEqual([]);
      expect(inside).toMatch(PLACEHOLDER);
    }
  });

  it('refuses a bad --redact-pattern and --raw-output with --redact, in one line', () => {
    const bad = runCli(['show', '--redact-pattern', '(', plain]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^cttrace: --redact-pattern "\(" is not a regular expression \(.+\): write it as JavaScript's RegExp reads it\n$/);
    const raw = runCli(['trace', '--redact', '--raw-output', join(work, 'raw'), '--', 'true']);
    expect(raw.status).toBe(2);
    expect(raw.stderr).toBe("cttrace: --raw-output saves the engine's bytes as they came, secrets included: it cannot be redacted; leave out --raw-output or --redact\n");
  });
});
