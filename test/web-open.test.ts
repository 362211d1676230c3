// Opening traces in chromium (playwright-core): a header with only format and version opens and
// the info line says what it does not tell; a trace whose text the loader keeps on disk (OPFS,
// the path of a large trace, forced here with ?spill=0) shows the same events, details and search
// matches as one kept in memory.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticTrace } from '../tracer/bench/viewer-synthetic-trace.js';
import { startLiveServer, type LiveServer } from '../tracer/live/live-server.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import { CHROMIUM, CHROMIUM_ARGS, summary, UNSHARE_TRACE_LANES, waitReady, watchPage } from './helpers/viewer-page.js';

const ROOT = join(import.meta.dirname, '..');
const STATIC = join(ROOT, 'web', 'dist');
const FILTERED = join(ROOT, 'traces', 'unshare-namespaces.cttrace');
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (the setup installs Debian's chromium)`;
if (skip) console.warn(`web-open: skipped: ${skip}`);

describe.skipIf(skip !== null)('opening traces in chromium', () => {
  let context: BrowserContext;
  let profile: string;
  let work: string;
  const servers: LiveServer[] = [];

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
    profile = mkdtempSync(join(tmpdir(), 'cttrace-chromium-'));
    work = mkdtempSync(join(tmpdir(), 'cttrace-web-open-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1500, height: 900 }, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    for (const server of servers) await server.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** served false: the URL without `served`, as a page that reads the trace itself; servedTextLimit: the server's hold */
  async function open(traceFile: string, extra = '', how: { served?: boolean; servedTextLimit?: number } = {}): Promise<{ page: Page; errors: string[] }> {
    const server = await startLiveServer({ header: null, staticDir: STATIC, traceFile, servedTextLimit: how.servedTextLimit });
    servers.push(server);
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await page.goto(`${how.served === false ? server.url.replace('&served=1', '') : server.url}${extra}`);
    await waitReady(page);
    return { page, errors };
  }

  it('opens a trace whose header has only format and version, and says what the header does not tell', async () => {
    const { records } = await readTraceFile(FILTERED);
    const file = join(work, 'bare-header.cttrace');
    writeFileSync(file, gzipSync([{ format: 'cttrace', version: 1 }, ...records].map((line) => JSON.stringify(line)).join('\n') + '\n'));
    const { page, errors } = await open(file);
    const s = await summary(page);
    expect(s.error).toBeNull();
    expect(s.lanes.map((lane) => lane.label)).toEqual(UNSHARE_TRACE_LANES.map((pattern) => expect.stringMatching(pattern)));
    expect(s.records).toBe(records.length);
    const title = await page.getByTestId('trace-title').innerText();
    expect(title).toMatch(/^bare-header\.cttrace · [\d,]+ records · /);
    expect(title).toContain('the header does not say: command, cttrace, created, kernel, arch, image, runtime, filter, host');
    expect(title).not.toContain('filtered (');
    expect(errors).toEqual([]);
    await page.close();
  });

  const timing = (page: Page, key: 'served' | 'wasm') => page.evaluate((name) => (window as unknown as { __cttrace: { summary(): { timings: Record<string, unknown> } } }).__cttrace.summary().timings[name], key);
  const onDisk = (page: Page) => page.evaluate(() => (window as unknown as { __cttrace: { summary(): { timings: { textOnDisk?: boolean } } } }).__cttrace.summary().timings.textOnDisk);

  /**
   * What the viewer shows of a trace: counts, lanes, and for each query the number of matching
   * spans and the details of the first match (selected with Enter, read whole from the loader).
   */
  async function shown(page: Page, queries: readonly string[]): Promise<unknown> {
    const s = await summary(page);
    const search = page.getByTestId('search');
    const found: unknown[] = [];
    for (const query of queries) {
      await search.fill('');
      await expect.poll(async () => (await summary(page)).shownSpans).toBe(s.spans);
      await search.blur();
      await page.keyboard.press('Escape');
      await page.getByTestId('details-empty').waitFor();
      await search.fill(query);
      await expect.poll(async () => (await summary(page)).shownSpans).toBeLessThan(s.spans);
      await search.press('Enter');
      await page.getByTestId('details-heading').waitFor();
      const after = await summary(page);
      found.push({ query, matched: after.shownSpans, selection: after.selection, details: await page.getByTestId('details').innerText() });
    }
    return { records: s.records, spans: s.spans, lanes: s.lanes, phases: s.phases, namespaces: s.namespaces, found };
  }

  it('shows the same events, details and search matches read by the page (text in memory or on disk) as read by the server', async () => {
    const synthetic = join(work, 'synthetic.cttrace');
    await writeSyntheticTrace(synthetic, 30_000);
    for (const [file, names] of [[FILTERED, ['clone', 'unshare', 'wait4']], [synthetic, ['file-420', 'pivot_root', '"fd":5']]] as const) {
      // the page reads the trace itself (not cttrace view's server)
      const memory = await open(file, '', { served: false });
      expect((await onDisk(memory.page))).toBe(false);
      expect(await timing(memory.page, 'served')).toBe(false);
      // the served viewer's CSP lets the loader compile its WebAssembly line scanner
      expect(await timing(memory.page, 'wasm')).toBe(true);
      const inMemory = await shown(memory.page, names);
      const disk = await open(file, '&spill=0', { served: false });
      expect(await onDisk(disk.page)).toBe(true);
      expect(await shown(disk.page, names)).toEqual(inMemory);
      // cttrace view's server reads it, the page fetches the model and asks the server for records and matches
      const served = await open(file);
      expect(await timing(served.page, 'served')).toBe(true);
      expect(await shown(served.page, names)).toEqual(inMemory);
      // the server too big to hold it: the page reads it itself
      const fallback = await open(file, '', { servedTextLimit: 1024 });
      expect(await timing(fallback.page, 'served')).toBe(false);
      expect(await shown(fallback.page, names)).toEqual(inMemory);
      expect([...memory.errors, ...disk.errors, ...served.errors, ...fallback.errors]).toEqual([]);
      for (const opened of [memory, disk, served, fallback]) await opened.page.close();
    }
  }, 120_000);
});
