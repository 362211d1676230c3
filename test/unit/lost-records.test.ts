// The `lost` record (events the eBPF backend had no room for in its ring buffer), from the engine's
// bytes to every reader: the protocol parser, the decoder (and the end record's total), the schema,
// strace's note-line form, and the viewer's model and gap band. The root test that makes a real
// ring overflow and checks the counts add up is in test/ebpf.test.ts.
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../tracer/decode/decoder.js';
import { lostLine } from '../../tracer/format/terminal.js';
import * as L from '../../tracer/protocol/layout.js';
import { RawRecordSplitter } from '../../tracer/protocol/raw-reader.js';
import type { RawRecord } from '../../tracer/protocol/raw-records.js';
import type { LostRecord, TraceHeader, TraceRecord } from '../../tracer/trace/records.js';
import { recordProblem, completeHeader } from '../../tracer/trace/schema/trace-schema.js';
import { modelFromRecords } from '../../web/src/model/model-builder.js';
import { drawLostGaps } from '../../web/src/view/render-lost.js';
import type { Scene } from '../../web/src/view/scene.js';
import { Viewport } from '../../web/src/view/viewport.js';

const START = 1_000_000_000n;

/** A LOST record as native/event.h lays it out: struct ct_lost, then one ct_lost_cpu per CPU. */
function lostBytes(time: bigint, since: bigint, total: bigint, cpus: readonly [number, bigint][]): Buffer {
  const length = L.HEADER_SIZE + L.Lost.size + cpus.length * L.LostCpu.size;
  const bytes = Buffer.alloc(length);
  bytes.writeUInt32LE(length, L.Header.length);
  bytes.writeUInt16LE(L.RecordType.lost, L.Header.type);
  bytes.writeBigUInt64LE(time, L.Header.time);
  const p = L.HEADER_SIZE;
  const count = cpus.reduce((n, [, c]) => n + c, 0n);
  bytes.writeBigUInt64LE(count, p + L.Lost.count);
  bytes.writeBigUInt64LE(total, p + L.Lost.total);
  bytes.writeBigUInt64LE(since, p + L.Lost.sinceNs);
  bytes.writeUInt32LE(cpus.length, p + L.Lost.cpuCount);
  cpus.forEach(([cpu, n], i) => {
    bytes.writeUInt32LE(cpu, p + L.Lost.size + i * L.LostCpu.size + L.LostCpu.cpu);
    bytes.writeBigUInt64LE(n, p + L.Lost.size + i * L.LostCpu.size + L.LostCpu.count);
  });
  return bytes;
}

function decodeLost(chunks: readonly Buffer[]): TraceRecord[] {
  const decoder = new Decoder();
  decoder.decode({ type: 'hello', protocolVersion: L.PROTOCOL_VERSION, sessionFlags: 8, startNs: Number(START), realtimeStartNs: 0, kernelRelease: '6.1.0', machine: 'x86_64' });
  const raws: RawRecord[] = [];
  const splitter = new RawRecordSplitter();
  for (const chunk of chunks) splitter.push(chunk, (raw) => raws.push(raw));
  raws.push({ type: 'end', time: Number(START) + 9_000_000, reason: 'done', mainStatus: 0 });
  return raws.map((raw) => decoder.decode(raw)).filter((r): r is TraceRecord => r !== null);
}

describe('lost records', () => {
  const records = decodeLost([
    lostBytes(START + 2_000_000n, START + 1_000_000n, 7n, [[0, 5n], [1, 2n]]),
    lostBytes(START + 5_000_000n, START + 4_000_000n, 10n, [[1, 3n]]),
  ]);
  const lost = records.filter((r): r is LostRecord => r.type === 'lost');

  it('are decoded from the engine bytes with their window, counts by CPU and running total; the end record sums them', () => {
    expect(lost).toEqual([
      { type: 'lost', t: 2_000_000, since: 1_000_000, count: 7, total: 7, cpus: [{ cpu: 0, count: 5 }, { cpu: 1, count: 2 }] },
      { type: 'lost', t: 5_000_000, since: 4_000_000, count: 3, total: 10, cpus: [{ cpu: 1, count: 3 }] },
    ]);
    expect(records.at(-1)).toEqual({ type: 'end', t: 9_000_000, reason: 'done', status: 0, lost: 10 });
  });

  it('an end with nothing lost says nothing of it (the field is absent)', () => {
    expect(decodeLost([]).at(-1)).toEqual({ type: 'end', t: 9_000_000, reason: 'done', status: 0 });
  });

  it('are in the trace schema: complete ones pass, a broken one is refused by name', () => {
    for (const record of records) expect(recordProblem(record)).toBeNull();
    expect(recordProblem({ type: 'lost', t: 1, since: 0, total: 3, cpus: [] })).toMatch(/count/);
    expect(recordProblem({ ...lost[0], cpus: [{ cpu: 0 }] })).toMatch(/cpus\[0\]\.count/);
    expect(recordProblem({ type: 'end', t: 1, reason: 'done', status: 0, lost: -1 })).toMatch(/lost/);
  });

  it('print as a note line, as strace prints its own', () => {
    expect(lostLine(lost[0]!)).toBe('cttrace: lost 7 events between 0.001000 and 0.002000 s (the eBPF ring buffer was full; by CPU: cpu0:5 cpu1:2; 7 in all)');
  });

  it('are gaps in the viewer model, drawn as a band from `since` to `t` over every lane', () => {
    const header: TraceHeader = completeHeader({ format: 'cttrace', version: 1 });
    const process: TraceRecord = { type: 'process', t: 0, pid: 10, tgid: 10, ppid: 1, nspid: [10], comm: 'sh', ns: {}, reason: 'new' };
    const call: TraceRecord = { type: 'syscall', t: 6_000_000, pid: 10, name: 'getppid', nr: 110, args: {}, ret: 1, err: null, dur: 1000, raw: [], family: 'other' };
    const model = modelFromRecords(header, [process, ...records.slice(0, -1), call, records.at(-1)!]);
    expect(model.lost).toEqual(lost);
    expect(model.lanes).toHaveLength(1); // a lost record is no process
    const viewport = new Viewport();
    Object.assign(viewport, { t0: 0, t1: 10_000_000, width: 1200 });
    const rects: number[][] = [];
    const labels: string[] = [];
    const ctx = {
      fillRect: (...box: number[]) => rects.push(box),
      fillText: (text: string) => labels.push(text),
      measureText: () => ({ width: 1000 }), // wider than the plot: the second label has no room
      fillStyle: '',
      font: '',
      textBaseline: '',
    } as unknown as CanvasRenderingContext2D;
    const scene = { model, viewport } as unknown as Scene;
    expect(drawLostGaps(ctx, scene, 100, false)).toBe(2);
    const x = viewport.scale();
    expect(rects[0]).toEqual([x(1_000_000), 0, x(2_000_000) - x(1_000_000), 100]);
    // labelled in the top band, where there is room: the second label would overlap the first
    expect(drawLostGaps(ctx, scene, 40, true)).toBe(2);
    expect(labels).toEqual(['lost 7 events (eBPF ring buffer full)']);
    // outside the window: not drawn
    Object.assign(viewport, { t0: 6_000_000, t1: 8_000_000 });
    expect(drawLostGaps(ctx, scene, 100, false)).toBe(0);
  });
});
