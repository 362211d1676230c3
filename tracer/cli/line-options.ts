// strace's display options (-s -v -y -a -X) on the command line, checked and turned into the
// formatter's LineOptions. They change the lines only; the trace file keeps every value.
import type { Command } from 'commander';
import { DEFAULT_LINE_OPTIONS, XLAT_STYLES, type LineOptions, type XlatStyle } from '../format/strace/options.js';
import { UserError } from './user-error.js';

export interface LineFlags {
  readonly stringLimit?: string;
  readonly verbose?: boolean;
  readonly decodeFds?: boolean | string;
  readonly column?: string;
  readonly xlat?: string;
}

export function withLineOptions(command: Command): Command {
  return command
    .option('-s, --string-limit <n>', 'bytes of each string shown (paths are whole), like strace -s', String(DEFAULT_LINE_OPTIONS.stringLimit))
    .option('-v, --verbose', 'arrays and environments unabbreviated, like strace -v (records the environment, as --env)')
    .option('-y, --decode-fds [what]', 'file descriptors with their paths (=path), like strace -y')
    .option('-a, --column <n>', 'the column " = " is aligned to, like strace -a', String(DEFAULT_LINE_OPTIONS.alignment))
    .option('-X, --xlat <style>', 'flags and constants as names (abbrev), numbers (raw) or both (verbose), like strace -X', DEFAULT_LINE_OPTIONS.xlat);
}

function count(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UserError(`${option} takes a number of 0 or more, not "${text}"`);
  return Number(text);
}

export function lineOptionsOf(flags: LineFlags): LineOptions {
  const xlat = flags.xlat ?? DEFAULT_LINE_OPTIONS.xlat;
  if (!(XLAT_STYLES as readonly string[]).includes(xlat)) throw new UserError(`-X takes ${XLAT_STYLES.join(', ')}, not "${xlat}"`);
  if (typeof flags.decodeFds === 'string' && flags.decodeFds !== 'path' && flags.decodeFds !== 'all') {
    throw new UserError(`--decode-fds takes "path" (what cttrace can show), not "${flags.decodeFds}"`);
  }
  return {
    stringLimit: count(flags.stringLimit, '-s', DEFAULT_LINE_OPTIONS.stringLimit),
    verbose: flags.verbose ?? false,
    decodeFds: flags.decodeFds !== undefined && flags.decodeFds !== false,
    alignment: count(flags.column, '-a', DEFAULT_LINE_OPTIONS.alignment),
    xlat: xlat as XlatStyle,
  };
}
