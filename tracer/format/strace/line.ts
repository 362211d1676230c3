// A recorded call as strace's line for it: name(arguments) padded to the -a column, " = ", the
// result with the errno's text. cttrace's own additions (the host's view of a pid, the path a
// write went to, where a child sits in its pid namespace) follow the result, never inside it.
import { signatures } from '../../decode/signatures.js';
import { ERRNO_MESSAGES } from '../../tables/generated/errno-messages.js';
import { argumentCount } from '../../tables/syscalls.js';
import { xlat, xlatValue } from '../../tables/xlat.js';
import type { PidPair, SyscallRecord } from '../../trace/records.js';
import { int32, registerOf } from './arguments.js';
import { argumentTexts, prctlResultText } from './calls.js';
import type { LineOptions } from './options.js';

/** Kernel-internal errors a call returns when a signal interrupts it: strace prints "= ?" for
 *  them, since the caller never sees them (the call is restarted, or becomes EINTR). */
const AT_FDCWD = Number(xlatValue(xlat.dirfd_values, 'AT_FDCWD'));

const RESTART_ERRORS = new Set(['ERESTARTSYS', 'ERESTARTNOINTR', 'ERESTARTNOHAND', 'ERESTART_RESTARTBLOCK']);

export function formatPid(pid: PidPair): string {
  return pid.host === null || pid.host === pid.ns ? String(pid.ns) : `${pid.ns} (host ${pid.host})`;
}

export interface CallText {
  /** name(arguments) */
  readonly call: string;
  /** what follows " = " */
  readonly result: string;
  /** cttrace's notes after the result, each with its leading space */
  readonly notes: readonly string[];
}

function resultText(record: SyscallRecord, options: LineOptions): string {
  if (record.ret === null) return '?';
  if (record.err) {
    const message = ERRNO_MESSAGES[record.err];
    const text = message ? ` (${message})` : '';
    return RESTART_ERRORS.has(record.err) ? `? ${record.err}${text}` : `-1 ${record.err}${text}`;
  }
  if (record.retPid) return formatPid(record.retPid);
  if (record.name === 'prctl') return prctlResultText(record, options) ?? String(record.ret);
  return String(record.ret);
}

export function callText(record: SyscallRecord, options: LineOptions, fdPath: (fd: number, isResult: boolean) => string | null = () => null): CallText {
  const signature = signatures().get(record.name);
  const args = signature
    ? argumentTexts(record, signature, options)
    : (record.raw ?? []).slice(0, argumentCount(record.name)).map((raw) => (raw === '0x0' ? '0' : String(raw)));
  if (options.decodeFds && signature) {
    signature.args.forEach((arg, index) => {
      if ((arg.type !== 'fd' && arg.type !== 'dirfd') || index >= args.length) return;
      const fd = Number(int32(registerOf(record, index)));
      // AT_FDCWD names the working directory the engine read
      const path = arg.type === 'dirfd' && fd === AT_FDCWD ? (record.cwd ?? null) : fdPath(fd, false);
      if (path !== null) args[index] += `<${path}>`;
    });
  }
  let result = resultText(record, options);
  if (options.decodeFds && signature?.returns === 'fd' && typeof record.ret === 'number' && record.ret >= 0) {
    const path = fdPath(record.ret, true);
    if (path !== null) result += `<${path}>`;
  }
  const notes: string[] = [];
  const childView = record.childNspid?.[record.childNspid.length - 1];
  if (childView !== undefined && childView !== record.ret) notes.push(` [child is pid ${childView} in its namespace]`);
  if (!options.decodeFds && record.name === 'write' && typeof record.args.path === 'string') notes.push(` <${record.args.path}>`);
  return { call: `${record.name}(${args.join(', ')})`, result, notes };
}

/** Spaces that bring the "=" of " = " to the -a column (counted from 0 at the call's name), as
 *  strace pads; a longer call keeps one space. */
export function alignmentPadding(call: string, options: LineOptions): string {
  const spaces = options.alignment - 1 - call.length;
  return spaces > 0 ? ' '.repeat(spaces) : '';
}
