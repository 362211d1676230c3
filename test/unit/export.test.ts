// `cttrace export`: a recorded runc trace as Chrome Trace Event JSON, the format Perfetto's UI
// and chrome://tracing read: every syscall a slice at its own time, tasks named with their
// in-namespace pid, an arrow from each call that made a task to that task, the phases on a
// track of their own; and the CLI's refusals.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROME_TRACE_END, chromeTraceEvents, chromeTracePreamble, type ChromeTraceEvent } from '../../tracer/export/chrome-trace.js';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import type { SyscallRecord } from '../../tracer/trace/records.js';
import { writeSyntheticTrace } from '../../tracer/bench/viewer-synthetic-trace.js';
import { cliPath, repoRoot, runCli, withTempDir, withTempDirAsync } from '../helpers/cli.js';

const RUNC = join(repoRoot, 'traces', 'busybox-runc.cttrace');

describe('Chrome Trace Event JSON', async () => {
  const { header, records } = await readTraceFile(RUNC);
  const events = [...chromeTraceEvents(records, header)];
  const syscalls = records.filter((record): record is SyscallRecord => record.type === 'syscall');

  it('is one JSON object with the events and the header', () => {
    const text = chromeTracePreamble(header) + events.map((event) => JSON.stringify(event)).join(',\n') + CHROME_TRACE_END;
    const parsed = JSON.parse(text) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string; otherData: Record<string, string> };
    expect(parsed.traceEvents).toHaveLength(events.length);
    expect(parsed.otherData.runtime).toBe('runc');
    expect(parsed.displayTimeUnit).toBe('ns');
  });

  it('makes every syscall a slice at its time, on its thread, in its process', () => {
    const slices = events.filter((event) => event.ph === 'X' && event.cat !== 'phase');
    expect(slices).toHaveLength(syscalls.length);
    const groupOf = new Map(records.flatMap((record) => (record.type === 'process' ? [[record.pid, record.tgid] as const] : [])));
    slices.forEach((slice, index) => {
      const call = syscalls[index]!;
      expect(slice.name).toBe(call.name);
      expect(slice.ts).toBeCloseTo(call.t / 1000, 6);
      expect(slice.dur).toBeCloseTo(call.dur / 1000, 6);
      expect(slice.tid).toBe(call.pid);
      expect(slice.pid).toBe(groupOf.get(call.pid) ?? call.pid);
      expect(slice.args?.ret).toBe(call.ret);
    });
  });

  it("names each task by its names and its pid inside: runc's stages, then sh, pid 1 in the container", () => {
    const names = events.filter((event) => event.name === 'process_name').map((event) => String(event.args?.name));
    expect(names.filter((name) => /^runc:\[1:CHILD\] → runc:\[2:INIT\] → sh\b.* \(ns pid 1\)$/.test(name))).toHaveLength(1);
    expect(names[0]).toBe('runc'); // not node: the name cttrace's own child had before it exec'd runc
    expect(names.some((name) => name.startsWith('container start-up phases'))).toBe(true);
    // every process with a slice has a name
    const named = new Set(events.filter((event) => event.name === 'process_name').map((event) => event.pid));
    for (const slice of events.filter((event) => event.ph === 'X')) expect(named.has(slice.pid), `pid ${slice.pid}`).toBe(true);
  });

  it('draws an arrow from each call that made a task to the first call of that task', () => {
    const starts = events.filter((event) => event.ph === 's');
    const ends = new Map(events.filter((event) => event.ph === 'f').map((event) => [event.id, event]));
    expect(starts.length).toBeGreaterThan(3);
    expect(ends.size).toBe(starts.length);
    for (const start of starts) {
      const end = ends.get(start.id)!;
      const maker = syscalls.find((call) => call.pid === start.tid && call.t <= start.ts! * 1000 && start.ts! * 1000 <= call.t + call.dur)!;
      expect(['fork', 'vfork', 'clone', 'clone3']).toContain(maker.name);
      expect(end.tid).toBe(maker.retPid!.host);
      const firstCall = syscalls.find((call) => call.pid === end.tid)!;
      expect(end.ts).toBeCloseTo(firstCall.t / 1000, 6);
    }
  });

  it('puts the phases of container creation on their own track', () => {
    const phases = events.filter((event) => event.cat === 'phase').map((event) => event.name);
    expect(phases).toEqual(expect.arrayContaining(['namespaces', 'pivot_root', 'exec']));
  });
});

describe('cttrace export', () => {
  it('writes FILE.json next to the trace, or where -o says', () => {
    withTempDir((dir) => {
      const out = join(dir, 'runc.json');
      const result = runCli(['export', RUNC, '-o', out]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/events written to .*runc\.json/);
      const parsed = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: unknown[] };
      expect(parsed.traceEvents.length).toBeGreaterThan(100);
    });
  });

  it('-o - writes to stdout, and stops quietly when its reader goes away (| head)', async () => {
    const whole = runCli(['export', RUNC, '-o', '-']);
    expect(whole.status, whole.stderr).toBe(0);
    expect((JSON.parse(whole.stdout) as { traceEvents: unknown[] }).traceEvents.length).toBeGreaterThan(100);
    // a reader that takes the first bytes and leaves, as head does, from an export far larger
    // than a pipe holds
    await withTempDirAsync(async (dir) => {
      const big = join(dir, 'big.cttrace');
      await writeSyntheticTrace(big, 20_000);
      const child = spawn(process.execPath, [cliPath, 'export', big, '-o', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise((resolve) => child.stdout.once('data', resolve));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    });
  });

  it('refuses what is not a trace, and an unknown format, with one line', () => {
    withTempDir((dir) => {
      const notTrace = runCli(['export', '/etc/passwd', '-o', join(dir, 'x.json')]);
      expect(notTrace.status).not.toBe(0);
      expect(notTrace.stderr.trim().split('\n')).toHaveLength(1);
      expect(notTrace.stderr).toMatch(/not a cttrace trace/);
      const format = runCli(['export', RUNC, '--format', 'svg', '-o', join(dir, 'y.json')]);
      expect(format.status).not.toBe(0);
      expect(format.stderr.trim()).toMatch(/^cttrace: unknown export format "svg": use --format chrome or html \(or --html\)$/);
    });
  });
});
