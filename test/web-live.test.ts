// The live view under a steady stream: `cttrace attach --all --web` to a daemon making 2,000
// syscalls a second (test/programs/syscall-rate.c), the printed URL open in chromium. The page is
// paused while records keep coming (they are held, none shown), then resumed: at the end it holds
// every record of the trace file the same run wrote, no more, no fewer. (The bench runs the same
// at 20,000 a second for 60 s: tracer/bench/viewer-live.ts.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../tracer/trace/file-reader.js';
import { cliPath, isRoot, repoRoot } from './helpers/cli.js';
import { CHROMIUM, CHROMIUM_ARGS, summary, watchPage } from './helpers/viewer-page.js';

const cliBuilt = existsSync(join(repoRoot, 'dist', 'tracer', 'cli', 'main.js'));
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing` : !isRoot ? 'attach needs root' : !cliBuilt ? 'the CLI is not built' : null;
if (skip) console.warn(`web-live: skipped: ${skip}`);

describe.skipIf(skip !== null)('live view of a busy daemon', () => {
  let work: string;
  let context: BrowserContext;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn' });
    work = mkdtempSync(join(tmpdir(), 'cttrace-web-live-'));
    const built = spawnSync('gcc', ['-O1', '-Wall', '-Werror', '-o', join(work, 'syscall-rate'), join(repoRoot, 'test', 'programs', 'syscall-rate.c')], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    context = await chromium.launchPersistentContext(join(work, 'chromium'), { executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 }, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await context?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds records while paused and shows every one of them after resume', async () => {
    const daemon = spawn(join(work, 'syscall-rate'), ['2000', '60'], { stdio: 'ignore' });
    started.push(daemon);
    const traceFile = join(work, 'live.cttrace');
    const tracer = spawn(process.execPath, [cliPath, 'attach', '-q', '--all', '--web', '--duration', '5', '-o', traceFile, String(daemon.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.push(tracer);
    let stderr = '';
    tracer.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(stderr), { timeout: 20_000 }).toBe(true);
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await page.goto(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(stderr)![0]);

    await expect.poll(async () => (await summary(page)).records, { timeout: 10_000 }).toBeGreaterThan(500);
    await page.getByTestId('live-pause').click();
    await expect.poll(async () => (await summary(page)).live.paused).toBe(true);
    const atPause = (await summary(page)).records;
    await expect.poll(async () => (await summary(page)).live.held, { timeout: 5_000 }).toBeGreaterThan(1000);
    const whilePaused = await summary(page);
    expect(whilePaused.records).toBe(atPause);
    await expect.poll(() => page.getByTestId('live-status').innerText()).toMatch(/paused, [\d,]+ held/);

    await page.getByTestId('live-pause').click();
    await expect.poll(async () => (await summary(page)).live.paused).toBe(false);
    expect((await summary(page)).records).toBeGreaterThanOrEqual(atPause + whilePaused.live.held);
    await expect.poll(() => stderr.includes('the trace is complete'), { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await summary(page)).complete, { timeout: 10_000 }).toBe(true);
    tracer.kill('SIGINT');
    expect(await new Promise((resolve) => (tracer.exitCode !== null ? resolve(tracer.exitCode) : tracer.once('exit', resolve)))).toBe(0);
    daemon.kill('SIGKILL');

    const { records } = await readTraceFile(traceFile);
    const shown = await summary(page);
    expect(shown.records).toBe(records.length);
    expect(shown.spans).toBe(records.filter((record) => record.type === 'syscall').length);
    // the daemon's calls at its rate (2,000 a second, plus a nanosleep a millisecond) for 5 s
    expect(shown.spans).toBeGreaterThan(8000);
    expect(shown.live.held).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
