// `cttrace export --html`: one self-contained page, opened from file:// in Debian's chromium and
// Firefox ESR with the network cut off: it draws the trace, shows a clone's two pids and what its
// flags mean, searches (in its worker), keeps to its CSP, and runs nothing a hostile trace holds.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import type { TraceHeader, TraceRecord } from '../tracer/trace/records.js';
import { repoRoot, runCli } from './helpers/cli.js';
import { Firefox, FIREFOX } from './helpers/firefox-bidi.js';
import { CHROMIUM, CHROMIUM_ARGS, checkHostileShownAsText, watchPage, clickSpan, findSpans, HOSTILE_IMG, hostileTrace, summary, UNSHARE_TRACE_LANES, waitReady, type ViewerSummary } from './helpers/viewer-page.js';

const FILTERED = join(repoRoot, 'traces', 'unshare-namespaces.cttrace');
const TEMPLATE = join(repoRoot, 'web', 'dist-standalone', 'index.html');
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (the setup installs Debian's chromium)`;

function exportHtml(input: string, output: string): string {
  const result = runCli(['export', '--html', input, '-o', output]);
  expect(result.stderr).toMatch(/written, \d+ KiB \(the trace: \d+ KiB, \d+ KiB as base64; the viewer: \d+ KiB\)/);
  expect(result.status).toBe(0);
  return readFileSync(output, 'utf8');
}

function writeHostileTrace(dir: string, header: TraceHeader, records: readonly TraceRecord[]): string {
  const file = join(dir, 'hostile<i>.cttrace');
  writeFileSync(file, gzipSync(hostileTrace(header, records).map((line) => JSON.stringify(line)).join('\n') + '\n'));
  return file;
}

describe.skipIf(skip !== null)('export --html, opened from file:// with no network', () => {
  let browser: Browser;
  let context: BrowserContext;
  let work: string;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), mode: 'standalone', logLevel: 'warn' });
    work = mkdtempSync(join(tmpdir(), 'cttrace-html-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ offline: true, viewport: { width: 1500, height: 900 } });
    // nothing but the page itself and what it makes in memory
    await context.route('**/*', (route) => (/^(file|blob|data):/.test(route.request().url()) ? route.continue() : route.abort()));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function loadFile(path: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await context.newPage();
    const { errors, requests } = watchPage(page);
    await page.goto(`file://${path}`);
    return { page, errors, requests };
  }

  async function openFile(path: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const opened = await loadFile(path);
    await waitReady(opened.page);
    return opened;
  }

  /** The compare page's two viewers (srcdoc frames), once both have drawn their trace. */
  async function compareViewers(page: Page): Promise<Frame[]> {
    const viewers = () => page.frames().filter((frame) => frame.url() === 'about:srcdoc');
    await expect.poll(() => viewers().length).toBe(2);
    for (const frame of viewers()) await waitReady(frame);
    return viewers();
  }

  const frameSummary = (frame: Frame) => frame.evaluate(() => (window as unknown as { __cttrace: { summary(): ViewerSummary } }).__cttrace.summary());

  it('is one file: the viewer inline, the trace base64 inside, a strict CSP, the size of the two', () => {
    const output = join(work, 'unshare.html');
    const html = exportHtml(FILTERED, output);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-[A-Za-z0-9+/=]+'; worker-src blob:;/);
    // nothing unsafe but compiling WebAssembly (the loader's line scanner): no eval, no inline code
    expect(csp.replace("'wasm-unsafe-eval'", '')).not.toMatch(/unsafe|https?:|\*/);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*stylesheet|<iframe|<object/i);
    const trace = statSync(FILTERED).size;
    const base64 = Math.ceil(trace / 3) * 4;
    const template = statSync(TEMPLATE).size;
    const size = Buffer.byteLength(html);
    expect(size).toBeGreaterThan(template + base64);
    expect(size).toBeLessThan(template + base64 + base64 / 76 + 512);
  });

  it('draws the trace, selects a clone with both pids and its flags explained, and searches: no request leaves the page', async () => {
    const output = join(work, 'unshare.html');
    exportHtml(FILTERED, output);
    const { page, errors, requests } = await openFile(output);
    const s = await summary(page);
    expect(s.error).toBeNull();
    expect(s.lanes.map((lane) => lane.label)).toEqual(UNSHARE_TRACE_LANES.map((label) => expect.stringMatching(label)));
    expect(s.phases).toEqual(['runtime start', 'namespaces', 'rootfs', 'exec', 'running', 'teardown']);
    expect(s.arrows).toBe(3);
    expect(await page.title()).toBe('unshare-namespaces.cttrace · cttrace');
    await expect.poll(() => page.getByTestId('process-tree').innerText()).toMatch(/\/ 1\s+unshare → sh/);
    expect(await page.getByTestId('namespace-table').locator('tbody tr').count()).toBe(5);

    const [clone] = await findSpans(page, 'clone');
    await clickSpan(page, clone!);
    await expect.poll(() => page.getByTestId('details-heading').innerText().catch(() => '')).toBe('clone');
    const details = page.getByTestId('details');
    const initTid = s.lanes[1]!.tid;
    await expect.poll(() => details.locator('tr[data-label="the same pid on the host"] td').innerText()).toBe(String(initTid));
    expect(await details.locator('tr[data-label="child’s pid chain (host → its own)"] td').innerText()).toBe(`${initTid} → 1`);
    expect(await details.locator('tr[data-label="host pid"] td').innerText()).toBe(String(s.lanes[0]!.tid));
    expect(await page.getByTestId('details-explanations').innerText()).toContain('SIGCHLD');
    await page.keyboard.press('Escape');

    // the blob: worker compiled the WebAssembly line scanner under the page's CSP
    expect(await page.evaluate(() => (window as unknown as { __cttrace: { summary(): { timings: { wasm?: boolean } } } }).__cttrace.summary().timings.wasm)).toBe(true);

    // search runs in the parse worker (a blob: worker here)
    await page.getByTestId('search').fill('CLONE_NEWPID');
    await expect.poll(async () => (await summary(page)).shownSpans).toBe(1);
    await page.getByTestId('search').press('Enter');
    await expect.poll(() => page.getByTestId('details-heading').innerText().catch(() => '')).toBe('unshare');

    expect(requests.filter((url) => !/^(file|blob|data):/.test(url))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs nothing from a hostile trace: every string is text, the page keeps to its CSP', async () => {
    const { header, records } = await readTraceFile(FILTERED);
    const file = writeHostileTrace(work, header, records);
    const output = join(work, 'hostile.html');
    exportHtml(file, output);
    const { page, errors } = await openFile(output);
    expect((await summary(page)).error).toBeNull();
    expect(await page.title()).toBe('hostile<i>.cttrace · cttrace');
    await checkHostileShownAsText(page);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('body img, body i').count()).toBe(0);
    // the only script element in the body is the trace's data block, which is never run
    expect(await page.locator('body script').evaluateAll((scripts) => scripts.map((script) => script.getAttribute('type')))).toEqual(['application/gzip;base64']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says on its title line that a trace was redacted (export --html --redact)', async () => {
    const output = join(work, 'redacted.html');
    const result = runCli(['export', '--html', '--redact', FILTERED, '-o', output]);
    expect(result.status, result.stderr).toBe(0);
    const { page, errors } = await openFile(output);
    expect((await summary(page)).error).toBeNull();
    await expect.poll(() => page.getByTestId('trace-title').innerText()).toMatch(/ · redacted$/);
    expect(await page.getByTestId('trace-title').getAttribute('title')).toContain('secrets replaced by <redacted:XXXX> placeholders (rules: assignments, ');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('diff --html: two viewers on one time axis (moving A moves B by the phase offset), the diff below, nothing run from a hostile trace', async () => {
    const runc = join(repoRoot, 'traces', 'busybox-runc.cttrace');
    const ctrun = join(repoRoot, 'traces', 'busybox-ctrun.cttrace');
    const output = join(work, 'compare.html');
    const result = runCli(['diff', '--html', runc, ctrun, '-o', output]);
    expect(result.stderr).toBe(`cttrace: ${output} written: the two start-ups side by side (lined up at the start of their "cgroup" phase) and their diff; open it in a browser, no server needed\n`);
    expect(result.status).toBe(1);
    const { page, errors, requests } = await loadFile(output);
    const [viewerA, viewerB] = await compareViewers(page);
    const [a, b] = [await frameSummary(viewerA!), await frameSummary(viewerB!)];
    expect(a.lanes[0]!.label).toMatch(/ runc$/);
    expect(b.lanes[0]!.label).toMatch(/ ctrun:\[0:MAIN\]$/); // ctrun names its first stage
    const offset = (testid: string) => page.getByTestId(testid).getAttribute('data-offset').then(Number);
    const delta = (await offset('viewer-b')) - (await offset('viewer-a'));
    expect(delta).toBeLessThan(0); // ctrun reaches its cgroup phase sooner
    // the wheel over A's phase band (inside A's frame; the box is in page coordinates)
    const box = (await viewerA!.getByTestId('top-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + Math.min(box.height / 2, 20));
    await page.mouse.wheel(0, -600);
    await expect.poll(async () => (await frameSummary(viewerA!)).window[0]).toBeGreaterThan(a.window[0]);
    const moved = (await frameSummary(viewerA!)).window;
    // B's window starts where A's does, shifted by the offset that lines up their phases
    await expect.poll(async () => (await frameSummary(viewerB!)).window[0]).toBeCloseTo(moved[0] + delta, -3);
    expect(b.window[0]).not.toBeCloseTo(moved[0] + delta, -3);
    const diff = page.getByTestId('diff');
    expect(await diff.locator('.removed', { hasText: '-unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) = 0' }).count()).toBe(1);
    expect(await diff.locator('.added', { hasText: '+clone3({flags=CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET' }).count()).toBe(1);
    // only the differences: each viewer shows the calls the diff marks in it (only there, or changed)
    const json = JSON.parse(runCli(['diff', '--json', runc, ctrun]).stdout) as { roles: { counts: { onlyA: number; onlyB: number; changed: number } }[] };
    const marked = (side: 'onlyA' | 'onlyB') => json.roles.reduce((sum, role) => sum + role.counts[side] + role.counts.changed, 0);
    await page.getByTestId('only-differences').check();
    await expect.poll(async () => (await frameSummary(viewerA!)).shownSpans).toBe(marked('onlyA'));
    await expect.poll(async () => (await frameSummary(viewerB!)).shownSpans).toBe(marked('onlyB'));
    await page.getByTestId('only-differences').uncheck();
    await expect.poll(async () => (await frameSummary(viewerB!)).shownSpans).toBe(b.spans);
    expect(requests.filter((url) => !/^(file|blob|data|about):/.test(url))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();

    // a hostile trace against itself: its markup is text in both viewers and in the diff
    const { header, records } = await readTraceFile(FILTERED);
    const hostile = writeHostileTrace(work, header, records);
    const hostilePage = join(work, 'compare-hostile.html');
    expect(runCli(['diff', '--html', hostile, hostile, '-o', hostilePage]).status).toBe(0);
    const opened = await loadFile(hostilePage);
    for (const viewer of await compareViewers(opened.page)) expect((await frameSummary(viewer)).lanes[0]!.label).toContain(HOSTILE_IMG);
    expect(await opened.page.getByTestId('name-a').innerText()).toBe('hostile<i>.cttrace');
    expect(await opened.page.getByTestId('diff').innerText()).toContain(HOSTILE_IMG);
    for (const frame of [opened.page.mainFrame(), ...opened.page.frames()]) {
      expect(await frame.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).toBeNull();
      expect(await frame.evaluate(() => document.querySelectorAll('body img, body i').length)).toBe(0);
    }
    expect(opened.errors).toEqual([]);
    await opened.page.close();
  });

  it('refuses what is not a trace, and two formats at once, in one line', () => {
    const notTrace = join(work, 'notes.txt');
    writeFileSync(notTrace, 'hello\n');
    const refused = runCli(['export', '--html', notTrace, '-o', join(work, 'notes.html')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`cttrace: ${notTrace} is not a cttrace trace: it is not gzip data (a .cttrace file is gzip'd JSON lines)\n`);
    expect(existsSync(join(work, 'notes.html'))).toBe(false);
    const both = runCli(['export', '--html', '--format', 'chrome', FILTERED, '-o', join(work, 'x')]);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('cttrace: --html and --format chrome ask for two formats: give one\n');
  });
});

describe.skipIf(!existsSync(FIREFOX))('export --html in Firefox ESR, from file://, network pointed at a closed port', () => {
  let firefox: Firefox;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cttrace-html-firefox-'));
    if (!existsSync(TEMPLATE)) {
      const { build } = await import('vite');
      await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), mode: 'standalone', logLevel: 'warn' });
    }
    firefox = await Firefox.launch();
  }, 120_000);

  afterAll(async () => {
    await firefox?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const ready = (context: string) => firefox.waitFor<{ error: string | null; lanes: { label: string; tid: number }[]; phases: string[] }>(context, '(() => { const s = window.__cttrace?.summary(); return s && (s.ready || s.error) ? s : null; })()');

  async function clickFirst(context: string, name: string): Promise<void> {
    const rect = await firefox.evaluate<{ x: number; y: number; width: number; height: number }>(context, `window.__cttrace.spanRect(window.__cttrace.findSpans(${JSON.stringify(name)})[0])`);
    await firefox.click(context, rect.x + Math.min(rect.width / 2, 4), rect.y + rect.height / 2);
  }

  const text = (context: string, selector: string) => firefox.evaluate<string | null>(context, `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);

  it('draws the trace and shows a clone with both pids and its flags explained; asks for nothing outside the page', async () => {
    const output = join(work, 'unshare.html');
    exportHtml(FILTERED, output);
    const context = await firefox.open(`file://${output}`);
    const s = await ready(context);
    expect(s.error).toBeNull();
    expect(s.lanes.map((lane) => lane.label)).toEqual(UNSHARE_TRACE_LANES.map((label) => expect.stringMatching(label)));
    expect(s.phases).toEqual(['runtime start', 'namespaces', 'rootfs', 'exec', 'running', 'teardown']);
    expect(await firefox.evaluate<boolean>(context, 'window.__cttrace.summary().timings.wasm')).toBe(true);
    await clickFirst(context, 'clone');
    await firefox.waitFor(context, `document.querySelector('[data-testid="details-heading"]')?.textContent === 'clone'`);
    const initTid = s.lanes[1]!.tid;
    expect(await text(context, '[data-testid="details"] tr[data-label="the same pid on the host"] td')).toBe(String(initTid));
    expect(await text(context, '[data-testid="details"] tr[data-label="child’s pid chain (host → its own)"] td')).toBe(`${initTid} → 1`);
    expect(await text(context, '[data-testid="details-explanations"]')).toContain('SIGCHLD');
    expect(firefox.requests.filter((url) => !/^(file|blob|data):/.test(url))).toEqual([]);
    expect(firefox.errors).toEqual([]);
  });

  it('diff --html: both viewers draw their trace in their frames', async () => {
    const output = join(work, 'compare.html');
    expect(runCli(['diff', '--html', join(repoRoot, 'traces', 'busybox-runc.cttrace'), join(repoRoot, 'traces', 'busybox-ctrun.cttrace'), '-o', output]).status).toBe(1);
    const context = await firefox.open(`file://${output}`);
    await firefox.waitFor(context, "document.querySelectorAll('iframe').length === 2");
    let frames: string[] = [];
    for (let tries = 0; frames.length < 2 && tries < 100; tries++) frames = await firefox.frames(context);
    const firsts = await Promise.all(frames.map(async (frame) => (await ready(frame)).lanes[0]!.label));
    expect(firsts).toEqual([expect.stringMatching(/ runc$/), expect.stringMatching(/ ctrun:\[0:MAIN\]$/)]);
    expect(firefox.errors).toEqual([]);
  });

  it('runs nothing from a hostile trace', async () => {
    const { header, records } = await readTraceFile(FILTERED);
    const output = join(work, 'hostile.html');
    exportHtml(writeHostileTrace(work, header, records), output);
    const context = await firefox.open(`file://${output}`);
    expect((await ready(context)).error).toBeNull();
    await clickFirst(context, 'execve');
    await firefox.waitFor(context, `document.querySelector('[data-testid="details-summary"]')?.textContent.includes('<img src=x')`);
    expect(await text(context, '[data-testid="process-tree"]')).toContain(HOSTILE_IMG);
    expect(await firefox.evaluate(context, 'window.__pwned ?? null')).toBeNull();
    expect(await firefox.evaluate(context, "document.querySelectorAll('body img, body i').length")).toBe(0);
    expect(firefox.errors).toEqual([]);
  });
});
