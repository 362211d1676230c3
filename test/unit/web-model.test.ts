// The viewer's model, without a browser: records → lanes, segments, arrows, namespaces, phases,
// the namespace table, level of detail, filters, and the trace reading path the worker uses.
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../../tracer/trace/file-reader.js';
import type { ProcessRecord, SyscallRecord, TraceHeader, TraceRecord } from '../../tracer/trace/records.js';
import { explainFlag, explainSyscall } from '../../web/src/explanations.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import { readTraceBytes, readTraceText, TraceTextDecoder } from '../../web/src/load/trace-text.js';
import { TraceOpenError } from '../../web/src/load/trace-limits.js';
import { emptyScan, scanSyscallLine } from '../../web/src/load/syscall-line-scanner.js';
import { describeLane, describeOther, describeSyscall } from '../../web/src/model/describe-event.js';
import { FAMILIES, familyIndex } from '../../web/src/model/family-index.js';
import { searchMask, spanFilter, NO_FILTER } from '../../web/src/model/filters.js';
import { formatArg, formatCount, formatDuration } from '../../web/src/model/format.js';
import { buildLaneIndex, spanNear } from '../../web/src/model/lane-index.js';
import { visitLane } from '../../web/src/model/level-of-detail.js';
import { modelFromRecords, TraceModelBuilder } from '../../web/src/model/model-builder.js';
import type { TraceModel } from '../../web/src/model/model-types.js';
import { RecordIngest } from '../../web/src/model/record-ingest.js';

const FILTERED = 'traces/unshare-namespaces.cttrace';
const ALL = 'traces/unshare-namespaces-all.cttrace';

async function modelOf(path: string): Promise<{ model: TraceModel; records: TraceRecord[]; header: TraceHeader }> {
  const { header, records } = await readTraceFile(path);
  return { model: modelFromRecords(header, records), records, header };
}

const laneOf = (model: TraceModel, tid: number) => model.lanes.find((lane) => lane.tid === tid)!;

describe('the model of a real trace (unshare --fork --pid --mount ...)', async () => {
  const { model, records, header } = await modelOf(FILTERED);
  const processes = records.filter((r): r is ProcessRecord => r.type === 'process');
  const unsharer = processes[0]!.pid;
  const init = processes.find((p) => p.nspid.length === 2 && p.nspid[1] === 1)!.pid;

  it('has one lane per task, in process-tree order, labelled host pid / ns pid  comm', () => {
    const labels = model.rows.map((ordinal) => model.lanes[ordinal]!.label);
    expect(labels).toEqual([`${unsharer} / ${unsharer}  unshare`, `${init} / 1  sh`, expect.stringMatching(/^\d+ \/ 2  sh$/), expect.stringMatching(/^\d+ \/ 3  hostname$/)]);
    expect(model.rows.map((ordinal) => model.lanes[ordinal]!.depth)).toEqual([0, 1, 2, 2]);
    expect(laneOf(model, init).parent).toBe(laneOf(model, unsharer).ordinal);
  });

  it('splits a task at execve into segments', () => {
    expect(laneOf(model, unsharer).segments.map((s) => s.comm)).toEqual(['node', 'unshare']);
    const sh = laneOf(model, init).segments;
    expect(sh.map((s) => s.comm)).toEqual(['unshare', 'sh']);
    expect(sh[1]!.filename).toBe('/usr/bin/sh');
    expect(sh[1]!.argv?.[0]).toBe('sh');
    expect(sh[0]!.end).toBe(sh[1]!.start);
  });

  it('draws clone and vfork arrows parent → child', () => {
    const calls = model.arrows.map((arrow) => [model.lanes[arrow.fromLane]!.tid, model.lanes[arrow.toLane]!.tid, arrow.call]);
    expect(calls).toEqual([
      [unsharer, init, 'clone'],
      [init, expect.any(Number), 'vfork'],
      [init, expect.any(Number), 'vfork'],
    ]);
    for (const arrow of model.arrows) expect(arrow.seq).not.toBeNull();
  });

  it('makes namespaces objects: created by unshare, the pid one entered by the first child only', () => {
    const made = model.namespaces.filter((ns) => !ns.isHost);
    expect(made.map((ns) => ns.kind).sort()).toEqual(['ipc', 'mnt', 'net', 'pid', 'uts']);
    for (const ns of made) {
      expect(ns.createdBy?.call, ns.kind).toBe('unshare');
      expect(model.lanes[ns.createdBy!.lane]!.tid).toBe(unsharer);
      expect(ns.inode).not.toBe(header.host.ns[ns.kind]);
    }
    const pid = made.find((ns) => ns.kind === 'pid')!;
    expect(pid.members.map((lane) => model.lanes[lane]!.tid)).not.toContain(unsharer);
    expect(pid.processCount).toBe(3);
    expect(pid.end).toBe(laneOf(model, init).exit!.t);
    const mnt = made.find((ns) => ns.kind === 'mnt')!;
    expect(mnt.processCount).toBe(4);
    const hostPid = model.namespaces.find((ns) => ns.isHost && ns.kind === 'pid')!;
    expect(hostPid.members.map((lane) => model.lanes[lane]!.tid)).toEqual([unsharer]);
  });

  it('tabulates processes × namespace kinds beside the host', () => {
    const table = model.namespaceTable;
    expect(table.kinds).toEqual(['mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time']);
    expect(table.host).toEqual(table.kinds.map((kind) => header.host.ns[kind]));
    expect(table.rows).toHaveLength(4);
    const initRow = table.rows.find((row) => row.lane === laneOf(model, init).ordinal)!;
    const pidColumn = table.kinds.indexOf('pid');
    expect(initRow.inodes[pidColumn]).not.toBe(table.host[pidColumn]);
    expect(table.shares.get(`pid:${initRow.inodes[pidColumn]}`)).toBe(3);
    expect(table.shares.get(`user:${header.host.ns.user}`)).toBe(4);
  });

  it('finds the phases and milestones', () => {
    expect(model.phases.map((phase) => phase.name)).toEqual(['runtime start', 'namespaces', 'rootfs', 'exec', 'running', 'teardown']);
    for (let i = 1; i < model.phases.length; i++) expect(model.phases[i]!.start).toBe(model.phases[i - 1]!.end);
    expect(model.phases.at(-1)!.end).toBe(model.end);
    expect(model.milestones.filter((m) => m.kind === 'execve').map((m) => m.label)).toContain('execve /usr/bin/hostname');
    expect(model.complete).toBe(true);
  });

  it('holds every syscall as a span', () => {
    expect(model.columns.count).toBe(records.filter((r) => r.type === 'syscall').length);
    const families = new Set(records.flatMap((r) => (r.type === 'syscall' ? [r.family] : [])));
    expect(families).toEqual(expect.objectContaining(new Set(['exec', 'namespaces', 'process', 'mounts'])));
    expect(new Set(Array.from(model.columns.family.subarray(0, model.columns.count), (f) => FAMILIES[f]))).toEqual(families);
  });

  it('describes the clone with both pids, the flags and what they mean', () => {
    const arrow = model.arrows[0]!;
    const clone = records.filter((r) => r.type !== 'end')[arrow.seq!] as SyscallRecord;
    expect(clone.name).toBe('clone');
    const details = describeSyscall(model, clone, arrow.fromLane);
    const rows = Object.fromEntries(details.sections.flatMap((section) => section.rows.map((row) => [row.label, row.value])));
    expect(rows['the same pid on the host']).toBe(String(init));
    expect(rows['child’s pid chain (host → its own)']).toBe(`${init} → 1`);
    expect(rows.flags).toContain('SIGCHLD');
    expect(details.explanations.map((e) => e.term)).toEqual(expect.arrayContaining(['clone', 'SIGCHLD', 'CLONE_CHILD_SETTID']));
    const laneDetails = describeLane(model, laneOf(model, init));
    expect(laneDetails.explanations[0]!.text).toMatch(/pid 1/);
  });
});

describe('a signal in the details panel', () => {
  it("shows si_code by name beside its number, and who sent it", () => {
    const signal: TraceRecord = { type: 'signal', t: 50, pid: 7, signal: 'SIGCHLD', signo: 17, code: 1, codeName: 'CLD_EXITED', sender: { pid: 8, uid: 0 }, stop: false };
    const model = modelFromRecords(HEADER, [process_(0, 7, 1, 'sh', {}), signal]);
    const details = describeOther(model, signal as Exclude<TraceRecord, SyscallRecord>, laneOf(model, 7).ordinal);
    const rows = Object.fromEntries(details.sections.flatMap((section) => section.rows.map((row) => [row.label, row.value])));
    expect(rows.si_code).toBe('CLD_EXITED (1)');
    expect(rows.sender).toMatch(/^pid 8 /);
  });
});

describe('the --all trace', async () => {
  const { model, records } = await modelOf(ALL);
  it('has the same tree, more spans, and the same namespaces', () => {
    expect(model.rows.map((ordinal) => model.lanes[ordinal]!.depth)).toEqual([0, 1, 2, 2]);
    expect(model.columns.count).toBe(records.filter((r) => r.type === 'syscall').length);
    expect(model.columns.count).toBeGreaterThan(250);
    expect(model.namespaces.filter((ns) => !ns.isHost)).toHaveLength(5);
  });
});

// ---- synthetic records ----

const HOST_NS = { cgroup: 1, ipc: 2, mnt: 3, net: 4, pid: 5, pid_for_children: 5, time: 6, time_for_children: 6, user: 7, uts: 8 };
const HEADER: TraceHeader = {
  format: 'cttrace', version: 1, cttrace: 'test', created: '2026-01-01T00:00:00Z', kernel: '6.1', arch: 'x86_64',
  command: ['ctrun', 'run', 'demo'], image: null, runtime: 'ctrun',
  filter: { mode: 'all', expression: 'all', caveats: [] },
  host: { pid: 1, ns: HOST_NS },
};

function process_(t: number, pid: number, ppid: number, comm: string, ns: Partial<typeof HOST_NS>, options: { nspid?: number[]; tgid?: number; reason?: ProcessRecord['reason'] } = {}): ProcessRecord {
  return { type: 'process', t, pid, tgid: options.tgid ?? pid, ppid, nspid: options.nspid ?? [pid], comm, ns: { ...HOST_NS, ...ns }, uid: 0, gid: 0, reason: options.reason ?? 'new' };
}

function syscall(t: number, pid: number, name: string, family: SyscallRecord['family'], args: SyscallRecord['args'] = {}, ret = 0, extra: Partial<SyscallRecord> = {}): SyscallRecord {
  return { type: 'syscall', t, pid, name, nr: 0, args, ret, err: ret < 0 ? 'ENOENT' : null, dur: 1000, raw: [], family, ...extra };
}

/** A runtime (100) makes cgroups, clone3's its init (101 / 1) into new namespaces, which mounts, pivots and execs. */
function containerRecords(): TraceRecord[] {
  const NEW = { mnt: 30, pid: 50, pid_for_children: 50, net: 40, uts: 80, ipc: 20 };
  return [
    process_(0, 100, 1, 'ctrun', {}),
    syscall(10_000, 100, 'openat', 'files', { pathname: '/bundle/config.json' }, 3),
    syscall(20_000, 100, 'mkdir', 'cgroups', { pathname: '/sys/fs/cgroup/demo' }),
    syscall(30_000, 100, 'write', 'cgroups', { fd: 3, buf: '100' }, 3),
    process_(41_000, 101, 100, 'ctrun', NEW, { nspid: [101, 1] }),
    syscall(40_000, 100, 'clone3', 'namespaces', { args: { flags: ['CLONE_NEWNS', 'CLONE_NEWPID', 'CLONE_NEWNET', 'CLONE_NEWUTS', 'CLONE_NEWIPC'] } }, 101, {
      retPid: { host: 101, ns: 101 }, childNspid: [101, 1],
    }),
    syscall(50_000, 101, 'mount', 'mounts', { source: null, target: '/', mountflags: ['MS_REC', 'MS_PRIVATE'] }),
    syscall(52_000, 101, 'mount', 'mounts', { source: 'proc', target: '/rootfs/proc' }),
    syscall(60_000, 101, 'pivot_root', 'mounts', { new_root: '.', put_old: '.' }),
    syscall(61_000, 101, 'umount2', 'mounts', { target: '.', flags: ['MNT_DETACH'] }),
    syscall(70_000, 101, 'execve', 'exec', { filename: '/bin/true', argv: ['true'] }, -2),
    syscall(72_000, 101, 'execve', 'exec', { filename: '/usr/bin/true', argv: ['true'] }),
    { type: 'exec', t: 72_500, pid: 101, formerPid: 101, comm: 'true' },
    process_(72_500, 101, 100, 'true', NEW, { nspid: [101, 1], reason: 'exec' }),
    syscall(80_000, 101, 'exit_group', 'process', { status: 0 }, 0, { ret: null, unfinished: true }),
    { type: 'exit', t: 90_000, pid: 101, code: 0 },
    syscall(95_000, 100, 'rmdir', 'cgroups', { pathname: '/sys/fs/cgroup/demo' }),
    { type: 'exit', t: 99_000, pid: 100, code: 0 },
    { type: 'end', t: 100_000, reason: 'done', status: 0 },
  ];
}

describe('a synthetic container start', () => {
  const model = modelFromRecords(HEADER, containerRecords());

  it('goes through every phase of container creation, in order', () => {
    expect(model.phases.map((phase) => [phase.name, phase.start])).toEqual([
      ['runtime start', 0],
      ['cgroup', 20_000],
      ['namespaces', 40_000],
      ['rootfs', 50_000],
      ['pivot_root', 60_000],
      ['exec', 70_000],
      ['running', 73_000],
      ['teardown', 90_000],
    ]);
    expect(model.milestones.map((m) => m.kind)).toEqual(['pivot_root', 'execve']);
  });

  it('credits the namespaces to clone3 and ends them with their last member', () => {
    const made = model.namespaces.filter((ns) => !ns.isHost);
    expect(made.map((ns) => [ns.kind, ns.createdBy?.call, ns.start, ns.end])).toEqual(
      expect.arrayContaining([['pid', 'clone3', 40_000, 90_000], ['mnt', 'clone3', 40_000, 90_000]]),
    );
  });

  it('shows the child as two pids and the exec as a new segment', () => {
    const child = laneOf(model, 101);
    expect(child.label).toBe('101 / 1  true');
    expect(child.segments.map((s) => s.comm)).toEqual(['ctrun', 'true']);
    expect(child.exit?.code).toBe(0);
  });

  it('a phase-less trace: nothing made, no phases', () => {
    const plain = modelFromRecords(HEADER, [process_(0, 7, 1, 'ls', {}), syscall(10, 7, 'openat', 'files'), { type: 'exit', t: 20, pid: 7, code: 0 }]);
    expect(plain.phases).toEqual([]);
    expect(plain.namespaces.every((ns) => ns.isHost)).toBe(true);
  });
});

describe('tasks, threads and odd orders', () => {
  it('puts threads under their leader and ends a thread that exec’d as the leader', () => {
    const model = modelFromRecords(HEADER, [
      process_(0, 10, 1, 'app', {}),
      process_(5, 11, 10, 'app', {}, { tgid: 10 }),
      syscall(4, 10, 'clone', 'process', { flags: ['CLONE_VM', 'CLONE_THREAD', 'CLONE_SIGHAND'] }, 11, { retPid: { host: 11, ns: 11 }, childNspid: [11] }),
      syscall(20, 11, 'execve', 'exec', { filename: '/bin/sh', argv: ['sh'] }),
      { type: 'exec', t: 30, pid: 10, formerPid: 11, comm: 'sh' },
      { type: 'exit', t: 50, pid: 10, code: 0 },
    ]);
    const thread = laneOf(model, 11);
    expect(thread.isThread).toBe(true);
    expect(thread.parent).toBe(laneOf(model, 10).ordinal);
    expect(thread.end).toBe(30);
    expect(model.arrows[0]!.thread).toBe(true);
    expect(laneOf(model, 10).segments.map((s) => s.comm)).toEqual(['app', 'sh']);
  });

  it('gives a reused pid a new lane, and a task never announced one of its own', () => {
    const model = modelFromRecords(HEADER, [
      process_(0, 20, 1, 'a', {}),
      { type: 'exit', t: 10, pid: 20, code: 0 },
      process_(20, 20, 1, 'b', {}),
      syscall(25, 20, 'close', 'files', { fd: 3 }),
      syscall(30, 99, 'close', 'files', { fd: 4 }),
    ]);
    expect(model.lanes.map((lane) => [lane.tid, lane.comm])).toEqual([[20, 'a'], [20, 'b'], [99, '']]);
    expect(model.lanes[1]!.spanCount).toBe(1);
  });

  it('sorts a lane whose spans arrived out of order', () => {
    const model = modelFromRecords(HEADER, [process_(0, 5, 1, 'x', {}), syscall(300, 5, 'c', 'other'), syscall(100, 5, 'a', 'other'), syscall(200, 5, 'b', 'other')]);
    const [lane] = buildLaneIndex(model.columns, model.lanes.length);
    expect(Array.from(lane!.ids, (id) => model.columns.nameOf(id))).toEqual(['a', 'b', 'c']);
  });

  it('builds the same model from batches as from one pass (live mode)', () => {
    const records = containerRecords();
    const ingest = new RecordIngest();
    const builder = new TraceModelBuilder(HEADER);
    records.forEach((record, seq) => {
      ingest.add(record, seq);
      if (seq % 3 === 0) {
        const batch = ingest.take();
        if (batch) builder.addBatch(batch);
        builder.build();
      }
    });
    const last = ingest.take();
    if (last) builder.addBatch(last);
    const live = builder.build();
    const once = modelFromRecords(HEADER, records);
    expect(live.rows).toEqual(once.rows);
    expect(live.phases).toEqual(once.phases);
    expect(live.namespaces).toEqual(once.namespaces);
    expect(live.columns.count).toBe(once.columns.count);
  });
});

describe('level of detail and filters', () => {
  /** one lane of n 100 ns spans every 1 µs, families cycling, every 10th failing */
  function denseModel(n: number) {
    const ingest = new RecordIngest();
    ingest.add(process_(0, 1, 0, 'busy', {}), 0);
    for (let i = 0; i < n; i++) {
      ingest.add({ ...syscall(i * 1000, 1, i % 2 ? 'read' : 'openat', FAMILIES[i % 3 === 0 ? 5 : 7]!, {}, i % 10 === 0 ? -2 : 0), dur: 100 }, i + 1);
    }
    const builder = new TraceModelBuilder(HEADER);
    builder.addBatch(ingest.take()!);
    return builder.build();
  }

  it('merges spans below a pixel into one bucket per pixel column, and draws wide ones one by one', () => {
    const model = denseModel(10_000);
    const [lane] = buildLaneIndex(model.columns, 1);
    let spans = 0;
    let buckets = 0;
    let covered = 0;
    let failed = 0;
    visitLane(lane!, 0, 10_000_000, 10_000_000 / 1000, {
      span: () => { spans++; covered++; },
      bucket: (from, to, _s, _e, family, failedCount) => {
        buckets++;
        covered += to - from;
        failed += failedCount;
        expect(family).toBe(familyIndex('other'));
      },
    });
    expect(covered).toBe(10_000);
    expect(spans + buckets).toBeLessThanOrEqual(1001);
    expect(failed).toBe(1000);
    spans = 0;
    visitLane(lane!, 0, 10_000, 10, { span: () => spans++, bucket: () => expect.unreachable() });
    expect(spans).toBe(11);
  });

  it('finds the span under the pointer', () => {
    const model = denseModel(100);
    const [lane] = buildLaneIndex(model.columns, 1);
    expect(spanNear(lane!, 5_050, 0)).toBe(5);
    expect(spanNear(lane!, 5_500, 100)).toBe(-1);
    expect(spanNear(lane!, 5_500, 450)).toBe(5);
  });

  it('filters by name, family, failure and search matches', () => {
    const model = denseModel(100);
    const count = (filter: typeof NO_FILTER) => {
      const [lane] = buildLaneIndex(model.columns, 1, spanFilter(model.columns, filter));
      return lane!.count;
    };
    expect(spanFilter(model.columns, NO_FILTER)).toBeUndefined();
    expect(count({ ...NO_FILTER, names: new Set(['read']) })).toBe(50);
    expect(count({ ...NO_FILTER, failedOnly: true })).toBe(10);
    expect(count({ ...NO_FILTER, hiddenFamilies: new Set([familyIndex('files')]) })).toBe(66);
    expect(count({ ...NO_FILTER, matches: searchMask(model.columns, [1, 2, 3, 500]) })).toBe(3);
  });

  it('holds a million spans in typed arrays and indexes them quickly', () => {
    const started = performance.now();
    const model = denseModel(1_000_000);
    const index = buildLaneIndex(model.columns, 1);
    expect(index[0]!.count).toBe(1_000_000);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe('reading trace text (the worker path)', () => {
  const lines = (text: string) => text.split('\n');
  const sessionOf = () => {
    const batches: number[] = [];
    let header: TraceHeader | null = null;
    const session = new TraceReader('t.cttrace', { header: (h) => (header = h), batch: (b) => batches.push(b.spans.count) });
    return { session, batches, header: () => header };
  };

  it('reads a real .cttrace stream through the WebAssembly inflater', async () => {
    const { session, batches, header } = sessionOf();
    await readTraceText('f', Readable.toWeb(createReadStream(FILTERED)) as ReadableStream<Uint8Array>, (text) => session.acceptText(text));
    session.finish();
    const { records } = await readTraceFile(FILTERED);
    expect(header()?.format).toBe('cttrace');
    expect(session.recordCount).toBe(records.length);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(records.filter((r) => r.type === 'syscall').length);
    records.forEach((record, seq) => expect(session.recordAt(seq)).toEqual(record));
    expect(session.search('clone_newpid').length).toBe(1);
  });

  it('reads the bytes the loader transfers, a character cut between chunks made whole', async () => {
    const comm = 'café→runc 🐳';
    const line = JSON.stringify({ type: 'process', t: 0, pid: 7, tgid: 7, ppid: 1, nspid: [7], comm, ns: {}, reason: 'new' });
    const gz = gzipSync(`${JSON.stringify(HEADER)}\n${line}\n`);
    const chunks: Uint8Array[] = [];
    // the bytes given are a view on the inflater's window, good until the callback returns
    await readTraceBytes('u.cttrace', new Blob([gz]).stream() as ReadableStream<Uint8Array>, (bytes) => chunks.push(bytes.slice()));
    const whole = Buffer.concat(chunks);
    // one byte at a time: every multi-byte character is cut somewhere
    const { session } = sessionOf();
    const decoder = new TraceTextDecoder();
    for (const byte of whole) session.acceptText(decoder.decode(Uint8Array.of(byte)));
    session.acceptText(decoder.end());
    session.finish();
    expect(session.recordCount).toBe(1);
    expect((session.recordAt(0) as ProcessRecord).comm).toBe(comm);
    // a character cut at the very end of the stream is not lost silently
    const cut = new TraceTextDecoder();
    expect(cut.decode(new TextEncoder().encode('ok 🐳').subarray(0, 5))).toBe('ok ');
    expect(cut.end()).toBe('\ufffd');
  });

  it('refuses what is not a trace, with the reason', async () => {
    const refuse = async (bytes: Uint8Array) => {
      const { session } = sessionOf();
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>;
      try {
        await readTraceText('x.cttrace', stream, (text) => session.acceptText(text));
        session.finish();
      } catch (error) {
        expect(error).toBeInstanceOf(TraceOpenError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(await refuse(new TextEncoder().encode('hello'))).toMatch(/not gzip data/);
    expect(await refuse(gzipSync('{"a":1}\n'))).toMatch(/first line is not a cttrace header/);
    expect(await refuse(gzipSync('not json\n'))).toMatch(/first line is not JSON/);
    expect(await refuse(gzipSync(`${JSON.stringify({ ...HEADER, version: 2 })}\n`))).toMatch(/version 2 trace, newer than this viewer/);
    expect(await refuse(gzipSync(''))).toMatch(/empty/);
    expect(await refuse(gzipSync(`${JSON.stringify(HEADER)}\n{broken\n`))).toMatch(/line 2 is not JSON/);
    const whole = readFileSync(FILTERED);
    expect(await refuse(whole.subarray(0, whole.length - 40))).toMatch(/truncated or corrupt/);
  });

  it('reads syscall lines without JSON.parse exactly as JSON.parse would, and declines odd ones', async () => {
    const out = emptyScan();
    const fields = (line: string) => ({ t: out.numbers[0], pid: out.numbers[1], name: line.slice(out.nameStart, out.nameEnd), family: line.slice(out.familyStart, out.familyEnd), dur: out.numbers[2], failed: out.failed, unfinished: out.unfinished });
    let scanned = 0;
    for (const path of [FILTERED, ALL]) {
      const { records } = await readTraceFile(path);
      for (const record of records) {
        if (record.type !== 'syscall') continue;
        const line = `xx${JSON.stringify(record)}yy`;
        expect(scanSyscallLine(line, 2, line.length - 2, out), line).toBe(true);
        expect(fields(line)).toEqual({ t: record.t, pid: record.pid, name: record.name, family: record.family, dur: record.dur, failed: record.err !== null || (record.ret ?? 0) < 0, unfinished: record.unfinished === true });
        scanned++;
      }
    }
    expect(scanned).toBeGreaterThan(300);
    const odd = [
      '{"t":1,"type":"syscall","pid":1,"name":"x","nr":0,"args":{},"ret":0,"err":null,"dur":1,"raw":[],"family":"files"}',
      '{"type":"syscall","t":1.5,"pid":1,"name":"x","nr":0,"args":{},"ret":0,"err":null,"dur":1,"raw":[],"family":"files"}',
      '{"type":"syscall","t":1,"pid":1,"name":"x\\u0041","nr":0,"args":{},"ret":0,"err":null,"dur":1,"raw":[],"family":"files"}',
      '{"type":"syscall","t":1,"pid":1,"name":"x","nr":0,"args":{},"err":null,"ret":0,"dur":1,"raw":[],"family":"files"}',
      '{"type":"syscall","t":1,"pid":1,"name":"x","nr":0,"args":{},"ret":0,"err":null,"dur":1,"raw":[]}',
    ];
    for (const line of odd) expect(scanSyscallLine(line, 0, line.length, out), line).toBe(false);
    const tricky = '{"type":"syscall","t":5,"pid":9,"name":"openat","nr":257,"args":{"pathname":"a},\\"ret\\":7","how":{"flags":["O_PATH"]}},"ret":-2,"err":"ENOENT","dur":3,"raw":["0x1"],"family":"files","unfinished":true}';
    expect(JSON.parse(tricky).args.pathname).toContain('"ret"');
    expect(scanSyscallLine(tricky, 0, tricky.length, out)).toBe(true);
    expect(fields(tricky)).toMatchObject({ t: 5, pid: 9, dur: 3, failed: true, unfinished: true, family: 'files', name: 'openat' });
  });

  it('accepts a minor version newer than its own', () => {
    const { session } = sessionOf();
    session.acceptLines(lines(`${JSON.stringify({ ...HEADER, version: 1.4 })}\n`));
    expect(session.hasHeader).toBe(true);
  });
});

describe('explanations and text', () => {
  it('explains every namespace flag, and why pivot_root and not chroot', () => {
    for (const flag of ['CLONE_NEWNS', 'CLONE_NEWPID', 'CLONE_NEWNET', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWUSER', 'CLONE_NEWCGROUP', 'CLONE_NEWTIME']) {
      expect(explainFlag(flag), flag).toBeTruthy();
    }
    expect(explainFlag('CLONE_NEWPID')).toMatch(/pid 1/);
    expect(explainSyscall('pivot_root')).toMatch(/chroot/);
    expect(explainFlag('constructor')).toBeNull();
    expect(explainSyscall('__proto__')).toBeNull();
  });

  it('formats values as text, quoting strings from the trace', () => {
    expect(formatArg('<img src=x onerror="alert(1)">')).toBe('"<img src=x onerror=\\"alert(1)\\">"');
    expect(formatArg(['CLONE_NEWNS', 'SIGCHLD'])).toBe('CLONE_NEWNS|SIGCHLD');
    expect(formatArg({ host: 11430, ns: 2 })).toBe('2 in its namespace, 11430 on the host');
    expect(formatArg(null)).toBe('NULL');
    // bytes that were not UTF-8 keep every byte, escaped as strace escapes them
    expect(formatArg({ hex: '61ff0a00' })).toBe('"a\\377\\n\\0"');
    expect(formatDuration(737_030)).toBe('737 µs');
    expect(formatDuration(3_901_356)).toBe('3.90 ms');
    for (const count of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 10_000_102, -4321, 2 ** 40]) expect(formatCount(count)).toBe(count.toLocaleString('en'));
  });
});

describe('lane names follow what the task called itself', () => {
  it.each([
    ['traces/busybox-ctrun.cttrace', 'ctrun:[0:MAIN]'],
    ['traces/busybox-runc.cttrace', 'runc:[1:CHILD]'],
  ])('%s: a task renamed by prctl(PR_SET_NAME) is labelled %s, as the terminal lines name it', async (path, name) => {
    const { model, records } = await modelOf(path);
    const renamer = records.find((r): r is SyscallRecord => r.type === 'syscall' && r.name === 'prctl' && r.args.arg2 === name && r.ret === 0)!;
    const lane = model.lanes.filter((candidate) => candidate.tid === renamer.pid && candidate.start <= renamer.t).at(-1)!;
    expect(lane.segments.some((segment) => segment.comm === name)).toBe(true);
    // the exec after a rename starts a segment with the new program's name
    for (const segment of lane.segments.slice(1)) expect(segment.comm).not.toBe('');
  });
});
