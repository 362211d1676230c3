// Seccomp profiles in docker's format (moby's profiles/seccomp: archMap, rules with
// includes/excludes by architecture, kernel and capability), resolved into the OCI
// `linux.seccomp` a runtime reads, as dockerd does for `docker run`. docker's default profile is
// data (seccomp/docker-default.json); `--seccomp FILE.json` takes a profile in the same format
// (or a plain OCI one, with `architectures`), as `docker run --security-opt seccomp=FILE` does.
import { existsSync, readFileSync } from 'node:fs';
import { arch as hostArch, release } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../tracer/paths.js';
import { BundleError } from '../image/errors.js';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface OciSeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSeccompRule[];
}

interface Condition {
  arches?: string[];
  caps?: string[];
  minKernel?: string;
}

interface ProfileRule extends Partial<OciSeccompRule> {
  name?: string;
  comment?: string;
  includes?: Condition;
  excludes?: Condition;
}

interface Profile extends Omit<OciSeccomp, 'syscalls'> {
  archMap?: Array<{ architecture: string; subArchitectures: string[] | null }>;
  syscalls?: ProfileRule[];
}

export interface SeccompTarget {
  /** Go's name of the architecture (amd64, arm64, ...): what includes/excludes `arches` name. */
  arch: string;
  /** "major.minor" or a full release. */
  kernel: string;
  /** The container's capabilities (its bounding set). */
  capabilities: readonly string[];
}

/** Node's process.arch → Go's GOARCH, the names docker's profiles use. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips64el: 'mips64le', loong64: 'loong64' };

/** GOARCH → the seccomp architecture of native calls, the key into archMap. */
const NATIVE_SECCOMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  '386': 'SCMP_ARCH_X86',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
  mips64le: 'SCMP_ARCH_MIPSEL64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

export function hostSeccompTarget(capabilities: readonly string[]): SeccompTarget {
  return { arch: GO_ARCH[hostArch()] ?? hostArch(), kernel: release(), capabilities };
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  const [wantMajor = 0, wantMinor = 0] = min.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/** Whether a rule's includes/excludes let it apply to this target (docker's rules). */
function applies(rule: ProfileRule, target: SeccompTarget): boolean {
  const { includes = {}, excludes = {} } = rule;
  if (excludes.arches?.includes(target.arch)) return false;
  if (excludes.caps?.some((cap) => target.capabilities.includes(cap))) return false;
  if (excludes.minKernel && kernelAtLeast(target.kernel, excludes.minKernel)) return false;
  if (includes.arches && !includes.arches.includes(target.arch)) return false;
  if (includes.caps && !includes.caps.every((cap) => target.capabilities.includes(cap))) return false;
  if (includes.minKernel && !kernelAtLeast(target.kernel, includes.minKernel)) return false;
  return true;
}

/** A docker-format (or OCI-format) profile → the OCI linux.seccomp for this target. */
export function resolveSeccompProfile(profile: Profile, target: SeccompTarget, source = 'the seccomp profile'): OciSeccomp {
  if (typeof profile !== 'object' || profile === null || typeof profile.defaultAction !== 'string') {
    throw new BundleError(`${source} has no defaultAction`);
  }
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new BundleError(`${source} has both architectures and archMap: keep one`);
  }
  const out: OciSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const native = NATIVE_SECCOMP_ARCH[target.arch];
  const entry = profile.archMap?.find((a) => a.architecture === native);
  if (entry) out.architectures = [entry.architecture, ...(entry.subArchitectures ?? [])];
  else if (profile.architectures?.length) out.architectures = [...profile.architectures];
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;
  out.syscalls = [];
  for (const [index, rule] of (profile.syscalls ?? []).entries()) {
    if (rule.name && rule.names?.length) throw new BundleError(`${source}: syscalls[${index}] has both name and names`);
    const names = rule.names ?? (rule.name ? [rule.name] : []);
    if (names.length === 0 || typeof rule.action !== 'string') throw new BundleError(`${source}: syscalls[${index}] needs names and an action`);
    if (!applies(rule, target)) continue;
    const resolved: OciSeccompRule = { names: [...names], action: rule.action };
    if (rule.errnoRet !== undefined) resolved.errnoRet = rule.errnoRet;
    if (rule.args?.length) resolved.args = rule.args.map((a) => ({ ...a }));
    out.syscalls.push(resolved);
  }
  return out;
}

export const DOCKER_DEFAULT_PROFILE_PATH = join(packageRoot, 'runtime', 'bundle', 'seccomp', 'docker-default.json');

function readProfile(path: string, what: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BundleError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as Profile;
  } catch (error) {
    throw new BundleError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** docker's default profile for this host and these capabilities. */
export function dockerDefaultSeccomp(capabilities: readonly string[]): OciSeccomp {
  return resolveSeccompProfile(readProfile(DOCKER_DEFAULT_PROFILE_PATH, 'the default seccomp profile'), hostSeccompTarget(capabilities));
}

/** `--seccomp`: 'default' (docker's), 'unconfined' (none) or a profile file, as docker's --security-opt seccomp=. */
export function seccompFor(option: string, capabilities: readonly string[]): OciSeccomp | undefined {
  if (option === 'unconfined') return undefined;
  if (option === 'default') return dockerDefaultSeccomp(capabilities);
  if (!existsSync(option)) throw new BundleError(`seccomp profile ${option} does not exist: give default, unconfined or a profile FILE.json`);
  return resolveSeccompProfile(readProfile(option, 'seccomp profile'), hostSeccompTarget(capabilities), `seccomp profile ${option}`);
}
