// strace's display options, with strace's defaults. They change how a line reads, never what
// the trace file holds: `cttrace show` of a saved trace with them prints what a live run did.

/** -X: how flags and named values read (abbrev: O_RDONLY|O_CLOEXEC; raw: 0x80000;
 *  verbose: 0x80000 /* O_RDONLY|O_CLOEXEC *\/). */
export type XlatStyle = 'abbrev' | 'raw' | 'verbose';
export const XLAT_STYLES: readonly XlatStyle[] = ['abbrev', 'raw', 'verbose'];

export interface LineOptions {
  /** -s: bytes of a string shown (paths excepted), and elements of an argv */
  readonly stringLimit: number;
  /** -v: arrays and environments in full */
  readonly verbose: boolean;
  /** -y: file descriptors followed by the path they name, where the trace knows it */
  readonly decodeFds: boolean;
  /** -a: the column where " = " starts, counted from the call's name */
  readonly alignment: number;
  readonly xlat: XlatStyle;
}

export const DEFAULT_LINE_OPTIONS: LineOptions = {
  stringLimit: 32,
  verbose: false,
  decodeFds: false,
  alignment: 40,
  xlat: 'abbrev',
};
