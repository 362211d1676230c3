// Who the user is on this machine: the names and home directories a trace would give away.
// From /etc/passwd (people: uid 1000 and up, not nobody) and the environment ($USER, $HOME,
// $SUDO_USER: the person behind sudo). System accounts (root, daemon...) are not people: "root"
// is in every container path, and /root tells nothing about anyone.
import { readFileSync } from 'node:fs';

export interface LocalIdentity {
  readonly users: readonly string[];
  readonly homes: readonly string[];
}

const FIRST_PERSON_UID = 1000;
const NOBODY_UID = 65534;

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
}

function passwdEntries(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const [name, , uid, , , home] = line.split(':');
    return name && uid !== undefined && /^\d+$/.test(uid) && home !== undefined ? [{ name, uid: Number(uid), home }] : [];
  });
}

export function localIdentity(env: NodeJS.ProcessEnv = process.env, passwd = readPasswd()): LocalIdentity {
  const entries = passwdEntries(passwd);
  const isPerson = (entry: PasswdEntry) => entry.uid >= FIRST_PERSON_UID && entry.uid !== NOBODY_UID;
  const system = new Set(entries.filter((entry) => !isPerson(entry)).map((entry) => entry.name));
  const systemHomes = new Set(entries.filter((entry) => !isPerson(entry)).map((entry) => entry.home));
  const people = entries.filter(isPerson);
  const named = [env.USER, env.SUDO_USER, env.LOGNAME].filter((name): name is string => !!name && !system.has(name));
  const users = [...new Set([...people.map((entry) => entry.name), ...named])];
  const homeOf = (name: string) => entries.find((entry) => entry.name === name)?.home;
  const homes = [env.HOME, ...people.map((entry) => entry.home), ...named.map(homeOf)]
    .filter((home): home is string => !!home && home.startsWith('/') && home.length > 1 && !systemHomes.has(home) && home !== '/nonexistent')
    .map((home) => home.replace(/\/+$/, ''));
  return { users, homes: [...new Set(homes)] };
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}
