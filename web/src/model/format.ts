// Formatting of times and decoded argument values as plain text (never markup).
import { bytesOf, quoteBytes } from '../../../tracer/format/strace/quote.js';
import type { ArgValue, PidPair } from '../../../tracer/trace/records.js';

/** A duration in ns as a short human string: 850 ns, 12.5 µs, 3.90 ms, 1.20 s. */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs < 1_000) return `${Math.round(ns)} ns`;
  if (abs < 1_000_000) return `${trim(ns / 1_000)} µs`;
  if (abs < 1_000_000_000) return `${trim(ns / 1_000_000)} ms`;
  return `${trim(ns / 1_000_000_000)} s`;
}

function trim(value: number): string {
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/**
 * A count with its thousands separated by commas (1,234,567), as toLocaleString('en') writes
 * it: the first toLocaleString loads the browser's locale data, 40–170 ms of opening a trace.
 */
export function formatCount(count: number): string {
  const digits = String(Math.trunc(Math.abs(count)));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return count < 0 ? `-${grouped}` : grouped;
}

/** A point in the trace (ns since start) as milliseconds, precise to the µs. */
export function formatTimestamp(ns: number): string {
  return `${(ns / 1_000_000).toFixed(3)} ms`;
}

export function isPidPair(value: ArgValue | undefined): value is PidPair {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'ns' in value && 'host' in value && Object.keys(value).length === 2;
}

export function formatPidPair(pair: PidPair): string {
  if (pair.host === null) return `${pair.ns} (host pid unknown)`;
  if (pair.host === pair.ns) return String(pair.ns);
  return `${pair.ns} in its namespace, ${pair.host} on the host`;
}

const FLAG_NAME = /^[A-Z][A-Z0-9_]*$/;

/** An argument value as text: strings quoted with escapes, flag lists joined with |, pid pairs both ways. */
export function formatArg(value: ArgValue | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'NULL';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((item) => typeof item === 'string' && FLAG_NAME.test(item))) return value.join('|');
    if (value.length === 0) return '0';
    return `[${value.map((item) => formatArg(item)).join(', ')}]`;
  }
  if (isPidPair(value)) return formatPidPair(value);
  // bytes that were not UTF-8 ({hex}): quoted as strace quotes them, every byte kept
  const bytes = bytesOf(value);
  if (bytes) return quoteBytes(bytes);
  const entries = Object.entries(value as Record<string, ArgValue>);
  return `{${entries.map(([key, item]) => `${key}: ${formatArg(item)}`).join(', ')}}`;
}

/** Every flag-like name in an argument (flags, modes, options), for the explanations. */
export function flagNamesIn(value: ArgValue | undefined, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    if (FLAG_NAME.test(value)) into.add(value);
  } else if (Array.isArray(value)) for (const item of value) flagNamesIn(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value as Record<string, ArgValue>)) flagNamesIn(item, into);
  return into;
}
