// A seccomp filter's classic BPF program as strace's print_bpf_fprog shows it with -v:
// BPF_STMT(code, k) or BPF_JUMP(code, k, jt, jf), the code as its class and fields, a return's
// k as the seccomp action and its data. Without -v, the program's address.
import { lookupValue, xlat, type XlatSet } from '../../tables/xlat.js';
import type { ArgValue } from '../../trace/records.js';
import type { LineOptions, XlatStyle } from './options.js';
import { hexText, namedValueText } from './xlat-text.js';

/** BPF_MAXINSNS: strace shows this many instructions, then `...` */
const SHOWN_INSTRUCTIONS = 4096;
const SECCOMP_RET_ACTION_FULL = 0xffff0000;

const field = (set: XlatSet, value: number, style: XlatStyle) => namedValueText(BigInt(value), lookupValue(set, value), set.unknown, style);
/** bits no field names: `|0x… /* BPF_??? *\/` */
const leftover = (bits: number) => (bits ? `|${hexText(BigInt(bits))} /* BPF_??? */` : '');

/** An instruction's code as strace's print_bpf_filter_code (classic BPF). */
function codeText(code: number, style: XlatStyle): string {
  const cls = code & 0x07;
  const rest = code & ~cls;
  const head = field(xlat.bpf_class, cls, style);
  switch (lookupValue(xlat.bpf_class, cls)) {
    case 'BPF_ST':
    case 'BPF_STX':
      return `${head}${leftover(rest)}`;
    case 'BPF_LD':
    case 'BPF_LDX':
      return `${head}|${field(xlat.bpf_size, code & 0x18, style)}|${field(xlat.bpf_mode, code & 0xe0, style)}`;
    case 'BPF_MISC':
      return `${head}|${field(xlat.bpf_miscop, code & 0xf8, style)}${leftover(rest & ~(code & 0xf8))}`;
    case 'BPF_ALU':
      return `${head}|${field(xlat.bpf_src, code & 0x08, style)}|${field(xlat.bpf_op_alu, code & 0xf0, style)}`;
    case 'BPF_JMP':
      return `${head}|${field(xlat.bpf_src, code & 0x08, style)}|${field(xlat.bpf_op_jmp, code & 0xf0, style)}`;
    default: // BPF_RET
      return `${head}|${field(xlat.bpf_rval, code & 0x18, style)}${leftover(rest & ~(code & 0x18))}`;
  }
}

/** A return's k as the seccomp action it asks for, and its data (errno, trace message) in hex. */
function seccompReturnText(k: number, style: XlatStyle): string {
  const action = (k & SECCOMP_RET_ACTION_FULL) >>> 0;
  const data = k & ~SECCOMP_RET_ACTION_FULL;
  return `${field(xlat.seccomp_ret_actions, action, style)}${data ? `|${hexText(BigInt(data))}` : ''}`;
}

function instructionText(instruction: ArgValue, style: XlatStyle): string {
  const [code, jt, jf, k] = Array.isArray(instruction) ? instruction.map(Number) : [];
  if (code === undefined || jt === undefined || jf === undefined || k === undefined) return '?';
  const codeShown = codeText(code, style);
  if (jt || jf) return `BPF_JUMP(${codeShown}, ${hexText(BigInt(k))}, ${hexText(BigInt(jt))}, ${hexText(BigInt(jf))})`;
  const kShown = lookupValue(xlat.bpf_class, code & 0x07) === 'BPF_RET' ? seccompReturnText(k, style) : hexText(BigInt(k));
  return `BPF_STMT(${codeShown}, ${kShown})`;
}

/** struct sock_fprog: `{len=N, filter=…}`, the program disassembled with -v. `value` is the
 *  decoder's {len, filter, program}; `address` is shown when it is not one. */
export function fprogText(value: ArgValue | undefined, address: string, options: LineOptions): string {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value) || !('len' in value)) return address;
  const fprog = value as Record<string, ArgValue>;
  const filter = typeof fprog.filter === 'string' ? fprog.filter : 'NULL';
  return `{len=${String(fprog.len)}, filter=${options.verbose ? programText(fprog, filter, options.xlat) : filter}}`;
}

function programText(fprog: Record<string, ArgValue>, filter: string, style: XlatStyle): string {
  const len = Number(fprog.len);
  const program = Array.isArray(fprog.program) ? fprog.program : [];
  if (filter === 'NULL') return filter;
  if (len === 0) return '[]';
  if (program.length === 0) return filter; // unreadable
  const shown = program.slice(0, SHOWN_INSTRUCTIONS).map((instruction) => instructionText(instruction, style));
  const wanted = Math.min(len, SHOWN_INSTRUCTIONS + 1);
  if (program.length > SHOWN_INSTRUCTIONS) shown.push('...');
  else if (program.length < wanted) shown.push(`... /* ${hexText(BigInt(filter) + BigInt(program.length * 8))} */`);
  return `[${shown.join(', ')}]`;
}
