// The built-in `busybox` image: one layer made from the host's static /bin/busybox (Debian's
// busybox-static), with a symlink per applet in /bin, the /etc files of the official busybox
// image and empty mount points. Cached under layers/busybox/<hash of busybox + this recipe>.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, lchownSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { ImageError } from './errors.js';
import type { ImageConfig } from './formats.js';
import { ensureDir, type IdShift, layerRoot, makeTempDir } from './home.js';

export const BUSYBOX = '/bin/busybox';
/** Bump when the layout below changes, so cached layers are rebuilt. */
const RECIPE = 'cttrace-busybox-1';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const busyboxConfig = (): ImageConfig => ({
  entrypoint: [],
  cmd: ['sh'],
  env: [DEFAULT_PATH],
  workingDir: '',
  user: '',
  labels: {},
});

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;

const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
`;

/** Folders and their modes; /proc /sys /dev are the runtime's mount points. */
const DIRS: Array<[string, number]> = [
  ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o555], ['root', 0o700],
  ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['var', 0o755],
  ['var/spool', 0o755], ['var/spool/mail', 0o755], ['var/www', 0o755],
];

/** Whether an ELF executable asks for a program interpreter (is dynamically linked). */
function isDynamic(path: string): boolean {
  const fd = openSync(path, fsConstants.O_RDONLY);
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // not 64-bit ELF: let it be
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return true; // PT_INTERP
    return false;
  } finally {
    closeSync(fd);
  }
}

export interface BusyboxLayer {
  readonly dir: string;
  readonly key: string;
  readonly config: ImageConfig;
}

/**
 * The name under which a layer's key is remembered for this very file: what stat says of it (the
 * ctime changes with any write, and cannot be set back) and the recipe. Reading, hashing and
 * listing the binary took about 15 ms of every `cttrace run -- busybox`.
 */
function statName(busybox: string): string {
  const stat = statSync(busybox, { bigint: true });
  const identity = [RECIPE, stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(' ');
  return `.key-${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

function rememberedKey(root: string, name: string): string | null {
  try {
    const key = readFileSync(join(root, name), 'utf8');
    return /^[0-9a-f]{64}$/.test(key) && existsSync(join(root, key)) ? key : null;
  } catch {
    return null;
  }
}

function rememberKey(root: string, name: string, key: string): void {
  const temp = join(root, `${name}.${process.pid}`);
  try {
    writeFileSync(temp, key, { mode: 0o644 });
    renameSync(temp, join(root, name));
  } catch {
    rmSync(temp, { force: true }); // only a shortcut lost
  }
}

/** The busybox layer for this shift, built on first use. */
export function busyboxLayer(home: string, shift?: IdShift, busybox = BUSYBOX): BusyboxLayer {
  if (!existsSync(busybox)) throw new ImageError(`the built-in busybox image needs ${busybox}: apt-get install busybox-static`);
  const root = ensureDir(join(layerRoot(home, shift), 'busybox'));
  const config = busyboxConfig();
  const name = statName(busybox);
  const remembered = rememberedKey(root, name);
  if (remembered) return { dir: join(root, remembered), key: remembered, config };
  if (isDynamic(busybox)) throw new ImageError(`${busybox} is dynamically linked and would not run in the container: apt-get install busybox-static`);
  const binary = readFileSync(busybox);
  const list = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new ImageError(`${busybox} --list failed: ${list.stderr || list.error?.message}`);
  const applets = list.stdout.split('\n').map((name) => name.trim()).filter((name) => /^[A-Za-z0-9_.[-]+$/.test(name) && name !== 'busybox' && name !== '.' && name !== '..');
  const key = createHash('sha256').update(RECIPE).update('\0').update(binary).update('\0').update(applets.join('\n')).digest('hex');
  const dir = join(root, key);
  if (existsSync(dir)) {
    rememberKey(root, name, key);
    return { dir, key, config };
  }

  const temp = makeTempDir(home, 'busybox');
  try {
    const uid = shift?.uid ?? 0;
    const gid = shift?.gid ?? 0;
    for (const [path, mode] of DIRS) {
      mkdirSync(join(temp, path));
      chmodSync(join(temp, path), mode);
    }
    copyFileSync(busybox, join(temp, 'bin/busybox'), fsConstants.COPYFILE_FICLONE);
    chmodSync(join(temp, 'bin/busybox'), 0o755);
    for (const applet of applets) symlinkSync('busybox', join(temp, 'bin', applet));
    writeFileSync(join(temp, 'etc/passwd'), PASSWD, { mode: 0o644 });
    writeFileSync(join(temp, 'etc/group'), GROUP, { mode: 0o644 });
    writeFileSync(join(temp, 'etc/hostname'), 'busybox\n', { mode: 0o644 });
    const owned = ['.', 'bin/busybox', 'etc/passwd', 'etc/group', 'etc/hostname', ...DIRS.map(([path]) => path), ...applets.map((a) => `bin/${a}`)];
    for (const path of owned) lchownSync(join(temp, path), uid, gid);
    chmodSync(temp, 0o755);
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error; // someone else built it first: theirs is as good
      rmSync(temp, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error instanceof ImageError ? error : new ImageError(`cannot build the busybox image: ${(error as Error).message}`);
  }
  rememberKey(root, name, key);
  return { dir, key, config };
}
