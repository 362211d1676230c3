// Raw engine records → typed trace records: names, decoded arguments, both views of every pid.
import { NAMESPACE_KINDS, PROTOCOL_VERSION, SessionFlags } from '../protocol/layout.js';
import { ProtocolError } from '../protocol/raw-reader.js';
import type { RawExec, RawHello, RawRecord, RawSyscall, RawTask } from '../protocol/raw-records.js';
import { syscallByNr, type Arch } from '../tables/syscalls.js';
import { errnoName, signalName } from '../tables/xlat.js';
import type {
  ArgValue,
  NamespaceInodes,
  PidPair,
  ProcessRecord,
  SyscallRecord,
  TraceRecord,
} from '../trace/records.js';
import { decodeArgument } from './arguments.js';
import { familyOf } from './families.js';
import { FdPaths } from './fd-paths.js';
import { PidNamespaces } from './pid-namespaces.js';
import { signatures, type SyscallSignature } from './signatures.js';

const MAX_ERRNO = 4095;
const PID_RETURNING = 'pid';

export interface SessionInfo {
  readonly kernel: string;
  readonly arch: string;
  readonly mode: 'seccomp' | 'all' | 'attach';
  readonly realtimeStart: number;
}

function namespaceObject(inodes: readonly number[]): NamespaceInodes {
  const ns: Partial<Record<(typeof NAMESPACE_KINDS)[number], number>> = {};
  NAMESPACE_KINDS.forEach((kind, index) => {
    if (inodes[index]) ns[kind] = inodes[index];
  });
  return ns;
}

function hasNewNamespaceFlag(args: Readonly<Record<string, ArgValue>>): boolean {
  const flags = args.flags ?? (args.args as Record<string, ArgValue> | null | undefined)?.flags;
  return Array.isArray(flags) && flags.some((flag) => typeof flag === 'string' && flag.startsWith('CLONE_NEW'));
}

export class Decoder {
  private startNs = 0;
  private arch: Arch = 'x86_64';
  private readonly pids = new PidNamespaces();
  private readonly fdPaths = new FdPaths();
  private readonly signatureByNr = new Map<number, SyscallSignature | null>();
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
      case 'signal':
        return {
          type: 'signal',
          t: raw.time - this.startNs,
          pid: raw.tid,
          signal: signalName(raw.signo),
          signo: raw.signo,
          code: raw.code,
          sender: raw.groupStop ? null : { pid: raw.senderPid, uid: raw.senderUid },
          stop: raw.groupStop,
        };
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
      case 'end':
        return { type: 'end', t: raw.time - this.startNs, reason: raw.reason, status: raw.mainStatus };
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
    const mode = hello.sessionFlags & SessionFlags.attached ? 'attach' : hello.sessionFlags & SessionFlags.traceAll ? 'all' : 'seccomp';
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

  private signatureOf(nr: number): SyscallSignature | null {
    let signature = this.signatureByNr.get(nr);
    if (signature === undefined) {
      const name = syscallByNr(this.arch, nr)?.name;
      signature = (name && signatures().get(name)) || null;
      this.signatureByNr.set(nr, signature);
    }
    return signature;
  }

  private syscall(raw: RawSyscall): SyscallRecord {
    const signature = this.signatureOf(raw.nr);
    const name = signature?.name ?? syscallByNr(this.arch, raw.nr)?.name ?? `syscall_0x${raw.nr.toString(16)}`;
    const ret = raw.hasRet ? raw.ret : null;
    const failed = ret !== null && ret < 0 && ret >= -MAX_ERRNO;
    const translatePid = (value: number) => this.pids.translate(raw.tid, value);
    const argumentCount = signature ? signature.args.length : 6;
    const rawArgs = raw.args.slice(0, argumentCount).map((value) => `0x${value.toString(16)}`);
    let args: Record<string, ArgValue> = {};
    if (signature) {
      const other = (argName: string) => raw.args[signature.args.findIndex((arg) => arg.name === argName)] ?? 0n;
      signature.args.forEach((arg, index) => {
        const blob = raw.blobs.find((candidate) => candidate.arg === index);
        args[arg.name] = decodeArgument(arg.type, { raw: raw.args[index]!, blob, other, translatePid });
      });
    } else {
      args = Object.fromEntries(rawArgs.map((value, index) => [`arg${index}`, value]));
    }
    let retPid: PidPair | undefined;
    let childNspid: readonly number[] | undefined;
    if (signature?.returns === PID_RETURNING && ret !== null && ret > 0) {
      retPid = raw.childTid > 0 ? { host: raw.childTid, ns: ret } : translatePid(ret);
      if (raw.childTid > 0) childNspid = this.pids.nspidChainOf(raw.childTid);
    }
    const path = this.pathOfCall(raw.tid, name, args);
    if (path !== null && name === 'write') args.path = path;
    this.fdPaths.observe(raw.tid, name, args, ret);
    const record: SyscallRecord = {
      type: 'syscall',
      t: raw.enterNs - this.startNs,
      pid: raw.tid,
      name,
      nr: raw.nr,
      args,
      ret,
      err: failed ? (errnoName(-ret) ?? `E${-ret}`) : null,
      dur: raw.time - raw.enterNs,
      raw: rawArgs,
      family: familyOf(name, path, hasNewNamespaceFlag(args)),
      ...(retPid ? { retPid } : {}),
      ...(childNspid ? { childNspid } : {}),
      ...(raw.unfinished ? { unfinished: true as const } : {}),
    };
    return record;
  }

  /** The file a call works on, resolved against its dirfd; a write's from its fd. */
  private pathOfCall(tid: number, name: string, args: Readonly<Record<string, ArgValue>>): string | null {
    if (name === 'write' && typeof args.fd === 'number') return this.fdPaths.pathOf(tid, args.fd);
    const path = args.pathname ?? args.path;
    return typeof path === 'string' ? this.fdPaths.resolve(tid, args.dirfd, path) : null;
  }

  /** In-namespace pid of a task, for display. */
  nsPidOf(tid: number): number | null {
    return this.pids.nsPidOf(tid);
  }
}
