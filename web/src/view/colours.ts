// Colours of the timeline: one per syscall family (FAMILIES order), failures, phases.
import { FAMILIES, type Family } from '../model/family-index.js';

export const FAMILY_COLOURS: Readonly<Record<Family, string>> = {
  namespaces: '#9b59b6',
  mounts: '#2e86de',
  process: '#27ae60',
  exec: '#e67e22',
  cgroups: '#16a085',
  files: '#8395a7',
  ids: '#c9a227',
  other: '#b2bec3',
};

export const FAMILY_COLOUR_LIST: readonly string[] = FAMILIES.map((family) => FAMILY_COLOURS[family]);

export const FAILED_COLOUR = '#e74c3c';
export const SELECTION_COLOUR = '#111';
export const ARROW_COLOUR = 'rgba(39, 174, 96, 0.85)';
export const THREAD_ARROW_COLOUR = 'rgba(127, 140, 141, 0.8)';
export const PLAYHEAD_COLOUR = '#d35400';

export const PHASE_COLOURS: Readonly<Record<string, string>> = {
  'runtime start': '#dfe6e9',
  cgroup: '#a3e4d7',
  namespaces: '#d7bde2',
  rootfs: '#aed6f1',
  pivot_root: '#f5b7b1',
  exec: '#fad7a0',
  running: '#abebc6',
  teardown: '#d5d8dc',
};

export const NAMESPACE_KIND_COLOURS: Readonly<Record<string, string>> = {
  mnt: '#2e86de',
  pid: '#8e44ad',
  net: '#e67e22',
  ipc: '#16a085',
  uts: '#c0392b',
  user: '#2c3e50',
  cgroup: '#27ae60',
  time: '#7f8c8d',
};

/** the calls `cttrace diff` marks (only in this trace, or with other arguments) */
export const DIFFERENCE_COLOUR = '#e0249a';
