// The viewer's containers: the model (no browser) lists each container of a trace with its lanes
// and its own phases, and leaves a collapsed container's lanes out of the timeline; in Debian's
// chromium, the page made by export --html lists the three containers of a synthetic containerd
// trace, collapsing one takes its lanes out of the timeline, opening it puts them back, and its
// id fits the timeline to it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTraceFile } from '../tracer/trace/file-writer.js';
import { deriveContainers, OUTSIDE_KEY, shownModel } from '../web/src/model/containers.js';
import { modelFromRecords } from '../web/src/model/model-builder.js';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import { repoRoot, runCli } from './helpers/cli.js';
import { containerdWithShims, SYNTHETIC_HEADER } from './helpers/container-trace.js';
import { CHROMIUM, CHROMIUM_ARGS, summary, waitReady, watchPage } from './helpers/viewer-page.js';

const IDS = ['aaaa1111', 'aaaa2222', 'bbbb3333'].map((id) => id.padEnd(64, '0'));
const PHASES = ['runtime start', 'cgroup', 'namespaces', 'rootfs', 'pivot_root', 'exec', 'running', 'teardown'];

describe('the viewer model of containers', () => {
  const model = modelFromRecords(SYNTHETIC_HEADER, containerdWithShims(IDS).list);

  it('lists each container with its lanes and its own phases, then the lanes in none', () => {
    const groups = deriveContainers(model);
    expect(groups.map((group) => [group.key, group.label, group.runtime])).toEqual([
      [IDS[0], 'aaaa11110000', 'runc'],
      [IDS[1], 'aaaa22220000', 'runc'],
      [IDS[2], 'bbbb33330000', 'runc'],
      [OUTSIDE_KEY, 'in no container', null],
    ]);
    const tids = (lanes: readonly number[]) => lanes.map((ordinal) => model.lanes[ordinal]!.tid).sort((a, b) => a - b);
    expect(tids(groups[1]!.lanes)).toEqual([200, 201, 202, 203, 210]);
    expect(tids(groups[3]!.lanes)).toEqual([50, 51]);
    for (const group of groups.slice(0, 3)) {
      expect(group.phases.map((phase) => phase.name)).toEqual(PHASES);
      expect(group.phases[0]!.start).toBe(group.start);
    }
    expect(groups[0]!.end).toBeLessThan(groups[1]!.start);
  });

  it('shows the phases of every container in the band, and leaves a collapsed one out of the rows', () => {
    const groups = deriveContainers(model);
    const all = shownModel(model, groups, new Set());
    expect(all.rows).toEqual(model.rows);
    expect(all.phases.map((phase) => phase.name)).toEqual([...PHASES, ...PHASES, ...PHASES]);
    const shown = shownModel(model, groups, new Set([IDS[1]!]));
    expect(shown.rows).toHaveLength(model.rows.length - 5);
    expect(shown.rows.map((ordinal) => shown.lanes[ordinal]!.row)).toEqual(shown.rows.map((_, row) => row));
    for (const ordinal of groups[1]!.lanes) expect(shown.lanes[ordinal]!.row).toBe(-1);
    expect(shown.arrows.some((arrow) => groups[1]!.lanes.includes(arrow.toLane))).toBe(false);
    expect(model.rows).toHaveLength(17); // the model itself is left as it was
  });

  it('finds the one container of a recorded trace, and none in a trace without', async () => {
    const docker = await readTraceFile('traces/docker-containerd.cttrace');
    const groups = deriveContainers(modelFromRecords(docker.header, docker.records));
    expect(groups.map((group) => group.label)).toEqual(['69a6099b562d', 'in no container']);
    expect(groups[0]!.phases.map((phase) => phase.name)).toEqual(PHASES);
    const noContainer = modelFromRecords(SYNTHETIC_HEADER, [{ type: 'process', t: 0, pid: 5, tgid: 5, ppid: 1, nspid: [5], comm: 'true', ns: {}, reason: 'new' }]);
    expect(deriveContainers(noContainer)).toEqual([]);
  });
});

const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (the setup installs Debian's chromium)`;

describe.skipIf(skip !== null)('the containers panel in chromium', () => {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), mode: 'standalone', logLevel: 'warn' });
    work = mkdtempSync(join(tmpdir(), 'cttrace-containers-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const laneTids = async (page: Page) => (await summary(page)).lanes.map((lane) => lane.tid);

  it('lists the containers; collapsing one takes its lanes out of the timeline, opening puts them back', async () => {
    const trace = join(work, 'three.cttrace');
    writeFileSync(trace, encodeTraceFile(SYNTHETIC_HEADER, containerdWithShims(IDS).list));
    const html = join(work, 'three.html');
    const exported = runCli(['export', '--html', trace, '-o', html]);
    expect(exported.status, exported.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    const { errors } = watchPage(page);
    await page.goto(`file://${html}`);
    await waitReady(page);

    const panel = page.getByTestId('containers');
    await expect.poll(() => panel.getByTestId('container-name').allInnerTexts()).toEqual(['aaaa11110000', 'aaaa22220000', 'bbbb33330000', 'in no container']);
    expect(await page.locator('#containers-section > summary').innerText()).toBe('Containers (3)');
    expect(await panel.getByTestId('container').nth(1).innerText()).toMatch(/runc · sh -c echo 201 · start-up [\d.]+ µs\n5 lanes$/);
    const before = await laneTids(page);
    expect(before).toHaveLength(17);
    expect((await summary(page)).phases).toEqual([...PHASES, ...PHASES, ...PHASES]);

    // the first's lane list, opened, lists its lanes and stays open while the panel changes
    await panel.getByTestId('container-lanes').first().click();
    await expect.poll(() => panel.getByTestId('container').first().locator('.container-lanes li').count()).toBe(5);
    // collapse the second: its five lanes leave the timeline (and its lane list the panel)
    await panel.getByTestId('container-toggle').nth(1).click();
    await expect.poll(() => laneTids(page)).toEqual(before.filter((tid) => ![200, 201, 202, 203, 210].includes(tid)));
    expect(await panel.getByTestId('container-toggle').nth(1).getAttribute('aria-expanded')).toBe('false');
    expect(await panel.getByTestId('container').nth(1).getByTestId('container-lanes').count()).toBe(0);
    expect(await panel.locator('.container-lanes').first().evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    // and the processes in no container too
    await panel.getByTestId('container-toggle').nth(3).click();
    await expect.poll(async () => (await laneTids(page)).length).toBe(17 - 5 - 2);
    // open both again
    await panel.getByTestId('container-toggle').nth(1).click();
    await panel.getByTestId('container-toggle').nth(3).click();
    await expect.poll(() => laneTids(page)).toEqual(before);

    // the third's id fits the timeline to its life
    await panel.getByTestId('container-name').nth(2).click();
    const window = (await summary(page)).window;
    const model = modelFromRecords(SYNTHETIC_HEADER, containerdWithShims(IDS).list);
    const third = deriveContainers(model)[2]!;
    expect(window[0]).toBeCloseTo(third.start, -1);
    expect(window[1]).toBeCloseTo(third.end, -1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
