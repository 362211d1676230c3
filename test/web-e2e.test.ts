// The web viewer end to end, in Debian's chromium through playwright-core: a recorded trace
// served by the live server, a selected clone's details, navigation, replay, filters, a live
// stream (replayed and, as root, from a real traced run), a hostile trace that must run nothing,
// and the server refusing a wrong token, a foreign Origin and a foreign Host.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startLiveServer, type LiveServer } from '../tracer/live/live-server.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { TraceHeader } from '../tracer/trace/records.js';
import { isRoot, runCli } from './helpers/cli.js';
import { CHROMIUM, CHROMIUM_ARGS, checkHostileShownAsText, watchPage, clickSpan, findSpans, hostileTrace, summary, UNSHARE_TRACE_LANES, waitReady, type ViewerSummary } from './helpers/viewer-page.js';

const ROOT = join(import.meta.dirname, '..');
const STATIC = join(ROOT, 'web', 'dist');
// The README's screenshots are refreshed with CTTRACE_SCREENSHOTS=1 npm test; otherwise they go to
// the test's temp dir, removed at the end.
let SCREENSHOTS = join(ROOT, 'web', 'screenshots');
const FILTERED = join(ROOT, 'traces', 'unshare-namespaces.cttrace');
const ALL = join(ROOT, 'traces', 'unshare-namespaces-all.cttrace');
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (the setup installs Debian's chromium)`;
if (skip) console.warn(`web-e2e: skipped: ${skip}`);

describe.skipIf(skip !== null)('web viewer in chromium', () => {
  let context: BrowserContext;
  let profile: string;
  let work: string;
  const servers: LiveServer[] = [];
  const others: Server[] = [];

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
    profile = mkdtempSync(join(tmpdir(), 'cttrace-chromium-'));
    work = mkdtempSync(join(tmpdir(), 'cttrace-web-'));
    if (!process.env.CTTRACE_SCREENSHOTS) SCREENSHOTS = join(work, 'screenshots');
    mkdirSync(SCREENSHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1500, height: 900 },
      args: CHROMIUM_ARGS,
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    for (const server of servers) await server.close();
    for (const server of others) server.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  async function serve(options: { traceFile?: string; header?: TraceHeader | null }): Promise<LiveServer> {
    const server = await startLiveServer({ header: options.header ?? null, staticDir: STATIC, traceFile: options.traceFile });
    servers.push(server);
    return server;
  }

  /** A page that fails the test on any script error, and records every request it makes. */
  async function openPage(url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await context.newPage();
    const { errors, requests } = watchPage(page);
    await page.goto(url);
    return { page, errors, requests };
  }

  it('opens a recorded trace: lanes in tree order with both pids, phases, panels', async () => {
    const server = await serve({ traceFile: FILTERED });
    const { page, errors, requests } = await openPage(server.url);
    await waitReady(page);
    const s = await summary(page);
    expect(s.error).toBeNull();
    expect(s.lanes.map((lane) => lane.label)).toEqual(UNSHARE_TRACE_LANES.map((label) => expect.stringMatching(label)));
    expect(s.lanes.map((lane) => lane.depth)).toEqual([0, 1, 2, 2]);
    expect(s.lanes[0]!.segments).toEqual(['node', 'unshare']);
    expect(s.phases).toEqual(['runtime start', 'namespaces', 'rootfs', 'exec', 'running', 'teardown']);
    expect(s.arrows).toBe(3);
    await expect.poll(() => page.getByTestId('process-tree').innerText()).toMatch(/\/ 1\s+unshare → sh/);
    const table = page.getByTestId('namespace-table');
    expect(await table.locator('tbody tr').count()).toBe(5);
    expect(await table.locator('td.differs').count()).toBeGreaterThan(10);
    expect(await page.getByTestId('trace-title').innerText()).toContain('unshare --fork --pid');
    await page.screenshot({ path: join(SCREENSHOTS, 'timeline-unshare.png') });
    // works offline: nothing asked of any other host
    const origin = new URL(server.url).origin;
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a selected clone: both pids, the flags and what they mean', async () => {
    const server = await serve({ traceFile: FILTERED });
    const { page, errors } = await openPage(server.url);
    await waitReady(page);
    const [clone] = await findSpans(page, 'clone');
    await clickSpan(page, clone!);
    await expect.poll(() => page.getByTestId('details-heading').innerText().catch(() => '')).toBe('clone');
    const s = await summary(page);
    expect(s.selection).toEqual({ kind: 'span', span: clone });
    const initTid = s.lanes[1]!.tid;
    const details = page.getByTestId('details');
    await expect.poll(() => details.locator('tr[data-label="the same pid on the host"] td').innerText()).toBe(String(initTid));
    expect(await details.locator('tr[data-label="child’s pid chain (host → its own)"] td').innerText()).toBe(`${initTid} → 1`);
    expect(await details.locator('tr[data-label="flags"] td').innerText()).toBe('CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD');
    expect(await details.locator('tr[data-label="host pid"] td').innerText()).toBe(String(s.lanes[0]!.tid));
    expect(await page.getByTestId('details-explanations').innerText()).toContain('SIGCHLD');
    await page.screenshot({ path: join(SCREENSHOTS, 'clone-details.png') });

    // a namespace row of the band above the lanes selects the namespace
    const top = (await page.getByTestId('top-canvas').boundingBox())!;
    await page.mouse.click(top.x + top.width - 30, top.y + 26 + 7);
    await expect.poll(() => page.getByTestId('details-heading').innerText().catch(() => '')).toMatch(/^\w+ namespace \d+$/);
    expect(await page.getByTestId('details').innerText()).toMatch(/created\s+unshare by/);

    // the unshare that made the namespaces explains CLONE_NEWPID's first child
    const [unshare] = await findSpans(page, 'unshare');
    await clickSpan(page, unshare!);
    await expect.poll(() => page.getByTestId('details-explanations').innerText().catch(() => '')).toContain('pid 1');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('navigates like Perfetto: fit, step through a lane, zoom and pan keys, help', async () => {
    const server = await serve({ traceFile: ALL });
    const { page, errors } = await openPage(server.url);
    await waitReady(page);
    const full = (await summary(page)).window;
    const [first] = await findSpans(page, 'execve');
    await clickSpan(page, first!);
    await page.keyboard.press('f');
    await expect.poll(async () => (await summary(page)).window[1] - (await summary(page)).window[0]).toBeLessThan((full[1] - full[0]) / 4);
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await summary(page)).selection?.span).not.toBe(first);
    const stepped = (await summary(page)).selection!.span!;
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await summary(page)).selection?.span).toBe(first);
    expect(stepped).not.toBe(first);
    const before = (await summary(page)).window;
    await page.keyboard.press('s');
    await expect.poll(async () => (await summary(page)).window[1] - (await summary(page)).window[0]).toBeGreaterThan(before[1] - before[0]);
    const zoomed = (await summary(page)).window;
    await page.keyboard.press('d');
    await expect.poll(async () => (await summary(page)).window[0]).toBeGreaterThan(zoomed[0]);
    await page.keyboard.press('?');
    await expect(page.getByTestId('help').isVisible()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help').isVisible()).resolves.toBe(false);
    // wheel zooms in around the pointer, drag pans
    const box = (await page.getByTestId('lanes-canvas').boundingBox())!;
    const w0 = (await summary(page)).window;
    await page.mouse.move(box.x + box.width * 0.6, box.y + 20);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => (await summary(page)).window[1] - (await summary(page)).window[0]).toBeLessThan(w0[1] - w0[0]);
    const w1 = (await summary(page)).window;
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await summary(page)).window[0]).toBeGreaterThan(w1[0]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters, searches and replays', async () => {
    const server = await serve({ traceFile: ALL });
    const { page, errors } = await openPage(server.url);
    await waitReady(page);
    const s = await summary(page);
    expect(s.shownSpans).toBe(s.spans);
    await page.getByTestId('filter-failed').check();
    await expect.poll(async () => (await summary(page)).shownSpans).toBeLessThan(s.spans);
    await page.getByTestId('filter-failed').uncheck();
    await page.getByTestId('filter-syscall').fill('execve');
    await page.getByTestId('filter-syscall').press('Enter');
    await expect.poll(async () => (await summary(page)).shownSpans).toBe((await findSpans(page, 'execve')).length);
    await page.getByTestId('filter-syscall').fill('');
    await page.getByTestId('filter-syscall').press('Enter');
    await page.getByTestId('search').fill('CLONE_NEWPID');
    await expect.poll(async () => (await summary(page)).shownSpans).toBe(1);
    await page.getByTestId('search').press('Enter');
    await expect.poll(() => page.getByTestId('details-heading').innerText().catch(() => '')).toBe('unshare');
    await page.getByTestId('search').fill('');
    await expect.poll(async () => (await summary(page)).shownSpans).toBe(s.spans);

    await page.getByTestId('scrubber').fill('500');
    await expect.poll(async () => (await summary(page)).replay.playhead).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'replay-halfway.png') });
    await page.getByTestId('play').click();
    const at = (await summary(page)).replay.playhead!;
    await expect.poll(async () => (await summary(page)).replay.playhead ?? Infinity).toBeGreaterThan(at);
    await page.getByTestId('play').click();
    expect((await summary(page)).replay.playing).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a file dropped on the page', async () => {
    const server = await serve({ traceFile: undefined, header: null });
    const { page, errors } = await openPage(server.url);
    const bytes = readFileSync(FILTERED).toString('base64');
    await page.evaluate((data) => {
      const file = new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'dropped.cttrace');
      const transfer = new DataTransfer();
      transfer.items.add(file);
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await waitReady(page);
    expect((await summary(page)).lanes).toHaveLength(4);
    // a page the cttrace server sent gives the dropped file to the server to read
    expect(await page.evaluate(() => (window as unknown as { __cttrace: { summary(): { timings: { served?: boolean } } } }).__cttrace.summary().timings.served)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says why it refuses a file that is not a trace, or of a newer version', async () => {
    const notTrace = join(work, 'notes.txt');
    writeFileSync(notTrace, 'hello, not a trace\n');
    const newer = join(work, 'newer.cttrace');
    const { header } = await readTraceFile(FILTERED);
    writeFileSync(newer, gzipSync(`${JSON.stringify({ ...header, version: 2 })}\n`));
    for (const [file, reason] of [[notTrace, /not a cttrace trace: it is not gzip data/], [newer, /version 2 trace, newer than this viewer/]] as const) {
      const server = await serve({ traceFile: file });
      const { page } = await openPage(server.url);
      await waitReady(page);
      expect((await summary(page)).error).toMatch(reason);
      await expect.poll(() => page.getByTestId('banner').innerText()).toMatch(reason);
      await page.close();
    }
  });

  it('runs nothing from a hostile trace: every string is text', async () => {
    const { header, records } = await readTraceFile(FILTERED);
    const file = join(work, 'hostile.cttrace');
    writeFileSync(file, gzipSync(hostileTrace(header, records).map((line) => JSON.stringify(line)).join('\n') + '\n'));
    const server = await serve({ traceFile: file });
    const { page, errors } = await openPage(server.url);
    await waitReady(page);
    await checkHostileShownAsText(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'hostile-trace.png') });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('body img, body script').count()).toBe(0);
    expect(errors.filter((error) => !/Content Security Policy/.test(error))).toEqual([]);
    await page.close();
  });

  it('follows a live stream, and pausing loses nothing', async () => {
    const { header, records } = await readTraceFile(FILTERED);
    const server = await serve({ header });
    const { page, errors } = await openPage(server.url);
    await page.waitForFunction(() => (window as unknown as { __cttrace: { summary(): ViewerSummary } }).__cttrace.summary().live.state === 'open');
    const half = Math.floor(records.length / 2);
    records.slice(0, half).forEach((record) => server.publish(record));
    await expect.poll(async () => (await summary(page)).records, { timeout: 10_000 }).toBe(half);
    expect((await summary(page)).live.active).toBe(true);
    await page.getByTestId('live-pause').click();
    records.slice(half, -5).forEach((record) => server.publish(record));
    await expect.poll(async () => (await summary(page)).live.held, { timeout: 10_000 }).toBe(records.length - 5 - half);
    expect((await summary(page)).records).toBe(half);
    await page.getByTestId('live-pause').click();
    await expect.poll(async () => (await summary(page)).records).toBe(records.length - 5);
    records.slice(-5).forEach((record) => server.publish(record));
    server.finish();
    await expect.poll(async () => (await summary(page)).complete, { timeout: 10_000 }).toBe(true);
    const s = await summary(page);
    expect(s.records).toBe(records.length);
    expect(s.lanes).toHaveLength(4);
    await page.screenshot({ path: join(SCREENSHOTS, 'live.png') });

    // a viewer that comes late gets everything so far
    const late = await openPage(server.url);
    await expect.poll(async () => (await summary(late.page)).records, { timeout: 10_000 }).toBe(records.length);
    expect(errors).toEqual([]);
    await late.page.close();
    await page.close();
  });

  const cliBuilt = existsSync(join(ROOT, 'dist', 'tracer', 'cli', 'main.js'));
  it.skipIf(!isRoot)('receives a real traced run live, the way --web feeds it (root)', async () => {
    const generator = await import('../tracer/tables/generate.mjs');
    generator.generate();
    const { runTracedSession } = await import('../tracer/cli/traced-session.js');
    const command = ['/usr/bin/unshare', '--fork', '--pid', '--mount-proc', '/bin/sh', '-c', 'sleep 0.3; echo live'];
    const server = await serve({ header: null });
    const { page, errors } = await openPage(server.url);
    await page.waitForFunction(() => (window as unknown as { __cttrace: { summary(): ViewerSummary } }).__cttrace.summary().live.state === 'open');
    let published = 0;
    let seenMidway = 0;
    const run = runTracedSession({
      target: { kind: 'command', path: command[0]!, argv: command },
      command,
      outputPath: join(work, 'live-run.cttrace'),
      options: { quiet: true },
      subject: command[0]!,
      onHeader: (header) => server.setHeader(header),
      onRecord: (record) => {
        server.publish(record);
        published++;
      },
    });
    // while `sleep 0.3` runs, the page already shows what happened so far
    await expect.poll(async () => (seenMidway = (await summary(page)).records), { timeout: 5_000 }).toBeGreaterThan(0);
    expect(await run).toBe(0);
    expect(seenMidway).toBeLessThan(published);
    server.finish();
    await expect.poll(async () => (await summary(page)).complete, { timeout: 10_000 }).toBe(true);
    const s = await summary(page);
    expect(s.records).toBe(published);
    expect(s.lanes.map((lane) => lane.nsPid)).toContain(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!isRoot || !cliBuilt)('cttrace run --web: the printed URL fills live while the container is made (root, built CLI)', async () => {
    const { spawn } = await import('node:child_process');
    const cli = spawn(process.execPath, [join(ROOT, 'bin', 'cttrace.js'), 'run', '-q', '--web', '-o', join(work, 'web-run.cttrace'), '--', 'busybox', 'sh', '-c', 'sleep 0.5; echo hi'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(stderr), { timeout: 20_000 }).toBe(true);
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(stderr)![0];
    const { page, errors } = await openPage(url);
    await expect.poll(async () => (await summary(page)).records, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await summary(page)).complete, { timeout: 20_000 }).toBe(true);
    const s = await summary(page);
    expect(s.lanes.some((lane) => lane.nsPid === 1)).toBe(true);
    expect(s.phases).toEqual(expect.arrayContaining(['namespaces', 'pivot_root', 'running']));
    expect(errors).toEqual([]);
    cli.kill('SIGINT');
    expect(await new Promise((resolve) => cli.on('exit', resolve))).toBe(0);
    await page.close();
  });

  it.skipIf(!isRoot || !cliBuilt)('shows a real container start under ctrun: every phase, pivot_root explained (root, built CLI)', async () => {
    const file = join(work, 'container.cttrace');
    const run = runCli(['run', '-q', '-o', file, '--', 'busybox', 'sh', '-c', 'ps; hostname']);
    expect(run.status, run.stderr).toBe(0);
    const server = await serve({ traceFile: file });
    const { page, errors } = await openPage(server.url);
    await waitReady(page);
    const s = await summary(page);
    expect(s.phases).toEqual(['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown']);
    expect(s.lanes.some((lane) => lane.nsPid === 1)).toBe(true);
    const [pivot] = await findSpans(page, 'pivot_root');
    await clickSpan(page, pivot!);
    await expect.poll(() => page.getByTestId('details-explanations').innerText().catch(() => '')).toContain('chroot');
    await page.screenshot({ path: join(SCREENSHOTS, 'container-ctrun.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a wrong token, a foreign Origin and a foreign Host; sends a strict CSP and no CORS', async () => {
    const { header } = await readTraceFile(FILTERED);
    const server = await serve({ header, traceFile: FILTERED });
    const origin = `http://127.0.0.1:${server.port}`;
    const wsUrl = (token: string) => `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`;
    const connect = (url: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    expect(await connect(wsUrl(server.token), { Origin: origin })).toBe(101);
    expect(await connect(wsUrl('wrong'), { Origin: origin })).toBe(401);
    expect(await connect(wsUrl(`${server.token}x`), { Origin: origin })).toBe(401);
    expect(await connect(`ws://127.0.0.1:${server.port}/ws`, { Origin: origin })).toBe(401);
    expect(await connect(wsUrl(server.token), { Origin: 'http://evil.example' })).toBe(403);
    expect(await connect(wsUrl(server.token), { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await connect(wsUrl(server.token), { Origin: origin, Host: `evil.example:${server.port}` })).toBe(403);

    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers }, (response) => {
          response.resume();
          resolve({ status: response.statusCode!, headers: response.headers });
        });
        req.on('error', reject);
        req.end();
      });
    const index = await get('/');
    expect(index.status).toBe(200);
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(index.headers['access-control-allow-origin']).toBeUndefined();
    expect((await get('/trace.cttrace')).status).toBe(401);
    expect((await get('/trace.cttrace?token=nope')).status).toBe(401);
    expect((await get(`/trace.cttrace?token=${server.token}`)).status).toBe(200);
    expect((await get(`/trace.cttrace?token=${server.token}`, { Origin: 'http://evil.example' })).headers['access-control-allow-origin']).toBeUndefined();
    expect((await get('/', { Host: 'evil.example' })).status).toBe(403);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/%2e%2e/package.json')).status).toBe(404);

    // a page on another origin cannot open the socket, even knowing the token
    const foreign = createServer((_request, response) => response.end('<!doctype html><title>elsewhere</title>'));
    others.push(foreign);
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(foreign.address() as { port: number }).port}/`);
    // (a string: vitest would rewrite a WebSocket named in a function to the `ws` import)
    const result = await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(wsUrl(server.token))});
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    })`);
    expect(result).toBe('refused');
    await page.close();
  });
});
