// Running the built CLI as an unprivileged user (nobody): the clone may sit below a folder that
// user cannot enter (/root is 0700) or have been built under umask 077, so what the CLI needs is
// copied to a folder everyone can read, and run from there.
import { chmodSync, cpSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** What `bin/cttrace.js` loads: the bundled CLI (the tables are inside it), koffi (kept outside the bundle) and its native module (@koromix/koffi-PLATFORM), the engine. */
const NEEDED = ['package.json', 'bin', 'dist/cli', 'node_modules/koffi', 'node_modules/@koromix', 'native/build/libcttrace.so'];

/** chmod -R a+rX: files readable by all, folders and executables enterable and runnable by all. */
function openToAll(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  const executable = stat.isDirectory() || (stat.mode & 0o100) !== 0;
  chmodSync(path, (stat.mode & 0o7777) | (executable ? 0o555 : 0o444));
  if (stat.isDirectory()) for (const name of readdirSync(path)) openToAll(join(path, name));
}

/** Runs `body` with the path of a world-readable copy of bin/cttrace.js; the copy is removed after. */
export function withWorldReadableCli<T>(body: (cliPath: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'cttrace-unprivileged-'));
  try {
    for (const path of NEEDED) cpSync(join(repoRoot, path), join(root, path), { recursive: true });
    openToAll(root);
    return body(join(root, 'bin', 'cttrace.js'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
