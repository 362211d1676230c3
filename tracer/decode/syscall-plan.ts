// What decoding one syscall number takes, worked out once per number: its name, argument names
// and decoders, and where the arguments the decoder looks at again (paths, fds, dirfds) sit, so
// a call is decoded by index without looking names up in the args object it builds.
import { syscallByNr, type Arch } from '../tables/syscalls.js';
import type { ArgValue, SyscallFamily } from '../trace/records.js';
import { argumentDecoder, type ArgumentDecoder } from './arguments.js';
import { argsDecoder, type ArgsDecoder } from './args-decoder.js';
import { signatures } from './signatures.js';

const PID_RETURNING = 'pid';
const RAW_ARGUMENT_NAMES = [0, 1, 2, 3, 4, 5].map((index) => `arg${index}`);
/** A call without a signature shows the registers it takes as the record's raw has them. */
const RAW_TYPE = 'raw';
const rawRegister: ArgumentDecoder = (call, index) => call.hex(index);
const NONE = -1;

export interface SyscallPlan {
  readonly name: string;
  readonly names: readonly string[];
  /** decodes every argument into values (by index) and builds the call's args object; a call
   *  without a signature gets its registers as hex */
  readonly decodeArgs: ArgsDecoder;
  readonly returnsPid: boolean;
  /** clone and clone3: their family depends on the namespace flags they pass */
  readonly clones: boolean;
  /** the family by name alone; a file call on a cgroup file is refined from its path */
  readonly family: SyscallFamily;
  /** write: the path of its fd is shown as args.path */
  readonly writes: boolean;
  /** open and friends: the fd they return names their path from then on */
  readonly opens: boolean;
  /** close: its fd names nothing any more */
  readonly closes: boolean;
  /** dup, dup2, dup3: the fd they return names what oldfd names */
  readonly duplicates: boolean;
  /** index of args.oldfd; NONE if absent */
  readonly oldfdIndex: number;
  /** index of args.fd, args.dirfd, args.pathname, args.path, args.filename; NONE if absent */
  readonly fdIndex: number;
  readonly dirfdIndex: number;
  readonly pathnameIndex: number;
  readonly pathIndex: number;
  readonly filenameIndex: number;
}

export function planSyscall(arch: Arch, nr: number): SyscallPlan {
  const info = syscallByNr(arch, nr);
  const signature = (info && signatures().get(info.name)) || null;
  const name = signature?.name ?? info?.name ?? `syscall_0x${nr.toString(16)}`;
  // without a signature, the registers the call takes (all six for a number no table knows)
  const names = signature ? signature.args.map((arg) => arg.name) : RAW_ARGUMENT_NAMES.slice(0, info?.args ?? RAW_ARGUMENT_NAMES.length);
  const types = signature ? signature.args.map((arg) => (arg.wide ? `${arg.type}/64` : arg.type)) : names.map(() => RAW_TYPE);
  const decoders = signature ? signature.args.map((arg) => argumentDecoder(arg.type, arg.wide)) : names.map(() => rawRegister);
  return {
    name,
    names,
    decodeArgs: argsDecoder(names, types, decoders),
    returnsPid: signature?.returns === PID_RETURNING,
    clones: signature?.forks === true && signature.args.length > 0,
    family: signature?.family ?? 'other',
    writes: name === 'write',
    opens: signature?.opensFd ?? false,
    closes: name === 'close',
    duplicates: signature?.duplicatesFd ?? false,
    oldfdIndex: names.lastIndexOf('oldfd'),
    // The last of a repeated name: its value is the one the args object keeps.
    fdIndex: names.lastIndexOf('fd'),
    dirfdIndex: names.lastIndexOf('dirfd'),
    pathnameIndex: names.lastIndexOf('pathname'),
    pathIndex: names.lastIndexOf('path'),
    filenameIndex: names.lastIndexOf('filename'),
  };
}

/** The value of the argument at `index`, as `args[name]` reads it: undefined for NONE. */
export function argumentAt(values: readonly ArgValue[], index: number): ArgValue | undefined {
  return index === NONE ? undefined : values[index];
}
