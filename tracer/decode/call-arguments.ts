// One syscall's argument registers as the argument decoders read them. The decoder keeps one
// of these and points it at each call in turn, so decoding allocates no context per call, and
// the registers stay uint32 word pairs, read where the record arrived: a BigInt is made only
// for a value above 32 bits that a decoder really needs whole.
import { CaptureKind } from '../protocol/layout.js';
import type { RawBlob, RawSyscall } from '../protocol/raw-records.js';
import type { ArgValue, PidPair } from '../trace/records.js';
import { hexOfWords } from './hex.js';
import type { PidNamespaces } from './pid-namespaces.js';

const TWO_32 = 2 ** 32;
/** Below this high word, hi * 2^32 + lo is an exact double (< 2^53). */
const EXACT_HIGH_WORD_LIMIT = 2 ** 21;

export class CallArguments {
  private view: DataView = new DataView(new ArrayBuffer(0));
  private argsAt = 0;
  private blobs: readonly RawBlob[] = [];
  private names: readonly string[] = [];
  private tid = 0;
  /** "0x…" of each argument, as the record's `raw` carries them */
  private hexes: string[] = [];
  /** arguments whose copy the engine stopped short (the decoded value is its start) */
  truncated: string[] | null = null;
  /** facts about an argument that are not its value (envp's count), added to the call's args */
  extras: [string, ArgValue][] | null = null;
  /** the caller's working directory, when a directory fd argument was AT_FDCWD and the engine read it */
  cwd: string | null = null;

  constructor(private readonly pids: PidNamespaces) {}

  /** Point at a call; returns the hex strings of its first `names.length` arguments. */
  load(raw: RawSyscall, names: readonly string[]): string[] {
    this.view = raw.view;
    this.argsAt = raw.argsAt;
    this.blobs = raw.blobs;
    this.names = names;
    this.tid = raw.tid;
    this.truncated = null;
    this.extras = null;
    this.cwd = null;
    const hexes: string[] = new Array(names.length);
    for (let index = 0; index < names.length; index++) hexes[index] = hexOfWords(this.high(index), this.low(index));
    this.hexes = hexes;
    return hexes;
  }

  private low(index: number): number {
    return this.view.getUint32(this.argsAt + 8 * index, true);
  }

  private high(index: number): number {
    return this.view.getUint32(this.argsAt + 8 * index + 4, true);
  }

  isZero(index: number): boolean {
    return (this.low(index) | this.high(index)) === 0;
  }

  /** The register as the C `int` it carries. */
  int32(index: number): number {
    return this.low(index) | 0;
  }

  uint32(index: number): number {
    return this.low(index);
  }

  /** The unsigned 64-bit value, rounded to a double as Number(bigint) would round it. */
  number(index: number): number {
    return this.high(index) * TWO_32 + this.low(index);
  }

  /** The unsigned 64-bit value exactly: a number below 2^53, else its decimal digits. */
  exactUnsigned(index: number): number | string {
    return this.fitsDouble(index) ? this.number(index) : ((BigInt(this.high(index)) << 32n) | BigInt(this.low(index))).toString();
  }

  /** The signed 64-bit value exactly: a number within ±2^53, else its decimal digits. */
  exactSigned(index: number): number | string {
    const high = this.high(index) | 0;
    if (high >= -EXACT_HIGH_WORD_LIMIT && high < EXACT_HIGH_WORD_LIMIT) return high * TWO_32 + this.low(index);
    return BigInt.asIntN(64, (BigInt(this.high(index)) << 32n) | BigInt(this.low(index))).toString();
  }

  /** The name of the argument at `index`. */
  nameOf(index: number): string {
    return this.names[index]!;
  }

  /** Record that the engine copied only the start of an argument. */
  noteTruncated(index: number): void {
    (this.truncated ??= []).push(this.names[index]!);
  }

  /** Add a fact about an argument to the call's args under `key`. */
  addExtra(key: string, value: ArgValue): void {
    (this.extras ??= []).push([key, value]);
  }

  /** Whether number(index) is exact. */
  fitsDouble(index: number): boolean {
    return this.high(index) < EXACT_HIGH_WORD_LIMIT;
  }

  /** "0x…", the same string as the record's raw. */
  hex(index: number): string {
    return this.hexes[index]!;
  }

  /** The unsigned 64-bit value: a number when it fits in 32 bits (the usual case), else a
   *  bigint; xlat's functions give the same answer for either. */
  value(index: number): number | bigint {
    const high = this.high(index);
    return high === 0 ? this.low(index) : (BigInt(high) << 32n) | BigInt(this.low(index));
  }

  /** value() of another argument of the call, by name; 0 if the call has none of that name. */
  other(name: string): number | bigint {
    const index = this.names.indexOf(name);
    return index < 0 ? 0 : this.value(index);
  }

  /** The blob the engine copied for an argument at entry (or for its own out-param at exit); the
   *  last one if there are several. `outOfArg`: the one copied at exit for a second look. */
  blob(index: number, outOfArg = false): RawBlob | undefined {
    // An indexed loop from the end: for-of over these (frozen or not) arrays showed in profiles.
    const blobs = this.blobs;
    for (let at = blobs.length - 1; at >= 0; at--) {
      const blob = blobs[at]!;
      if (blob.arg === index && (blob.kind === CaptureKind.outOfArg) === outOfArg) return blob;
    }
    return undefined;
  }

  /** A pid value as the calling task passed or received it, with its host view. */
  translatePid(value: number): PidPair {
    return this.pids.translate(this.tid, value);
  }
}
