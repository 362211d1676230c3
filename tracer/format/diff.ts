// `cttrace diff` on a terminal: the shape of `diff -u` (--- A, +++ B, @@ sections, lines with
// ' ', '-', '+'), coloured on a terminal: the phases' times, the roles paired, then per role the
// calls only in A (-), only in B (+), and changed (- then +, then # the flags added and removed),
// with a few of the same calls around them (' ').
import type { RunMasks } from '../analysis/call-diff.js';
import { callText } from '../analysis/call-diff.js';
import type { RoleDiff, TraceDiff } from '../analysis/trace-diff.js';

export interface DiffStyle {
  readonly header: (text: string) => string;
  readonly section: (text: string) => string;
  readonly removed: (text: string) => string;
  readonly added: (text: string) => string;
  readonly note: (text: string) => string;
}

const ansi = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
export const COLOUR_DIFF: DiffStyle = { header: ansi('1'), section: ansi('36'), removed: ansi('31'), added: ansi('32'), note: ansi('2') };
const plain = (text: string) => text;
export const PLAIN_DIFF: DiffStyle = { header: plain, section: plain, removed: plain, added: plain, note: plain };

/** Lines of the same calls shown around each difference, as diff -u's 3. */
const CONTEXT = 3;

export interface DiffSide {
  readonly file: string;
  readonly description: string;
  readonly masks: RunMasks;
}

const ms = (ns: number | null) => (ns === null ? '-' : (ns / 1e6).toFixed(2));

function change(a: number | null, b: number | null): string {
  if (a === null || b === null) return '';
  const delta = (b - a) / 1e6;
  const percent = a > 0 ? ` (${delta >= 0 ? '+' : ''}${Math.round(((b - a) / a) * 100)}%)` : '';
  return `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}${percent}`;
}

function phaseLines(diff: TraceDiff): string[] {
  const width = Math.max(14, ...diff.phases.map((phase) => phase.name.length)) + 2;
  return [
    ` ${'phase (ms)'.padEnd(width)}${'A'.padStart(10)}${'B'.padStart(10)}  change`,
    ...diff.phases.map((phase) => ` ${phase.name.padEnd(width)}${ms(phase.a).padStart(10)}${ms(phase.b).padStart(10)}  ${change(phase.a, phase.b)}`),
  ];
}

function roleLines(diff: TraceDiff, style: DiffStyle): string[] {
  const width = Math.max(...diff.roles.map((role) => (role.a ?? '-').length), 1) + 2;
  return diff.roles.map((role) => {
    const text = `${role.kind.padEnd(16)}${(role.a ?? '-').padEnd(width)}${role.b ?? '-'}`;
    return role.a === null ? style.added(`+${text}`) : role.b === null ? style.removed(`-${text}`) : ` ${text}`;
  });
}

function roleTitle(role: RoleDiff): string {
  const { same, onlyA, onlyB, changed } = role.counts;
  const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`;
  if (!role.b) return `@@ ${role.kind} only in A: ${role.a}: ${calls(onlyA)} @@`;
  if (!role.a) return `@@ ${role.kind} only in B: ${role.b}: ${calls(onlyB)} @@`;
  return `@@ ${role.kind}: ${role.a} | ${role.b}: ${onlyA} only in A, ${onlyB} only in B, ${changed} changed, ${same} the same @@`;
}

function callLines(role: RoleDiff, a: DiffSide, b: DiffSide, style: DiffStyle): string[] {
  const shown = role.lines.map((line) => line.kind !== 'same');
  const near = role.lines.map((_, index) => shown.slice(Math.max(0, index - CONTEXT), index + CONTEXT + 1).some(Boolean));
  const out: string[] = [];
  let skipped = false;
  role.lines.forEach((line, index) => {
    if (!near[index]) {
      skipped = true;
      return;
    }
    if (skipped && out.length) out.push(style.note(' …'));
    skipped = false;
    switch (line.kind) {
      case 'same':
        out.push(` ${callText(line.a, a.masks, false)}`);
        break;
      case 'only-a':
        out.push(style.removed(`-${callText(line.a, a.masks, false)}`));
        break;
      case 'only-b':
        out.push(style.added(`+${callText(line.b, b.masks, false)}`));
        break;
      case 'changed':
        out.push(style.removed(`-${callText(line.a, a.masks, false)}`), style.added(`+${callText(line.b, b.masks, false)}`));
        for (const flags of line.flags) {
          out.push(style.note(`#   ${flags.arg}: ${[...flags.removed.map((flag) => `-${flag}`), ...flags.added.map((flag) => `+${flag}`)].join(' ')}`));
        }
        break;
    }
  });
  return out;
}

export function formatDiff(diff: TraceDiff, a: DiffSide, b: DiffSide, style: DiffStyle): string {
  const lines = [style.header(`--- A ${a.file}\t${a.description}`), style.header(`+++ B ${b.file}\t${b.description}`)];
  lines.push(style.section('@@ phases @@'), ...phaseLines(diff));
  lines.push(style.section('@@ roles (kind, A, B) @@'), ...roleLines(diff, style));
  for (const role of diff.roles) {
    if (role.counts.onlyA + role.counts.onlyB + role.counts.changed === 0) continue;
    lines.push(style.section(roleTitle(role)), ...callLines(role, a, b, style));
  }
  if (diff.same) lines.push(style.note(`# no difference in the calls of ${diff.roles.length} role${diff.roles.length === 1 ? '' : 's'} (only the times may differ)`));
  return `${lines.join('\n')}\n`;
}
