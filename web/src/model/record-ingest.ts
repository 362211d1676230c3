// Turns trace records, one at a time, into batches: syscall spans by column, and the few records
// the model derives its structure from (processes, execs, exits, signals, clone/unshare/setns/
// execve/pivot_root...). Runs in the loader worker; pure, so vitest runs it too.
import type { SyscallRecord, TraceRecord } from '../../../tracer/trace/records.js';
import { codeAt, FAMILIES, familyIndex, familyIndexAt } from './family-index.js';
import { SPAN_FAILED, SPAN_UNFINISHED, SpanBatchBuilder, type SpanBatch } from './span-columns.js';
import { DUR, PID, T, type ScannedSyscall } from '../load/syscall-line-scanner.js';
import { E_DUR, E_FAMILY_END, E_FAMILY_START, E_FLAGS, E_NAME_END, E_NAME_HASH, E_NAME_START, E_PID, E_T, FLAG_FAILED, FLAG_UNFINISHED } from '../load/line-scan-entry.js';

const NAMESPACES = FAMILIES.indexOf('namespaces');

/** A record the model keeps whole, with where it sits: its lane and (for a syscall) its span id. */
export interface KeptRecord {
  readonly seq: number;
  readonly lane: number;
  /** span id for a syscall, -1 otherwise */
  readonly span: number;
  readonly record: TraceRecord;
}

export interface NewLane {
  readonly ordinal: number;
  readonly tid: number;
}

export interface IngestBatch {
  readonly spans: SpanBatch;
  /** syscall names first seen in this batch, in id order */
  readonly names: readonly string[];
  readonly lanes: readonly NewLane[];
  readonly kept: readonly KeptRecord[];
}

/** Syscalls the model needs whole: the structure of the process tree, namespaces and milestones. */
const KEPT_SYSCALLS = new Set([
  'clone', 'clone3', 'fork', 'vfork', 'unshare', 'setns', 'execve', 'execveat', 'pivot_root', 'chroot',
  'seccomp', // a filter load: what may have refused the task's later calls
  'prctl', // PR_SET_NAME names the runtime's stages (runc:[1:CHILD]): the lanes follow it; few a task
]);

export function isKeptSyscall(record: SyscallRecord): boolean {
  return isKeptName(record.name, record.family);
}

export function isKeptName(name: string, family: string): boolean {
  return KEPT_SYSCALLS.has(name) || family === 'namespaces';
}

export class RecordIngest {
  private spans = new SpanBatchBuilder();
  private kept: KeptRecord[] = [];
  private newNames: string[] = [];
  private newLanes: NewLane[] = [];
  private readonly nameIds = new Map<string, number>();
  private readonly names: string[] = [];
  /** by name id: the model needs these syscalls whole */
  private readonly keptName: boolean[] = [];
  private readonly nameByHash = new Map<number, number>();
  /** the current lane of each tid, and whether that task has exited */
  private readonly laneOfTid = new Map<number, { ordinal: number; exited: boolean }>();
  private laneCount = 0;
  private spanCount = 0;
  /** how many spans the whole trace is expected to hold (0: unknown) */
  private expected = 0;

  get totalSpans(): number {
    return this.spanCount;
  }

  /**
   * A syscall read without JSON.parse (its name and family still in `text`): added as a span and
   * true, or false when the model needs the record whole (see isKeptName): parse it and add() it.
   */
  addScanned(text: string, scan: ScannedSyscall, seq: number): boolean {
    const family = familyIndexAt(text, scan.familyStart, scan.familyEnd);
    const name = this.nameIdAt(text, scan.nameStart, scan.nameEnd, scan.nameHash);
    if (family === NAMESPACES || this.keptName[name]) return false;
    const numbers = scan.numbers;
    const lane = this.currentLane(numbers[PID]!);
    this.spanCount++;
    this.spans.push(numbers[T]!, Math.max(0, numbers[DUR]!), lane, name, family, (scan.failed ? SPAN_FAILED : 0) | (scan.unfinished ? SPAN_UNFINISHED : 0), seq);
    return true;
  }

  /**
   * addScanned for a line the WebAssembly scanner read: its fields in entry `entry` of `numbers`
   * and `words` (line-scan-entry.ts), its name and family in `bytes`, which are ASCII.
   */
  addScannedBytes(bytes: Uint8Array, numbers: Float64Array, words: Uint32Array, entry: number, seq: number): boolean {
    const w = entry * 14;
    const family = familyIndexAt(bytes, words[w + E_FAMILY_START]!, words[w + E_FAMILY_END]!);
    const name = this.nameIdAt(bytes, words[w + E_NAME_START]!, words[w + E_NAME_END]!, words[w + E_NAME_HASH]!);
    if (family === NAMESPACES || this.keptName[name]) return false;
    const n = entry * 7;
    const lane = this.currentLane(numbers[n + E_PID]!);
    const flags = words[w + E_FLAGS]!;
    this.spanCount++;
    this.spans.push(numbers[n + E_T]!, Math.max(0, numbers[n + E_DUR]!), lane, name, family, (flags & FLAG_FAILED ? SPAN_FAILED : 0) | (flags & FLAG_UNFINISHED ? SPAN_UNFINISHED : 0), seq);
    return true;
  }

  add(record: TraceRecord, seq: number): void {
    switch (record.type) {
      case 'syscall': {
        const lane = this.currentLane(record.pid);
        const span = this.spanCount++;
        const flags = (record.err !== null || (record.ret !== null && Number(record.ret) < 0) ? SPAN_FAILED : 0) | (record.unfinished ? SPAN_UNFINISHED : 0);
        this.spans.push(record.t, Math.max(0, record.dur), lane, this.nameId(record.name), familyIndex(record.family), flags, seq);
        if (isKeptSyscall(record)) this.kept.push({ seq, lane, span, record });
        return;
      }
      case 'process': {
        const known = this.laneOfTid.get(record.pid);
        const lane = record.reason === 'new' && (!known || known.exited) ? this.newLane(record.pid) : this.currentLane(record.pid);
        this.kept.push({ seq, lane, span: -1, record });
        return;
      }
      case 'exec': {
        if (record.formerPid !== record.pid) {
          // a non-leader thread exec'd: it carries on as the leader's tid, its own tid is gone
          const former = this.laneOfTid.get(record.formerPid);
          if (former) former.exited = true;
        }
        this.kept.push({ seq, lane: this.currentLane(record.pid), span: -1, record });
        return;
      }
      case 'exit': {
        const lane = this.currentLane(record.pid);
        this.laneOfTid.get(record.pid)!.exited = true;
        this.kept.push({ seq, lane, span: -1, record });
        return;
      }
      case 'signal':
      case 'error':
        this.kept.push({ seq, lane: this.currentLane(record.pid), span: -1, record });
        return;
      case 'end':
      case 'lost':
        this.kept.push({ seq, lane: -1, span: -1, record });
        return;
      default: {
        // a record type from a newer minor version: nothing to draw, still searchable by seq
        return;
      }
    }
  }

  /**
   * The trace is expected to hold about this many records in all: the next batch makes room for
   * the rest at once, instead of doubling (each doubling a copy, into memory never written before).
   */
  expect(records: number): void {
    // an estimate that creeps up makes room again only past a twentieth: not a copy each time
    if (records <= this.expected * 1.05) return;
    this.expected = records;
    this.spans.reserve(this.spans.count + records - this.spanCount);
  }

  /** Records added since the last call, or null if none. */
  take(): IngestBatch | null {
    if (this.spans.count === 0 && this.kept.length === 0 && this.newLanes.length === 0) return null;
    const batch: IngestBatch = { spans: this.spans.finish(), names: this.newNames, lanes: this.newLanes, kept: this.kept };
    this.spans = new SpanBatchBuilder(Math.max(4096, this.expected - this.spanCount));
    this.kept = [];
    this.newNames = [];
    this.newLanes = [];
    return batch;
  }

  get pending(): number {
    return this.spans.count + this.kept.length;
  }

  private currentLane(tid: number): number {
    const known = this.laneOfTid.get(tid);
    return known ? known.ordinal : this.newLane(tid);
  }

  private newLane(tid: number): number {
    const ordinal = this.laneCount++;
    this.laneOfTid.set(tid, { ordinal, exited: false });
    this.newLanes.push({ ordinal, tid });
    return ordinal;
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.nameIds.set(name, id);
      this.names.push(name);
      this.keptName.push(KEPT_SYSCALLS.has(name));
      this.newNames.push(name);
    }
    return id;
  }

  /** nameId of text[start..end), found by its hash and checked character by character: no string made unless new. */
  private nameIdAt(text: string | Uint8Array, start: number, end: number, hash: number): number {
    const candidate = this.nameByHash.get(hash);
    if (candidate !== undefined) {
      const name = this.names[candidate]!;
      let same = name.length === end - start;
      for (let i = 0; same && i < name.length; i++) same = name.charCodeAt(i) === codeAt(text, start + i);
      if (same) return candidate;
    }
    const id = this.nameId(typeof text === 'string' ? text.slice(start, end) : String.fromCharCode(...text.subarray(start, end)));
    if (candidate === undefined) this.nameByHash.set(hash, id);
    return id;
  }
}
