// Flags and named values as strace prints them (printflags, printxval), in each -X style.
import { decodeFlags, lookupValue, type XlatSet } from '../../tables/xlat.js';
import type { XlatStyle } from './options.js';

/** strace's %#x: "0" for zero, else 0x… */
export function hexText(value: bigint): string {
  return value === 0n ? '0' : `0x${value.toString(16)}`;
}

/** Flags from their names (decodeFlags' output: names, then any unknown bits as one 0x…). */
export function namedFlagsText(value: bigint, names: readonly string[], unknown: string, style: XlatStyle): string {
  if (value === 0n && names.length === 0) return '0';
  const raw = hexText(value);
  if (style === 'raw') return raw;
  const known = names.filter((name) => !name.startsWith('0x'));
  if (known.length === 0) return `${raw} /* ${unknown} */`;
  return style === 'verbose' ? `${raw} /* ${names.join('|')} */` : names.join('|');
}

export function flagsText(set: XlatSet, value: bigint, style: XlatStyle): string {
  return namedFlagsText(value, value === 0n ? [] : decodeFlags(set, value), set.unknown, style);
}

/** A named value: its name, or the number with strace's comment; `decimal` for the values
 *  strace prints in decimal (signals, AT_FDCWD). */
export function namedValueText(value: bigint, name: string | undefined, unknown: string | null, style: XlatStyle, decimal = false): string {
  const number = decimal ? value.toString() : hexText(value);
  if (style === 'raw') return number;
  if (name === undefined) return unknown === null ? number : `${number} /* ${unknown} */`;
  return style === 'verbose' ? `${number} /* ${name} */` : name;
}

export function valueText(set: XlatSet, value: bigint, style: XlatStyle, decimal = false): string {
  return namedValueText(value, lookupValue(set, value), set.unknown, style, decimal);
}
