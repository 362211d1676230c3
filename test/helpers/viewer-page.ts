// Driving the web viewer in a page as a user would, and reading what it holds through the
// read-only window.__cttrace hooks: shared by the served viewer's tests and the exported page's.
import type { Frame, Page } from 'playwright-core';
import type { TraceHeader, TraceRecord } from '../../tracer/trace/records.js';

export type ViewerSummary = {
  ready: boolean;
  error: string | null;
  records: number;
  spans: number;
  shownSpans: number;
  complete: boolean;
  lanes: { label: string; depth: number; tid: number; nsPid: number; segments: string[] }[];
  phases: string[];
  arrows: number;
  selection: { kind: string; span?: number; lane?: number } | null;
  window: [number, number];
  live: { active: boolean; paused: boolean; held: number; state: string; follow: boolean };
  replay: { playing: boolean; playhead: number | null };
};

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** Collects a page's script errors (console errors, uncaught exceptions, dialogs: none should
 *  happen) and every request it makes. */
export function watchPage(page: Page): { errors: string[]; requests: string[] } {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { errors, requests };
}

export const summary = (page: Page) => page.evaluate(() => (window as unknown as { __cttrace: { summary(): ViewerSummary } }).__cttrace.summary());

export const waitReady = (page: Page | Frame) =>
  page.waitForFunction(() => {
    const s = (window as unknown as { __cttrace?: { summary(): ViewerSummary } }).__cttrace?.summary();
    return s && (s.ready || s.error);
  }, null, { timeout: 30_000 });

export async function clickSpan(page: Page, span: number): Promise<void> {
  const rect = await page.evaluate((id) => (window as unknown as { __cttrace: { spanRect(id: number): { x: number; y: number; width: number; height: number } } }).__cttrace.spanRect(id), span);
  await page.mouse.click(rect.x + Math.min(rect.width / 2, 4), rect.y + rect.height / 2);
}

export const findSpans = (page: Page, name: string) => page.evaluate((n) => (window as unknown as { __cttrace: { findSpans(n: string): number[] } }).__cttrace.findSpans(n), name);

/** The lanes of traces/unshare-namespaces.cttrace, in tree order: `host pid / ns pid  comm`. */
export const UNSHARE_TRACE_LANES = [/^(\d+) \/ \1  unshare$/, /^\d+ \/ 1  sh$/, /^\d+ \/ 2  sh$/, /^\d+ \/ 3  hostname$/];

export const HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">';
export const HOSTILE_SCRIPT = '<script>window.__pwned=2</script>';

/** A trace whose every string a viewer shows is markup that would run if it were read as HTML. */
export function hostileTrace(header: TraceHeader, records: readonly TraceRecord[]): unknown[] {
  const hostileHeader = { ...header, command: [HOSTILE_IMG, HOSTILE_SCRIPT], kernel: HOSTILE_IMG };
  const hostile = records.map((record) => {
    if (record.type === 'process' || record.type === 'exec') return { ...record, comm: HOSTILE_IMG };
    if (record.type === 'syscall' && record.name === 'execve') return { ...record, args: { ...record.args, filename: HOSTILE_SCRIPT, argv: [HOSTILE_IMG, HOSTILE_SCRIPT] } };
    if (record.type === 'syscall' && record.name === 'mount') return { ...record, name: HOSTILE_IMG, args: { source: HOSTILE_SCRIPT, mountflags: [HOSTILE_IMG] } };
    return record;
  });
  return [hostileHeader, ...hostile];
}

/** Click the hostile trace's execve and its renamed mount, search for the markup: all of it shown as text, none of it run. */
export async function checkHostileShownAsText(page: Page): Promise<void> {
  for (const name of ['execve', HOSTILE_IMG]) {
    const [span] = await findSpans(page, name);
    await clickSpan(page, span!);
    await page.waitForFunction((text) => document.querySelector('[data-testid="details-summary"]')?.textContent?.includes(text), '<img src=x');
  }
  await page.getByTestId('search').fill('onerror');
  await page.getByTestId('search').press('Enter');
  await page.waitForTimeout(300);
  if (!(await page.getByTestId('details').innerText()).includes(HOSTILE_SCRIPT)) throw new Error('the details do not show the script as text');
  if (!(await page.getByTestId('process-tree').innerText()).includes(HOSTILE_IMG)) throw new Error('the process tree does not show the markup as text');
}
