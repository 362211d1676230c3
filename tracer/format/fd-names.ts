// What path each file descriptor names, as far as the calls in the trace tell, for -y: opens of
// absolute paths, dup/dup2/dup3, close; a write's own path when the decoder knew it. strace asks
// /proc at the time; a saved trace can only say what it recorded.
import { syscallsWhere } from '../decode/signatures.js';
import type { SyscallRecord } from '../trace/records.js';
import { int32, registerOf } from './strace/arguments.js';

const fdArgument = (record: SyscallRecord) => Number(int32(registerOf(record, 0)));

/** signatures.in's !opens and !dups */
const OPENING = syscallsWhere((signature) => signature.opensFd);
const DUPLICATING = syscallsWhere((signature) => signature.duplicatesFd);

export class FdNames {
  /** by thread group, fd → path */
  private readonly tables = new Map<number, Map<number, string>>();
  private readonly groupOf = new Map<number, number>();

  noteProcess(pid: number, tgid: number): void {
    this.groupOf.set(pid, tgid);
  }

  private table(pid: number): Map<number, string> {
    const group = this.groupOf.get(pid) ?? pid;
    let table = this.tables.get(group);
    if (!table) this.tables.set(group, (table = new Map()));
    return table;
  }

  /** The path `fd` names in this call: as an argument (before the call), or as its result. */
  pathOf(record: SyscallRecord, fd: number, isResult = false): string | null {
    if (record.name === 'write' && typeof record.args.path === 'string') return record.args.path;
    if (isResult && typeof record.ret === 'number' && record.ret === fd && !record.err) {
      const path = record.args.pathname;
      if (OPENING.has(record.name) && typeof path === 'string' && path.startsWith('/')) return path;
      if (DUPLICATING.has(record.name)) return this.table(record.pid).get(fdArgument(record)) ?? null;
    }
    return this.table(record.pid).get(fd) ?? null;
  }

  follow(record: SyscallRecord): void {
    if (typeof record.ret !== 'number' || record.ret < 0 || record.err) return;
    const table = this.table(record.pid);
    if (OPENING.has(record.name)) {
      const path = record.args.pathname;
      if (typeof path === 'string' && path.startsWith('/')) table.set(record.ret, path);
      else table.delete(record.ret);
    } else if (DUPLICATING.has(record.name)) {
      const from = table.get(fdArgument(record));
      if (from !== undefined) table.set(record.ret, from);
      else table.delete(record.ret);
    } else if (record.name === 'close') {
      table.delete(fdArgument(record));
    }
  }
}
