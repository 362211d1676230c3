// Image formats on real images made by real tools (buildah with overlay storage, umoci, skopeo):
// OCI layouts, docker-archive (legacy and Docker 25+ forms), oci-archive, gzip'd archives;
// whiteouts honoured in the merged overlay view; digests verified; the cache unpacks once;
// progress lines. Needs root (overlay mounts, mknod, trusted.* xattrs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, cpSync, createReadStream, createWriteStream, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { createContainerFs, mountsUnder } from '../../runtime/bundle/overlay.js';
import { ImageError } from '../../runtime/image/errors.js';
import { makeProgress, progressLine, silentProgress } from '../../runtime/image/progress.js';
import { busyboxLayer } from '../../runtime/image/busybox.js';
import { resolveImage, type Image } from '../../runtime/image/store.js';
import { getXattr } from '../../runtime/image/sys.js';
import { buildahImages, type BuildahImages, hasTool, umociImage } from '../helpers/image-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'cttrace-images-'));
let homes = 0;
/** A fresh, empty cache. */
const freshHome = () => join(work, `home-${++homes}`);

const haveBuildah = hasTool('buildah') && hasTool('skopeo');
const haveUmoci = hasTool('umoci');
if (!haveBuildah) console.log('skipping the buildah image tests: buildah or skopeo is not installed (apt-get install buildah skopeo)');
if (!haveUmoci) console.log('skipping the umoci image test: umoci is not installed (apt-get install umoci)');

let busyboxRootfs: string;
let built: BuildahImages;
let umociLayout: string;

beforeAll(async () => {
  const busybox = await resolveImage('busybox', { home: join(work, 'busybox-home'), progress: false });
  busyboxRootfs = busybox.layers[0]!;
  if (haveBuildah) built = buildahImages(work, busyboxRootfs);
  if (haveUmoci) umociLayout = umociImage(work, busyboxRootfs);
}, 120_000);

afterAll(() => {
  expect(mountsUnder(work)).toEqual([]);
  rmSync(work, { recursive: true, force: true });
});

/** The merged view of the image through a real overlay mount; unmounted and removed after. */
function merged<T>(image: Image, home: string, look: (rootfs: string) => T): T {
  const fs = createContainerFs(image, `look-${homes}-${Math.random().toString(16).slice(2)}`, home);
  try {
    return look(fs.rootfs);
  } finally {
    fs.remove();
    expect(existsSync(fs.dir)).toBe(false);
    expect(mountsUnder(fs.dir)).toEqual([]);
  }
}

/** What the whiteout layers must have done, seen through the overlay. */
function expectWhiteoutsHonoured(rootfs: string): void {
  expect(existsSync(join(rootfs, 'etc/deleteme'))).toBe(false); // deleted in layer 2
  expect(readdirSync(join(rootfs, 'data'))).toEqual(['new']); // replaced in layer 3
  expect(readFileSync(join(rootfs, 'data/new'), 'utf8')).toBe('new\n');
  expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
  expect(lstatSync(join(rootfs, 'bin/sh')).isSymbolicLink()).toBe(true);
  expect(statSync(join(rootfs, 'bin/busybox')).mode & 0o111).not.toBe(0);
}

function noTemps(home: string): void {
  const tmp = join(home, 'tmp');
  if (existsSync(tmp)) expect(readdirSync(tmp)).toEqual([]);
}

describe('the built-in busybox image', () => {
  it('remembers the layer of a binary it has seen, and makes a new one when the binary changes', () => {
    const home = freshHome();
    const binary = join(work, 'busybox-copy');
    copyFileSync('/bin/busybox', binary);
    const first = busyboxLayer(home, undefined, binary);
    const root = join(first.dir, '..');
    expect(readdirSync(root).filter((name) => name.startsWith('.key-'))).toHaveLength(1);
    const again = busyboxLayer(home, undefined, binary);
    expect(again).toEqual(first);
    // a changed binary (trailing bytes: it still runs) is a new layer
    appendFileSync(binary, 'x');
    const changed = busyboxLayer(home, undefined, binary);
    expect(changed.key).not.toBe(first.key);
    expect(existsSync(join(changed.dir, 'bin/busybox'))).toBe(true);
    expect(readFileSync(join(changed.dir, 'bin/busybox')).length).toBe(readFileSync(binary).length);
    // a remembered key whose layer was removed is not trusted
    rmSync(changed.dir, { recursive: true, force: true });
    expect(busyboxLayer(home, undefined, binary).dir).toBe(changed.dir);
    expect(existsSync(join(changed.dir, 'bin/busybox'))).toBe(true);
  });
});

describe.skipIf(!haveBuildah)('a buildah image with a deleted file and an opaque folder', () => {
  it('OCI layout: three layers, whiteouts in overlay form, honoured in the merged view', async () => {
    const home = freshHome();
    const image = await resolveImage(`oci:${built.layout}:latest`, { home, progress: false });
    expect(image.layers).toHaveLength(3);
    expect(image.config.cmd).toEqual(['sh']);
    expect(image.config.workingDir).toBe('/data');
    expect(image.id).toMatch(/^sha256:[a-f0-9]{64}$/);
    const [, second, third] = image.layers as [string, string, string];
    const whiteout = lstatSync(join(second, 'etc/deleteme'));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect(getXattr(join(third, 'data'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(existsSync(join(third, 'data/.wh..wh..opq'))).toBe(false);
    merged(image, home, expectWhiteoutsHonoured);
    noTemps(home);
  });

  it('the cache unpacks each layer once', async () => {
    const home = freshHome();
    const first = await resolveImage(`oci:${built.layout}`, { home, progress: false });
    const inodes = first.layers.map((dir) => statSync(dir).ino);
    const again = await resolveImage(`docker-archive:${built.dockerArchive}`, { home, progress: false });
    expect(again.layers).toEqual(first.layers); // same diff ids, same folders
    expect(again.layers.map((dir) => statSync(dir).ino)).toEqual(inodes);
    expect(readdirSync(join(home, 'layers/sha256'))).toHaveLength(3);
  });

  it('docker-archive written by skopeo (legacy manifest.json, <id>/layer.tar symlinks)', async () => {
    const home = freshHome();
    const image = await resolveImage(`docker-archive:${built.dockerArchive}`, { home, progress: false });
    expect(image.name).toContain('cttrace/test:latest');
    expect(image.layers).toHaveLength(3);
    merged(image, home, expectWhiteoutsHonoured);
    // picked by tag, and a plain .tar path is recognised by content
    await expect(resolveImage(`docker-archive:${built.dockerArchive}:cttrace/test:latest`, { home, progress: false })).resolves.toBeTruthy();
    await expect(resolveImage(built.dockerArchive, { home, progress: false })).resolves.toBeTruthy();
    await expect(resolveImage(`docker-archive:${built.dockerArchive}:other:tag`, { home, progress: false })).rejects.toThrow(/no image tagged other:tag \(tags: docker.io\/cttrace\/test:latest\)/);
  });

  it('docker save of Docker 25+ (an OCI layout with uncompressed layers and manifest.json)', async () => {
    const home = freshHome();
    const image = await resolveImage(built.docker25Archive, { home, progress: false });
    expect(image.layers).toHaveLength(3);
    merged(image, home, expectWhiteoutsHonoured);
    await expect(resolveImage(`docker-archive:${built.docker25Archive}:cttrace/test`, { home, progress: false })).resolves.toBeTruthy();
  });

  it('oci-archive, and a gzip-compressed docker archive', async () => {
    const home = freshHome();
    const image = await resolveImage(`oci-archive:${built.ociArchive}:latest`, { home, progress: false });
    merged(image, home, expectWhiteoutsHonoured);
    await expect(resolveImage(built.ociArchive, { home, progress: false })).resolves.toBeTruthy();
    const gz = join(work, 'docker.tar.gz');
    await pipeline(createReadStream(built.dockerArchive), createGzip(), createWriteStream(gz));
    const home2 = freshHome();
    const fromGz = await resolveImage(gz, { home: home2, progress: false });
    merged(fromGz, home2, expectWhiteoutsHonoured);
    noTemps(home2);
  });

  it('rootless: layers owned by the user namespace ids, in their own store', async () => {
    const home = freshHome();
    const image = await resolveImage(`oci:${built.layout}`, { home, progress: false, rootless: true });
    expect(image.layers[0]).toContain('/remapped/100000.100000/layers/sha256/');
    const passwd = lstatSync(join(image.layers[0]!, 'etc/passwd'));
    expect([passwd.uid, passwd.gid]).toEqual([100000, 100000]);
    merged(image, home, expectWhiteoutsHonoured);
  });

  it('a layer blob that does not match its digest is refused and not cached', async () => {
    const copy = join(work, 'corrupt-layout');
    cpSync(built.layout, copy, { recursive: true });
    const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(copy, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    const top = join(copy, 'blobs/sha256', manifest.layers[2].digest.slice(7));
    // the same tar, compressed differently: a valid layer whose blob digest is wrong
    writeFileSync(top, gzipSync(gunzipSync(readFileSync(top)), { level: 1, memLevel: 1 }));
    const home = freshHome();
    const error = await resolveImage(`oci:${copy}`, { home, progress: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as Error).message).toMatch(/layer 3\/3 .* is corrupt: its digest is sha256:/);
    expect(readdirSync(join(home, 'layers/sha256'))).toHaveLength(2); // the good ones stay cached
    noTemps(home);
    // a tampered manifest no longer matches index.json
    const manifestPath = join(copy, 'blobs/sha256', index.manifests[0].digest.slice(7));
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
    await expect(resolveImage(`oci:${copy}`, { home, progress: false })).rejects.toThrow(/manifest sha256:[a-f0-9]+ in .* is corrupt/);
  });

  it('shows per-layer progress on a terminal', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await resolveImage(`oci:${built.layout}`, { home: freshHome(), progress: out });
    expect(text).toMatch(/^Importing oci:\/.*buildah-oci\n/);
    expect(text).toMatch(/[a-f0-9]{12}: Extracting \[[=> ]{30}\] [\d.]+k?B\/[\d.]+[kM]?B/);
    expect(text.match(/[a-f0-9]{12}: Pull complete/g)?.length).toBeGreaterThanOrEqual(3);
    // nothing when everything is cached already
    text = '';
    await resolveImage(`oci:${built.layout}`, { home: join(work, `home-${homes}`), progress: out });
    expect(text).toBe('');
  });
});

describe.skipIf(!haveUmoci)('an umoci image (per-file whiteouts)', () => {
  it('unpacks with whiteouts honoured in the merged view', async () => {
    const home = freshHome();
    const image = await resolveImage(`oci:${umociLayout}:v3`, { home, progress: false });
    expect(image.layers).toHaveLength(3);
    expect(image.config.cmd).toEqual(['sh']);
    expect(lstatSync(join(image.layers[2]!, 'data/old1')).isCharacterDevice()).toBe(true);
    merged(image, home, expectWhiteoutsHonoured);
    await expect(resolveImage(`oci:${umociLayout}`, { home, progress: false })).rejects.toThrow(/holds 4 images: name one with :TAG \(tags: base, v1, v2, v3\)/);
  });
});

describe('references and errors', () => {
  it('unknown references get one line naming the fix', async () => {
    const home = freshHome();
    const message = (ref: string) => resolveImage(ref, { home, progress: false }).then(() => '', (e: Error) => e.message);
    expect(await message('what?')).toMatch(/^invalid image reference "what\?": a repository name is lowercase/);
    expect(await message(work)).toMatch(/for this folder use dir:/);
    expect(await message('oci:/nonexistent')).toBe('OCI layout /nonexistent does not exist');
    expect(await message('/nonexistent.tar')).toBe('image archive /nonexistent.tar does not exist');
    expect(await message(`oci:${work}`)).toMatch(/is not an OCI image layout/);
    const notTar = join(work, 'not.tar');
    writeFileSync(notTar, 'hello');
    expect(await message(notTar)).toMatch(/not.tar/);
    for (const text of ['what?', '/nonexistent.tar']) expect(await message(text)).not.toContain('\n');
  });

  it('progress is silent when not on a terminal', () => {
    expect(makeProgress(false)).toBe(silentProgress);
    if (!process.stderr.isTTY) expect(makeProgress()).toBe(silentProgress);
    expect(progressLine({ id: 'abc', total: 2_000_000, done: 1_000_000, status: 'Extracting' }, 10)).toBe('abc: Extracting [=====>    ] 1.00MB/2.00MB');
    expect(progressLine({ id: 'abc', total: 10, done: 10, status: 'Already exists' })).toBe('abc: Already exists');
  });
});

