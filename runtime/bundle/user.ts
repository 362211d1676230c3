// The image's `User` (`""`, `uid`, `name`, `uid:gid`, `name:group`, ...) resolved to numeric ids
// through the rootfs's /etc/passwd and /etc/group, as docker does: the primary group from the
// passwd entry unless one is named, the supplementary groups that list the user, HOME from passwd.
import { BundleError } from '../image/errors.js';
import { readInRoot } from './rootfs-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
  name?: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function lines(root: string, path: string): string[][] {
  const data = readInRoot(root, path);
  if (!data) return [];
  return data
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function passwd(root: string): PasswdEntry[] {
  return lines(root, '/etc/passwd')
    .filter((f) => f.length >= 7 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

function groups(root: string): GroupEntry[] {
  return lines(root, '/etc/group')
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }));
}

const NUMERIC = /^\d+$/;
const MAX_ID = 2 ** 32 - 2;

function numeric(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > MAX_ID) throw new BundleError(`${what} ${text} is out of range`);
  return value;
}

export function resolveUser(root: string, spec: string): ResolvedUser {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const users = passwd(root);
  let entry: PasswdEntry | undefined;
  let uid: number;
  if (userPart === '') {
    uid = 0;
    entry = users.find((u) => u.uid === 0);
  } else if (NUMERIC.test(userPart)) {
    uid = numeric(userPart, 'uid');
    entry = users.find((u) => u.uid === uid);
  } else {
    entry = users.find((u) => u.name === userPart);
    if (!entry) throw new BundleError(`user ${JSON.stringify(userPart)} is not in the image's /etc/passwd (give a numeric uid)`);
    uid = entry.uid;
  }
  const allGroups = groups(root);
  let gid: number;
  if (groupPart === undefined || groupPart === '') {
    gid = entry?.gid ?? 0;
  } else if (NUMERIC.test(groupPart)) {
    gid = numeric(groupPart, 'gid');
  } else {
    const group = allGroups.find((g) => g.name === groupPart);
    if (!group) throw new BundleError(`group ${JSON.stringify(groupPart)} is not in the image's /etc/group (give a numeric gid)`);
    gid = group.gid;
  }
  const additionalGids = entry ? [...new Set(allGroups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid))] : [];
  return {
    uid,
    gid,
    additionalGids,
    home: entry?.home || '/',
    ...(entry ? { name: entry.name } : {}),
  };
}
