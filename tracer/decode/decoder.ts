// Raw engine records → typed trace records: names, decoded arguments, both views of every pid.
import { MAX_SYSCALL, NAMESPACE_KINDS, PROTOCOL_VERSION, SessionFlags } from '../protocol/layout.js';
import { ProtocolError } from '../protocol/raw-reader.js';
import type { RawExec, RawHello, RawRecord, RawSyscall, RawTask } from '../protocol/raw-records.js';
import type { Arch } from '../tables/syscalls.js';
import { errnoName, siginfoCodeName, signalName } from '../tables/xlat.js';
import type {
  ArgValue,
  NamespaceInodes,
  ProcessRecord,
  SyscallRecord,
  TraceRecord,
} from '../trace/records.js';
import { makesNamespaces } from '../analysis/clone-flags.js';
import { CallArguments } from './call-arguments.js';
import { familyOf } from './families.js';
import { FdPaths } from './fd-paths.js';
import { memoByValue } from './memo.js';
import { PidNamespaces } from './pid-namespaces.js';
import { argumentAt, planSyscall, type SyscallPlan } from './syscall-plan.js';

const MAX_ERRNO = 4095;
/** The most arguments a syscall has: six registers. */
const MAX_ARGUMENTS = 6;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A failed call's error name, by errno: failures repeat (ENOENT for every missing file). */
const errorName = memoByValue((errno) => errnoName(errno) ?? `E${errno}`);

export interface SessionInfo {
  readonly kernel: string;
  readonly arch: string;
  readonly mode: 'seccomp' | 'all' | 'attach' | 'ebpf';
  readonly realtimeStart: number;
}

function namespaceObject(inodes: readonly number[]): NamespaceInodes {
  const ns: Partial<Record<(typeof NAMESPACE_KINDS)[number], number>> = {};
  NAMESPACE_KINDS.forEach((kind, index) => {
    if (inodes[index]) ns[kind] = inodes[index];
  });
  return ns;
}

export class Decoder {
  private startNs = 0;
  /** events lost so far (the last lost record's total): the end record says it again */
  private lostTotal = 0;
  private arch: Arch = 'x86_64';
  private readonly pids = new PidNamespaces();
  private readonly fdPaths = new FdPaths();
  /** by syscall number: an array slot for the numbers of a syscall table, a Map for others */
  private readonly plans: (SyscallPlan | undefined)[] = [];
  private readonly otherPlans = new Map<number, SyscallPlan>();
  private readonly call = new CallArguments(this.pids);
  /** the decoded arguments of the call being decoded, before they become its args object */
  private readonly values: ArgValue[] = new Array<ArgValue>(MAX_ARGUMENTS).fill(null);
  session: SessionInfo | null = null;

  /** Turn one raw record into trace records (none for the session's own bookkeeping). */
  decode(raw: RawRecord): TraceRecord | null {
    switch (raw.type) {
      case 'hello':
        this.begin(raw);
        return null;
      case 'task':
        return this.process(raw);
      case 'syscall':
        return this.syscall(raw);
      case 'exec':
        return this.exec(raw);
      case 'signal': {
        const signal = signalName(raw.signo);
        return {
          type: 'signal',
          t: raw.time - this.startNs,
          pid: raw.tid,
          signal,
          signo: raw.signo,
          code: raw.code,
          codeName: siginfoCodeName(signal, raw.code),
          sender: raw.groupStop ? null : { pid: raw.senderPid, uid: raw.senderUid },
          stop: raw.groupStop,
        };
      }
      case 'exit':
        return raw.killed
          ? { type: 'exit', t: raw.time - this.startNs, pid: raw.tid, signal: signalName(raw.value), core: raw.coreDumped }
          : { type: 'exit', t: raw.time - this.startNs, pid: raw.tid, code: raw.value };
      case 'error':
        return {
          type: 'error',
          t: Math.max(0, raw.time - this.startNs),
          pid: raw.tid,
          errno: errnoName(raw.errorNumber) ?? String(raw.errorNumber),
          message: raw.message,
        };
      case 'lost':
        this.lostTotal = raw.total;
        return {
          type: 'lost',
          t: Math.max(0, raw.time - this.startNs),
          since: Math.max(0, raw.sinceNs - this.startNs),
          count: raw.count,
          total: raw.total,
          cpus: raw.cpus,
        };
      case 'end':
        return {
          type: 'end',
          t: raw.time - this.startNs,
          reason: raw.reason,
          status: raw.mainStatus,
          ...(this.lostTotal ? { lost: this.lostTotal } : {}),
        };
    }
  }

  private begin(hello: RawHello): void {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        `the engine speaks protocol ${hello.protocolVersion} but the decoder reads ${PROTOCOL_VERSION}: rebuild with npm run build`,
      );
    }
    this.startNs = hello.startNs;
    if (hello.machine === 'aarch64') this.arch = 'aarch64' as Arch;
    const flags = hello.sessionFlags;
    const mode = flags & SessionFlags.attached ? 'attach' : flags & SessionFlags.traceAll ? 'all' : flags & SessionFlags.ebpf ? 'ebpf' : 'seccomp';
    this.session = {
      kernel: hello.kernelRelease,
      arch: hello.machine,
      mode,
      realtimeStart: Math.round(hello.realtimeStartNs / 1e6),
    };
  }

  private process(raw: RawTask): ProcessRecord {
    this.pids.learn(raw.tid, raw.ppid, raw.nspid, raw.ns[NAMESPACE_KINDS.indexOf('pid')] ?? 0);
    this.fdPaths.noteProcess(raw.tid, raw.tgid);
    return {
      type: 'process',
      t: raw.time - this.startNs,
      pid: raw.tid,
      tgid: raw.tgid,
      ppid: raw.ppid,
      nspid: raw.nspid,
      comm: raw.comm,
      ns: namespaceObject(raw.ns),
      uid: raw.uid,
      gid: raw.gid,
      reason: raw.reason,
    };
  }

  private exec(raw: RawExec): TraceRecord {
    if (raw.formerTid !== raw.tid) this.pids.rename(raw.formerTid, raw.tid);
    return { type: 'exec', t: raw.time - this.startNs, pid: raw.tid, formerPid: raw.formerTid, comm: raw.comm };
  }

  /** What decoding a syscall number takes, worked out once per number. */
  private planOf(nr: number): SyscallPlan {
    const inTable = nr >= 0 && nr < MAX_SYSCALL;
    let plan = inTable ? this.plans[nr] : this.otherPlans.get(nr);
    if (!plan) {
      plan = planSyscall(this.arch, nr);
      if (inTable) this.plans[nr] = plan;
      else this.otherPlans.set(nr, plan);
    }
    return plan;
  }

  private syscall(raw: RawSyscall): SyscallRecord {
    const plan = this.planOf(raw.nr);
    const { name, names } = plan;
    const ret = raw.hasRet ? raw.ret : null;
    const failed = typeof ret === 'number' && ret < 0 && ret >= -MAX_ERRNO;
    const call = this.call;
    const rawArgs = call.load(raw, names);
    const values = this.values;
    const args = plan.decodeArgs(call, values);
    if (call.extras) for (const [key, value] of call.extras) args[key] = value;
    const path = this.pathOfCall(raw.tid, plan, values);
    if (path !== null && plan.writes) args.path = path;
    this.followFds(raw.tid, plan, values, ret);
    const record: Mutable<SyscallRecord> = {
      type: 'syscall',
      t: raw.enterNs - this.startNs,
      pid: raw.tid,
      name,
      nr: raw.nr,
      args,
      ret,
      err: failed ? errorName(-(ret as number)) : null,
      dur: raw.time - raw.enterNs,
      raw: rawArgs,
      // Only a clone's family depends on its flags: the others skip the search.
      family: familyOf(plan.family, path, plan.clones && makesNamespaces(args)),
    };
    if (plan.returnsPid && typeof ret === 'number' && ret > 0) {
      record.retPid = raw.childTid > 0 ? { host: raw.childTid, ns: ret } : call.translatePid(ret);
      const childNspid = raw.childTid > 0 ? this.pids.nspidChainOf(raw.childTid) : undefined;
      if (childNspid) record.childNspid = childNspid;
    }
    if (raw.unfinished) record.unfinished = true;
    if (call.truncated) record.truncated = call.truncated;
    if (call.cwd !== null) record.cwd = call.cwd;
    return record;
  }

  /** The file a call works on, resolved against its dirfd; a write's from its fd. */
  private pathOfCall(tid: number, plan: SyscallPlan, values: readonly ArgValue[]): string | null {
    const fd = argumentAt(values, plan.fdIndex);
    if (plan.writes && typeof fd === 'number') return this.fdPaths.pathOf(tid, fd);
    const path = argumentAt(values, plan.pathnameIndex) ?? argumentAt(values, plan.pathIndex);
    return typeof path === 'string' ? this.fdPaths.resolve(tid, argumentAt(values, plan.dirfdIndex), path) : null;
  }

  /** Follow a finished call's effect on which fd names which path. */
  private followFds(tid: number, plan: SyscallPlan, values: readonly ArgValue[], ret: number | string | null): void {
    if (typeof ret !== 'number' || ret < 0) return;
    if (plan.opens) {
      const path =
        argumentAt(values, plan.pathnameIndex) ?? argumentAt(values, plan.filenameIndex) ?? argumentAt(values, plan.pathIndex);
      if (typeof path === 'string') this.fdPaths.opened(tid, ret, argumentAt(values, plan.dirfdIndex), path);
    } else if (plan.closes) {
      const fd = argumentAt(values, plan.fdIndex);
      if (typeof fd === 'number') this.fdPaths.closed(tid, fd);
    } else if (plan.duplicates) {
      const oldFd = argumentAt(values, plan.oldfdIndex);
      if (typeof oldFd === 'number') this.fdPaths.duplicated(tid, oldFd, ret);
    }
  }
}
