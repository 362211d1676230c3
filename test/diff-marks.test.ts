// `cttrace diff --html` in Debian's chromium: each of the two viewers marks on its timeline the
// calls the diff found only in its trace or changed (as many as `diff --json` counts), drawn in
// the difference colour over the span; a diff of a trace with itself marks nothing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/cli.js';
import { CHROMIUM, CHROMIUM_ARGS, waitReady, watchPage } from './helpers/viewer-page.js';

const RUNC = join(repoRoot, 'traces', 'busybox-runc.cttrace');
const CTRUN = join(repoRoot, 'traces', 'busybox-ctrun.cttrace');
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (the setup installs Debian's chromium)`;

interface Hooks {
  markedSpans(): number[];
  spanRect(span: number): { x: number; y: number; width: number; height: number } | null;
}

describe.skipIf(skip !== null)('diff --html marks the differences on each timeline', () => {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), mode: 'standalone', logLevel: 'warn' });
    work = mkdtempSync(join(tmpdir(), 'cttrace-marks-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function openCompare(a: string, b: string, name: string): Promise<{ page: Page; viewers: Frame[]; errors: string[] }> {
    const output = join(work, name);
    const result = runCli(['diff', '--html', a, b, '-o', output]);
    expect(result.stderr).toMatch(/written: the two start-ups side by side/);
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const { errors } = watchPage(page);
    await page.goto(`file://${output}`);
    const viewers = () => page.frames().filter((frame) => frame.url() === 'about:srcdoc');
    await expect.poll(() => viewers().length).toBe(2);
    for (const frame of viewers()) await waitReady(frame);
    return { page, viewers: viewers(), errors };
  }

  const marked = (frame: Frame) => frame.evaluate(() => (window as unknown as { __cttrace: Hooks }).__cttrace.markedSpans());

  /** The colour drawn at the middle of the mark's triangle above a span, as [r, g, b]. */
  const markPixel = (frame: Frame, span: number) =>
    frame.evaluate((id) => {
      const hooks = (window as unknown as { __cttrace: Hooks }).__cttrace;
      const rect = hooks.spanRect(id)!;
      const canvas = document.getElementById('lanes-canvas') as HTMLCanvasElement;
      const box = canvas.getBoundingClientRect();
      const scale = canvas.width / box.width;
      const x = (rect.x + rect.width / 2 - box.left) * scale;
      const y = (rect.y - 5 - box.top) * scale; // SPAN_TOP is 7: the triangle fills the 6 px above the span
      const data = canvas.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data;
      return { rgb: [data[0]!, data[1]!, data[2]!], inside: y > 0 && y < canvas.height };
    }, span);

  it('marks in each viewer the calls only in it or changed, as many as diff --json counts, in the mark colour', async () => {
    const json = JSON.parse(runCli(['diff', '--json', RUNC, CTRUN]).stdout) as { roles: { counts: { onlyA: number; onlyB: number; changed: number } }[] };
    const count = (side: 'onlyA' | 'onlyB') => json.roles.reduce((sum, role) => sum + role.counts[side] + role.counts.changed, 0);
    const { page, viewers, errors } = await openCompare(RUNC, CTRUN, 'runc-vs-ctrun.html');
    expect(await page.locator('header .mark').innerText()).toBe('▼');
    const [a, b] = viewers;
    await expect.poll(async () => (await marked(a!)).length).toBe(count('onlyA'));
    await expect.poll(async () => (await marked(b!)).length).toBe(count('onlyB'));
    expect(count('onlyA')).toBeGreaterThan(0);
    // the first marked span whose mark is in view is drawn in the difference colour (#e0249a)
    let checked = 0;
    for (const frame of [a!, b!]) {
      for (const span of await marked(frame)) {
        const { rgb, inside } = await markPixel(frame, span);
        if (!inside) continue;
        expect(rgb).toEqual([0xe0, 0x24, 0x9a]);
        checked++;
        break;
      }
    }
    expect(checked).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('marks nothing when a trace is compared with itself', async () => {
    const { page, viewers, errors } = await openCompare(RUNC, RUNC, 'runc-vs-runc.html');
    // wait until the viewer has answered the page (the marks message, empty, has come)
    await page.waitForTimeout(300);
    for (const frame of viewers) expect(await marked(frame)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
