// An OCI runtime config.json as `runc spec` (1.1) writes it, filled in for one container:
// same capabilities, rlimits, mounts, masked and read-only paths; `runc spec --rootless`'s
// changes when a user namespace is asked for (user namespace with id mappings, /sys bound from
// the host rather than mounted). Unlike runc spec: no terminal, a writable root (it is an
// overlay with a private upper dir, as docker's), cgroup namespace, resources and cgroupsPath,
// and docker's default seccomp profile unless another (or none) is asked for.
import type { OciSeccomp } from './seccomp.js';

export interface Mount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    consoleSize?: { height: number; width: number };
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted' | 'ambient', string[]>;
    rlimits: Array<{ type: string; hard: number; soft: number }>;
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: Mount[];
  annotations?: Record<string, string>;
  linux: {
    uidMappings?: IdMapping[];
    gidMappings?: IdMapping[];
    resources: {
      devices: Array<{ allow: boolean; access: string }>;
      memory?: { limit: number };
      pids?: { limit: number };
    };
    cgroupsPath: string;
    namespaces: Array<{ type: string }>;
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: OciSeccomp;
  };
}

export const OCI_VERSION = '1.0.2-dev';

/** runc's default capability set. */
export const DEFAULT_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SpecInput {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  hostname: string;
  rootfs: string;
  cgroupsPath: string;
  memory?: number | undefined;
  pidsLimit?: number | undefined;
  /** Rootless: container ids 0..size-1 are host ids base..base+size-1. */
  userns?: { uid: number; gid: number; size: number } | undefined;
  annotations?: Record<string, string>;
  /** process.terminal, with the size of the user's terminal */
  terminal?: { height: number; width: number } | undefined;
  /** linux.seccomp; none when undefined */
  seccomp?: OciSeccomp | undefined;
}

export function defaultMounts(rootless: boolean): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    rootless
      ? { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

export function runtimeSpec(input: SpecInput): RuntimeSpec {
  const rootless = input.userns !== undefined;
  const caps = () => [...DEFAULT_CAPABILITIES];
  const resources: RuntimeSpec['linux']['resources'] = { devices: [{ allow: false, access: 'rwm' }] };
  if (input.memory !== undefined) resources.memory = { limit: input.memory };
  if (input.pidsLimit !== undefined) resources.pids = { limit: input.pidsLimit };
  const namespaces = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', ...(rootless ? ['user'] : [])].map((type) => ({ type }));
  const spec: RuntimeSpec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: input.terminal !== undefined,
      ...(input.terminal && input.terminal.height && input.terminal.width ? { consoleSize: input.terminal } : {}),
      user: { uid: input.uid, gid: input.gid, ...(input.additionalGids.length > 0 ? { additionalGids: input.additionalGids } : {}) },
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities: { bounding: caps(), effective: caps(), permitted: caps(), ambient: caps() },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: defaultMounts(rootless),
    ...(input.annotations ? { annotations: input.annotations } : {}),
    linux: {
      ...(input.userns
        ? {
            uidMappings: [{ containerID: 0, hostID: input.userns.uid, size: input.userns.size }],
            gidMappings: [{ containerID: 0, hostID: input.userns.gid, size: input.userns.size }],
          }
        : {}),
      resources,
      cgroupsPath: input.cgroupsPath,
      namespaces,
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      ...(input.seccomp ? { seccomp: input.seccomp } : {}),
    },
  };
  return spec;
}
