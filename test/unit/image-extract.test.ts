// Safe layer extraction on crafted tarballs: every hostile entry is refused with its name, and
// nothing is written outside the target; whiteouts come out in overlayfs form; ownership is
// shifted for rootless. Needs root (chown, mknod, trusted.* xattrs).
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extractLayer, type ExtractOptions } from '../../runtime/image/safe-extract.js';
import { ImageError, UnsafeEntryError } from '../../runtime/image/errors.js';
import { getXattr } from '../../runtime/image/sys.js';
import { craftTar, type CraftedEntry } from '../helpers/image-fixtures.js';

const sandbox = mkdtempSync(join(tmpdir(), 'cttrace-extract-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

const victim = join(sandbox, 'victim');
const target = join(sandbox, 'target');

/** Every path under the sandbox except the target, with file contents: must not change. */
function outsideSnapshot(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (path === target) continue;
      const stat = lstatSync(path);
      found.push(`${path} ${stat.mode.toString(8)} ${stat.isFile() ? readFileSync(path, 'utf8') : ''}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(sandbox);
  return found.sort();
}

beforeEach(() => {
  rmSync(victim, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(join(victim, 'etc'), { recursive: true });
  writeFileSync(join(victim, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(victim, 'secret'), 'secret\n');
  mkdirSync(target, { mode: 0o700 });
});

function extract(entries: CraftedEntry[], options: ExtractOptions = {}) {
  return extractLayer(Readable.from([craftTar(entries)]), target, options);
}

/** Extraction must fail naming `entry`, and leave everything outside the target as it was. */
async function expectRefused(entries: CraftedEntry[], entry: string, reason: RegExp, options: ExtractOptions = {}) {
  const before = outsideSnapshot();
  const error = await extract(entries, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `extraction of ${entry} should fail`).toBeInstanceOf(UnsafeEntryError);
  expect((error as UnsafeEntryError).entry).toBe(entry);
  expect((error as Error).message).toContain(JSON.stringify(entry));
  expect((error as Error).message).toMatch(reason);
  expect(outsideSnapshot()).toEqual(before);
  expect(existsSync(join(sandbox, 'evil'))).toBe(false);
}

describe('hostile entries are refused with the entry named', () => {
  it('a .. component', async () => {
    await expectRefused([{ path: '../evil', data: 'x' }], '../evil', /'\.\.' component/);
    await expectRefused([{ path: 'a/../../evil', data: 'x' }], 'a/../../evil', /'\.\.' component/);
  });

  it('an absolute path', async () => {
    await expectRefused([{ path: `${victim}/secret`, data: 'pwned' }], `${victim}/secret`, /absolute path/);
  });

  it('a .. hidden in a pax path (longer than a ustar name)', async () => {
    const long = `${'d/'.repeat(60)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../evil`;
    await expectRefused([{ path: long, data: 'x' }], long, /'\.\.' component/);
  });

  it('writing through a symlinked parent (a -> victim, then a/passwd)', async () => {
    await expectRefused(
      [
        { path: 'a', type: 'SymbolicLink', linkpath: join(victim, 'etc') },
        { path: 'a/passwd', data: 'pwned' },
      ],
      'a/passwd',
      /parent "a" is a symlink/,
    );
  });

  it('a folder made below a symlink (a -> /, then a/etc/)', async () => {
    await expectRefused(
      [
        { path: 'a', type: 'SymbolicLink', linkpath: '/' },
        { path: 'a/etc/', type: 'Directory' },
      ],
      'a/etc/',
      /symlink/,
    );
  });

  it('a symlink whose relative target climbs out of the layer', async () => {
    await expectRefused([{ path: 'up', type: 'SymbolicLink', linkpath: '../../victim' }], 'up', /points outside the layer root/);
    await expectRefused([{ path: 'x/y/up', type: 'SymbolicLink', linkpath: '../../../etc' }], 'x/y/up', /outside the layer root/);
  });

  it('a hardlink to an absolute path, through .., to a missing entry or through a symlink', async () => {
    await expectRefused([{ path: 'h', type: 'Link', linkpath: join(victim, 'secret') }], 'h', /absolute hardlink target/);
    await expectRefused([{ path: 'h', type: 'Link', linkpath: '../victim/secret' }], 'h', /'\.\.' component/);
    await expectRefused([{ path: 'h', type: 'Link', linkpath: 'nothing/here' }], 'h', /not an earlier entry/);
    await expectRefused(
      [
        { path: 'v', type: 'SymbolicLink', linkpath: victim },
        { path: 'h', type: 'Link', linkpath: 'v/secret' },
      ],
      'h',
      /not an earlier entry/,
    );
    await expectRefused(
      [
        { path: 'd/', type: 'Directory' },
        { path: 'h', type: 'Link', linkpath: 'd' },
      ],
      'h',
      /is a directory/,
    );
  });

  it('a device node in rootless mode', async () => {
    await expectRefused([{ path: 'dev/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }], 'dev/null', /device nodes are refused in rootless mode/, {
      shift: { uid: 100000, gid: 100000, size: 65536 },
    });
    await expectRefused([{ path: 'sda', type: 'BlockDevice', devmaj: 8, devmin: 0 }], 'sda', /rootless/, { shift: { uid: 100000, gid: 100000, size: 65536 } });
  });

  it('an owner outside the user namespace in rootless mode', async () => {
    await expectRefused([{ path: 'f', data: 'x', uid: 70000 }], 'f', /outside the user namespace/, { shift: { uid: 100000, gid: 100000, size: 65536 } });
  });

  it('an entry below a file, and an unsupported entry type', async () => {
    await expectRefused(
      [
        { path: 'f', data: 'x' },
        { path: 'f/g', data: 'y' },
      ],
      'f/g',
      /not a directory/,
    );
    await expectRefused([{ path: 'sparse', type: 'SparseFile', data: 'x' }], 'sparse', /unsupported entry type/);
  });

  it('a whiteout of a name the same layer creates', async () => {
    await expectRefused(
      [
        { path: 'etc/passwd', data: 'x' },
        { path: 'etc/.wh.passwd' },
      ],
      'etc/.wh.passwd',
      /which this same layer creates/,
    );
  });
});

describe('what is allowed stays inside', () => {
  it('keeps absolute symlinks as container paths and never follows them', async () => {
    const before = outsideSnapshot();
    await extract([
      { path: 'bin/', type: 'Directory' },
      { path: 'bin/busybox', data: '#!', mode: 0o755 },
      { path: 'bin/sh', type: 'SymbolicLink', linkpath: '/bin/busybox' },
      // a file entry over an absolute symlink replaces the link; the link's target is untouched
      { path: 'passwd', type: 'SymbolicLink', linkpath: join(victim, 'etc/passwd') },
      { path: 'passwd', data: 'inside\n' },
      // a folder entry over a symlink to a folder replaces the link too
      { path: 'etc', type: 'SymbolicLink', linkpath: join(victim, 'etc') },
      { path: 'etc/', type: 'Directory' },
      { path: 'etc/passwd', data: 'root\n' },
      // a hardlink to an absolute symlink links the symlink itself
      { path: 'abs', type: 'SymbolicLink', linkpath: join(victim, 'secret') },
      { path: 'abs2', type: 'Link', linkpath: 'abs' },
    ]);
    expect(readlinkSync(join(target, 'bin/sh'))).toBe('/bin/busybox');
    expect(readFileSync(join(target, 'passwd'), 'utf8')).toBe('inside\n');
    expect(lstatSync(join(target, 'etc')).isDirectory()).toBe(true);
    expect(readFileSync(join(target, 'etc/passwd'), 'utf8')).toBe('root\n');
    expect(lstatSync(join(target, 'abs2')).isSymbolicLink()).toBe(true);
    expect(outsideSnapshot()).toEqual(before);
  });

  it('unpacks files, folders, links, long names, owners, modes and FIFOs', async () => {
    const longName = `deep/${'n'.repeat(150)}`;
    const stats = await extract([
      { path: './', type: 'Directory', mode: 0o755 },
      { path: './usr/bin/', type: 'Directory', mode: 0o755 },
      { path: './usr/bin/tool', data: 'tool', mode: 0o4755, uid: 0, gid: 0 },
      { path: './usr/bin/hard', type: 'Link', linkpath: './usr/bin/tool' },
      { path: 'usr/lib/x/up', type: 'SymbolicLink', linkpath: '../../bin/tool' },
      { path: 'home/user/', type: 'Directory', mode: 0o700, uid: 1000, gid: 1000 },
      { path: 'home/user/file', data: 'mine', uid: 1000, gid: 1000, mode: 0o600 },
      { path: longName, data: 'long' },
      { path: 'run/fifo', type: 'FIFO', mode: 0o644 },
      { path: 'dev/null', type: 'CharacterDevice', devmaj: 1, devmin: 3, mode: 0o666 },
      { path: 'xattr', data: 'x', pax: { 'SCHILY.xattr.user.cttrace': 'yes', 'SCHILY.xattr.trusted.overlay.opaque': 'y' } },
    ]);
    expect(stats.entries).toBe(11);
    const tool = lstatSync(join(target, 'usr/bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(lstatSync(join(target, 'usr/bin/hard')).ino).toBe(tool.ino);
    expect(readlinkSync(join(target, 'usr/lib/x/up'))).toBe('../../bin/tool');
    const home = lstatSync(join(target, 'home/user'));
    expect([home.uid, home.gid, home.mode & 0o7777]).toEqual([1000, 1000, 0o700]);
    expect(readFileSync(join(target, longName), 'utf8')).toBe('long');
    expect(lstatSync(join(target, 'run/fifo')).isFIFO()).toBe(true);
    const dev = lstatSync(join(target, 'dev/null'));
    expect(dev.isCharacterDevice()).toBe(true);
    expect(dev.rdev).toBe(0x103);
    expect(getXattr(join(target, 'xattr'), 'user.cttrace')?.toString()).toBe('yes');
    expect(getXattr(join(target, 'xattr'), 'trusted.overlay.opaque')).toBeUndefined(); // never taken from a tar
    expect(lstatSync(join(target, 'deep')).mode & 0o7777).toBe(0o755); // implied folder
  });

  it('shifts owners into the user namespace range for rootless', async () => {
    await extract(
      [
        { path: 'root/', type: 'Directory', mode: 0o700 },
        { path: 'home/u/f', data: 'x', uid: 1000, gid: 100 },
        { path: 'l', type: 'SymbolicLink', linkpath: '/x', uid: 5, gid: 5 },
      ],
      { shift: { uid: 100000, gid: 200000, size: 65536 } },
    );
    const owner = (path: string) => {
      const stat = lstatSync(join(target, path));
      return [stat.uid, stat.gid];
    };
    expect(owner('root')).toEqual([100000, 200000]);
    expect(owner('home/u/f')).toEqual([101000, 200100]);
    expect(owner('home')).toEqual([100000, 200000]);
    expect(owner('l')).toEqual([100005, 200005]);
    expect(owner('.')).toEqual([100000, 200000]);
  });
});

describe('whiteouts in overlayfs form', () => {
  it('.wh.NAME becomes a 0/0 character device, .wh..wh..opq an opaque xattr', async () => {
    const stats = await extract([
      { path: 'etc/', type: 'Directory' },
      { path: 'etc/.wh.deleteme' },
      { path: 'gone/deeper/.wh.file' }, // parents implied
      { path: 'data/.wh..wh..opq' },
      { path: 'data/new', data: 'new' },
      { path: '.wh..wh.plnk/', type: 'Directory' }, // aufs metadata: skipped
      { path: '.wh..wh.plnk/123.456', data: 'x' },
    ]);
    expect(stats.whiteouts).toBe(2);
    expect(stats.opaqueDirs).toBe(1);
    for (const path of ['etc/deleteme', 'gone/deeper/file']) {
      const stat = lstatSync(join(target, path));
      expect(stat.isCharacterDevice()).toBe(true);
      expect(stat.rdev).toBe(0);
    }
    expect(existsSync(join(target, 'etc/.wh.deleteme'))).toBe(false);
    expect(getXattr(join(target, 'data'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(getXattr(join(target, 'etc'), 'trusted.overlay.opaque')).toBeUndefined();
    expect(readFileSync(join(target, 'data/new'), 'utf8')).toBe('new');
    expect(existsSync(join(target, '.wh..wh.plnk'))).toBe(false);
  });
});

describe('corrupt archives', () => {
  it('a bad header checksum is a format error', async () => {
    const data = craftTar([{ path: 'a', data: 'x' }]);
    data[0] = 'b'.charCodeAt(0); // the name changes, the checksum does not
    const error = await extractLayer(Readable.from([data]), target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as Error).message).toMatch(/corrupt layer/);
  });

  it('a truncated archive is a format error', async () => {
    const data = craftTar([{ path: 'a', data: Buffer.alloc(5000, 1) }]).subarray(0, 2048);
    const error = await extractLayer(Readable.from([data]), target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as Error).message).toMatch(/Truncated|corrupt/i);
  });

  it('garbage is refused', async () => {
    const error = await extractLayer(Readable.from([Buffer.alloc(4096, 0x41)]), target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
  });
});

