// `cttrace watch --web`: the live viewer lists the containers as they are recorded and streams the
// one chosen. In chromium: a live server with channels fed from recorded traces (the list grows,
// the first trace opens by itself and fills, another is chosen by a click, each is marked when
// complete); the channel sockets keep the live server's rules (token, Origin, Host). As root: the
// real `cttrace watch --web` lists a new pid namespace while it still runs and streams it live.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { childrenOf } from '../tracer/cli/process-lookup.js';
import { LiveChannels, type TraceListEntry } from '../tracer/live/live-channels.js';
import { startLiveServer, type LiveServer } from '../tracer/live/live-server.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { TraceRecord } from '../tracer/trace/records.js';
import { cliPath, isRoot, repoRoot, waitFor } from './helpers/cli.js';
import { killStarted, track } from './helpers/processes.js';
import { CHROMIUM, CHROMIUM_ARGS, summary, watchPage } from './helpers/viewer-page.js';

const STATIC = join(repoRoot, 'web', 'dist');
const FILTERED = join(repoRoot, 'traces', 'unshare-namespaces.cttrace');
const ALL = join(repoRoot, 'traces', 'unshare-namespaces-all.cttrace');
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (the setup installs Debian's chromium)` : !existsSync(join(STATIC, 'index.html')) ? 'the viewer is not built (npm run build)' : null;
if (skip) console.warn(`watch-web: browser part skipped: ${skip}`);

afterEach(killStarted);

/** A socket's fate: the messages it got until it closed, or the HTTP status it was refused with. */
function openSocket(url: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; messages: string[] } | { refused: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    socket.on('open', () => resolve({ socket, messages }));
    socket.on('unexpected-response', (_request, response) => {
      resolve({ refused: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on('error', () => {});
  });
}

const lines = (messages: readonly string[]) => messages.flatMap((message) => message.split('\n')).filter(Boolean);

describe.skipIf(skip !== null)('cttrace watch --web: the viewer (chromium)', () => {
  let context: BrowserContext;
  let profile: string;
  let server: LiveServer;
  const channels = new LiveChannels();

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'cttrace-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 }, args: CHROMIUM_ARGS });
    server = await startLiveServer({ header: null, staticDir: STATIC, channels });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('lists the containers as they come, opens the first, fills it live, and shows another when chosen', async () => {
    const first = await readTraceFile(FILTERED);
    const second = await readTraceFile(ALL);
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await page.goto(server.url);
    expect(server.url).toMatch(/[?&]watch=1/);
    await expect.poll(() => page.getByTestId('watch-status').textContent()).toBe('waiting for the first container…');
    // a container appears: listed, opened by itself, its timeline filling as records come
    channels.open('abc123', { ...first.header, command: ['watch', 'abc123'] });
    const half = Math.floor(first.records.length / 2);
    first.records.slice(0, half).forEach((record) => channels.publish('abc123', record));
    await expect.poll(async () => (await summary(page)).records, { timeout: 10_000 }).toBe(half);
    expect(await page.getByTestId('watch-list').locator('button').allTextContents()).toEqual(['abc123']);
    expect((await summary(page)).live.active).toBe(true);
    first.records.slice(half).forEach((record: TraceRecord) => channels.publish('abc123', record));
    await expect.poll(async () => (await summary(page)).records, { timeout: 10_000 }).toBe(first.records.length);
    await expect.poll(async () => (await summary(page)).lanes.length, { timeout: 10_000 }).toBe(4);
    // a second container while the first is shown: listed, not switched to
    channels.open('def456', { ...second.header, command: ['watch', 'def456'] });
    second.records.forEach((record) => channels.publish('def456', record));
    channels.finish('abc123');
    await expect.poll(() => page.getByTestId('watch-list').locator('button').allTextContents()).toEqual(['abc123', 'def456']);
    await expect.poll(() => page.locator('button[data-trace="abc123"]').getAttribute('class')).toContain('finished');
    expect((await summary(page)).records).toBe(first.records.length);
    await page.locator('button[data-trace="def456"]').click();
    await expect.poll(async () => (await summary(page)).records, { timeout: 10_000 }).toBe(second.records.length);
    await expect.poll(() => page.getByTestId('trace-title').textContent()).toContain('watch def456');
    // a viewer that comes late gets the whole list
    const late = await context.newPage();
    await late.goto(server.url);
    await expect.poll(() => late.getByTestId('watch-list').locator('button').allTextContents()).toEqual(['abc123', 'def456']);
    expect(errors).toEqual([]);
    await late.close();
    await page.close();
  }, 60_000);

  it('keeps the live server rules on the channel sockets: token, Origin, Host; a trace that does not exist is not found', async () => {
    const { host, searchParams } = new URL(server.url);
    const token = searchParams.get('token')!;
    expect(await openSocket(`ws://${host}/ws/traces?token=wrong`)).toEqual({ refused: 401 });
    expect(await openSocket(`ws://${host}/ws/traces`)).toEqual({ refused: 401 });
    expect(await openSocket(`ws://${host}/ws/traces?token=${token}`, { Origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await openSocket(`ws://${host}/ws/traces?token=${token}`, { Host: 'evil.example' })).toEqual({ refused: 403 });
    expect(await openSocket(`ws://${host}/ws?token=wrong&trace=abc123`)).toEqual({ refused: 401 });
    expect(await openSocket(`ws://${host}/ws?token=${token}&trace=nothing`)).toEqual({ refused: 404 });
    const listed = await openSocket(`ws://${host}/ws/traces?token=${token}`, { Origin: `http://${host}` });
    expect('socket' in listed).toBe(true);
    if ('socket' in listed) {
      await waitFor(() => (listed.messages.length ? true : undefined), 'the list');
      expect(lines(listed.messages).map((line) => JSON.parse(line) as TraceListEntry).map((entry) => ('finished' in entry ? `${entry.name} done` : entry.name))).toEqual(['abc123', 'def456', 'abc123 done']);
      listed.socket.close();
    }
  });
});

describe.skipIf(!isRoot)('cttrace watch --web (root)', () => {
  it('lists a new pid namespace while it runs and streams its records live, then serves until Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cttrace-watch-web-'));
    try {
      const watcher = track(spawn(process.execPath, [cliPath, 'watch', '--web', '-o', dir], { stdio: ['ignore', 'ignore', 'pipe'] }));
      let stderr = '';
      watcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await waitFor(() => (stderr.includes('following every new container') ? true : undefined), 'the watch to start');
      const url = new URL(/http:\/\/127\.0\.0\.1:\d+\/\?\S+/.exec(stderr)![0]);
      expect(url.searchParams.get('watch')).toBe('1');
      const token = url.searchParams.get('token')!;
      const list = await openSocket(`ws://${url.host}/ws/traces?token=${token}`);
      if (!('socket' in list)) throw new Error(`the list socket was refused: ${JSON.stringify(list)}`);
      // a task that makes a new pid namespace and runs a while in it: its trace is named by the
      // pid of the process it starts from (unshare, which forks into the namespace; or its child)
      const container = track(spawn('unshare', ['--fork', '--pid', '/bin/sh', '-c', 'sleep 1.5; /bin/echo done'], { stdio: 'ignore' }));
      const child = await waitFor(() => childrenOf(container.pid!)[0], 'unshare to fork');
      const candidates = [`pid${container.pid}`, `pid${child}`];
      const name = await waitFor(
        () => lines(list.messages).map((line) => (JSON.parse(line) as TraceListEntry).name).find((listed) => candidates.includes(listed)),
        `${candidates.join(' or ')} to be listed\n${stderr}`,
      );
      expect(container.exitCode, 'listed while it still runs').toBeNull();
      const trace = await openSocket(`ws://${url.host}/ws?token=${token}&trace=${name}`);
      if (!('socket' in trace)) throw new Error(`the trace socket was refused: ${JSON.stringify(trace)}`);
      const execOf = (filename: RegExp) => (line: string) => line.includes('"name":"execve"') && filename.test(line);
      // streamed while it runs: the header and what it did so far, without the echo still to come
      await waitFor(() => (trace.messages.length ? true : undefined), 'the trace so far');
      expect(lines(trace.messages).some(execOf(/"filename":"\/bin\/echo"/))).toBe(false);
      expect(container.exitCode, 'still running').toBeNull();
      await new Promise((resolve) => container.once('exit', resolve));
      // the echo's execve comes live after (sh finds sleep on PATH)
      await waitFor(() => (lines(trace.messages).some(execOf(/"filename":"\/bin\/echo"/)) ? true : undefined), 'the execve of echo to stream');
      const received = lines(trace.messages);
      expect(JSON.parse(received[0]!)).toMatchObject({ format: 'cttrace', command: ['watch', name] });
      expect(received.some(execOf(/"filename":"[^"]*\/sleep"/))).toBe(true);
      watcher.kill('SIGINT'); // ends the watch; the traces stay served
      await waitFor(() => (stderr.includes('until Ctrl-C') ? true : undefined), 'the traces to be complete');
      await waitFor(() => (lines(list.messages).some((line) => line === JSON.stringify({ name, finished: true })) ? true : undefined), `${name} to be marked complete`);
      watcher.kill('SIGINT');
      expect(await new Promise((resolve) => watcher.once('exit', resolve))).toBe(0);
      const { records } = await readTraceFile(join(dir, `${name}.cttrace`));
      expect(records.filter((r) => r.type === 'syscall' && r.name === 'execve').length).toBeGreaterThanOrEqual(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
