// Platforms in Go's names, as image indexes and `docker --platform` spell them: os/arch[/variant]
// (linux/amd64, linux/arm64, linux/arm/v7). The host's comes from Node's process.arch and, for
// 32-bit arm, the CPU architecture in /proc/cpuinfo, as containerd's platforms package does.
import { readFileSync } from 'node:fs';
import { ImageError } from './errors.js';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
export const hostArch = GO_ARCH[process.arch] ?? process.arch;

function armVariant(): string | undefined {
  try {
    const match = /^CPU architecture\s*:\s*(\d+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match ? `v${match[1]}` : undefined;
  } catch {
    return undefined;
  }
}

let host: Platform | undefined;

export function hostPlatform(): Platform {
  host ??= { os: 'linux', architecture: hostArch, ...(hostArch === 'arm' ? { variant: armVariant() ?? 'v7' } : {}) };
  return host;
}

export function formatPlatform(platform: Platform): string {
  return `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
}

/** Go's spellings folded: x86_64 -> amd64, aarch64 -> arm64 (whose default variant v8 is dropped), armhf -> arm/v7. */
function normalise(platform: Platform): Platform {
  let { architecture, variant } = platform;
  const os = platform.os.toLowerCase();
  architecture = architecture.toLowerCase();
  variant = variant?.toLowerCase();
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'aarch64') architecture = 'arm64';
  if (architecture === 'armhf') [architecture, variant] = ['arm', 'v7'];
  if (architecture === 'armel') [architecture, variant] = ['arm', 'v6'];
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** `os/arch[/variant]` as --platform takes it. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[A-Za-z0-9_.-]+$/.test(part))) {
    throw new ImageError(`invalid platform ${JSON.stringify(text)}: use OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64, linux/arm/v7`);
  }
  return normalise({ os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) });
}

/** Whether an image of `offered` runs on `wanted`: same os and arch, and the variant when wanted names one (arm: any lower one too). */
export function platformMatches(wanted: Platform, offered: Platform): boolean {
  const a = normalise(wanted);
  const b = normalise(offered);
  if (a.os !== b.os || a.architecture !== b.architecture) return false;
  if (!a.variant || !b.variant) return a.variant === undefined || b.variant === undefined || a.variant === b.variant;
  if (a.architecture === 'arm') return Number(b.variant.slice(1)) <= Number(a.variant.slice(1));
  return a.variant === b.variant;
}

/** The best of `entries` for `wanted`: an exact variant first, then the highest one that runs. */
export function choosePlatform<T>(entries: readonly T[], platformOf: (entry: T) => Platform | undefined, wanted: Platform, what: string): T {
  const candidates = entries.filter((entry) => {
    const offered = platformOf(entry);
    return offered !== undefined && platformMatches(wanted, offered);
  });
  const want = normalise(wanted);
  const exact = candidates.find((entry) => normalise(platformOf(entry)!).variant === want.variant);
  const best = exact ?? [...candidates].sort((x, y) => (normalise(platformOf(y)!).variant ?? '').localeCompare(normalise(platformOf(x)!).variant ?? ''))[0];
  if (best !== undefined) return best;
  const offered = [...new Set(entries.map(platformOf).filter((p): p is Platform => p !== undefined && p.os !== 'unknown').map(formatPlatform))];
  throw new ImageError(`${what} has no ${formatPlatform(want)} image; it offers ${offered.join(', ') || 'no platform'}${offered.length ? ' (choose one with --platform)' : ''}`);
}
