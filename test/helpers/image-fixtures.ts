// Test images made by real tools from the busybox rootfs, and crafted tarballs.
//
// buildah (overlay storage, so a replaced folder becomes an opaque whiteout):
//   layer 1: busybox + /etc/deleteme + /data/old1 /data/old2
//   layer 2: /etc/deleteme deleted            -> etc/.wh.deleteme
//   layer 3: /data replaced by /data/new      -> data/.wh..wh..opq + data/new
// exported as an OCI layout (gzip layers), a docker-archive (skopeo: legacy manifest.json with
// <id>/layer.tar symlinks), an oci-archive, and the Docker 25+ `docker save` form (an OCI layout
// with uncompressed layers plus manifest.json, built here from the layout).
// umoci: the same three changes; umoci writes per-file whiteouts (`data/.wh.old1`) instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, symlinkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar';
import { mountsUnder } from '../../runtime/bundle/overlay.js';
import { umount2, MNT_DETACH } from '../../runtime/image/sys.js';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

/**
 * A small busybox rootfs (the binary, a few applets, /etc, mount points: small so that tests
 * unpack fast) with the files the whiteout layers change.
 */
function baseRootfs(busyboxRootfs: string, dir: string): string {
  for (const sub of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'data']) mkdirSync(join(dir, sub), { recursive: true });
  copyFileSync(join(busyboxRootfs, 'bin/busybox'), join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'ls', 'cat', 'echo', 'id', 'hostname']) symlinkSync('busybox', join(dir, 'bin', applet));
  for (const file of ['passwd', 'group']) cpSync(join(busyboxRootfs, 'etc', file), join(dir, 'etc', file));
  chmodSync(join(dir, 'tmp'), 0o1777);
  writeFileSync(join(dir, 'etc/deleteme'), 'bye\n');
  writeFileSync(join(dir, 'data/old1'), 'one\n');
  writeFileSync(join(dir, 'data/old2'), 'two\n');
  return dir;
}

export interface BuildahImages {
  layout: string;
  dockerArchive: string;
  ociArchive: string;
  docker25Archive: string;
}

export function buildahImages(work: string, busyboxRootfs: string): BuildahImages {
  const root = join(work, 'buildah-root');
  const buildah = (...args: string[]) => run('buildah', ['--root', root, '--runroot', join(work, 'buildah-run'), '--storage-driver', 'overlay', ...args]);
  try {
    const src = baseRootfs(busyboxRootfs, join(work, 'buildah-src'));
    const c1 = buildah('from', 'scratch');
    buildah('copy', c1, `${src}/`, '/');
    buildah('config', '--cmd', 'sh', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--workingdir', '/data', c1);
    buildah('commit', '-q', c1, 'img1');
    const c2 = buildah('from', 'img1');
    let mnt = buildah('mount', c2);
    rmSync(join(mnt, 'etc/deleteme'));
    buildah('umount', c2);
    buildah('commit', '-q', c2, 'img2');
    const c3 = buildah('from', 'img2');
    mnt = buildah('mount', c3);
    rmSync(join(mnt, 'data'), { recursive: true });
    mkdirSync(join(mnt, 'data'));
    writeFileSync(join(mnt, 'data/new'), 'new\n');
    buildah('umount', c3);
    buildah('commit', '-q', c3, 'img3');
    const layout = join(work, 'buildah-oci');
    buildah('push', '-q', 'img3', `oci:${layout}:latest`);
    const dockerArchive = join(work, 'buildah-docker.tar');
    run('skopeo', ['copy', '-q', `oci:${layout}:latest`, `docker-archive:${dockerArchive}:cttrace/test:latest`]);
    const ociArchive = join(work, 'buildah-oci.tar');
    run('skopeo', ['copy', '-q', `oci:${layout}:latest`, `oci-archive:${ociArchive}:latest`]);
    const docker25Archive = docker25Save(layout, join(work, 'docker25'), join(work, 'docker25.tar'));
    return { layout, dockerArchive, ociArchive, docker25Archive };
  } finally {
    spawnSync('buildah', ['--root', root, '--runroot', join(work, 'buildah-run'), '--storage-driver', 'overlay', 'rm', '--all'], { stdio: 'ignore' });
    for (const point of mountsUnder(work)) {
      try {
        umount2(point, MNT_DETACH);
      } catch {
        // gone already
      }
    }
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** What Docker 25+ `docker save` writes: an OCI layout with uncompressed layers, plus manifest.json. */
function docker25Save(layout: string, dir: string, file: string): string {
  const blob = (digest: string) => readFileSync(join(layout, 'blobs/sha256', digest.slice(7)));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
  const configRaw = blob(manifest.config.digest);
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const put = (data: Buffer) => {
    const hex = sha256(data);
    writeFileSync(join(dir, 'blobs/sha256', hex), data);
    return hex;
  };
  const configHex = put(configRaw);
  const layers = manifest.layers.map((layer: { digest: string }) => {
    const tarData = gunzipSync(blob(layer.digest));
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${put(tarData)}`, size: tarData.length };
  });
  const newManifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: configRaw.length },
    layers,
  }));
  const manifestHex = put(newManifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${manifestHex}`,
      size: newManifest.length,
      annotations: { 'io.containerd.image.name': 'docker.io/cttrace/test:latest', 'org.opencontainers.image.ref.name': 'latest' },
    }],
  }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{
    Config: `blobs/sha256/${configHex}`,
    RepoTags: ['cttrace/test:latest'],
    Layers: layers.map((layer: { digest: string }) => `blobs/sha256/${layer.digest.slice(7)}`),
  }]));
  writeFileSync(join(dir, 'repositories'), JSON.stringify({ 'cttrace/test': { latest: layers.at(-1).digest.slice(7) } }));
  tar.c({ cwd: dir, file, sync: true, portable: true }, ['blobs', 'index.json', 'manifest.json', 'oci-layout', 'repositories']);
  return file;
}

/** An umoci-made OCI layout (tag v3) with the same changes, as per-file whiteouts. */
export function umociImage(work: string, busyboxRootfs: string): string {
  const layout = join(work, 'umoci-oci');
  const bundle = join(work, 'umoci-bundle');
  run('umoci', ['init', '--layout', layout]);
  run('umoci', ['new', '--image', `${layout}:base`]);
  run('umoci', ['unpack', '--image', `${layout}:base`, bundle]);
  const rootfs = join(bundle, 'rootfs');
  rmSync(rootfs, { recursive: true });
  baseRootfs(busyboxRootfs, rootfs);
  run('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:v1`, bundle]);
  rmSync(join(rootfs, 'etc/deleteme'));
  run('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:v2`, bundle]);
  rmSync(join(rootfs, 'data'), { recursive: true });
  mkdirSync(join(rootfs, 'data'));
  writeFileSync(join(rootfs, 'data/new'), 'new\n');
  run('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:v3`, bundle]);
  run('umoci', ['config', '--image', `${layout}:v3`, '--config.cmd', 'sh']);
  return layout;
}

// ---- crafted tarballs -------------------------------------------------------------------------

export interface CraftedEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO' | 'SparseFile';
  linkpath?: string;
  data?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  devmaj?: number;
  devmin?: number;
  /** Extra pax records (key → value) in an extended header before the entry. */
  pax?: Record<string, string>;
}

function paxHeader(records: Record<string, string>): Buffer {
  let body = '';
  for (const [key, value] of Object.entries(records)) {
    const line = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(line) + 1;
    while (String(length).length + Buffer.byteLength(line) !== length) length = String(length).length + Buffer.byteLength(line);
    body += `${length}${line}`;
  }
  const data = Buffer.from(body);
  const header = Buffer.alloc(512);
  new tar.Header({ path: 'PaxHeader', type: 'ExtendedHeader', size: data.length, mode: 0o644, mtime: new Date(0) }).encode(header, 0);
  return Buffer.concat([header, padded(data)]);
}

function padded(data: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(out);
  return out;
}

/** A raw tar (no normalisation of paths, unlike tar.c) of the entries, in order. */
export function craftTar(entries: CraftedEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.from(entry.data);
    const type = entry.type ?? 'File';
    const pax: Record<string, string> = { ...entry.pax };
    if (Buffer.byteLength(entry.path) > 99) pax['path'] = entry.path;
    if (entry.linkpath && Buffer.byteLength(entry.linkpath) > 99) pax['linkpath'] = entry.linkpath;
    if (Object.keys(pax).length > 0) blocks.push(paxHeader(pax));
    const header = Buffer.alloc(512);
    new tar.Header({
      path: entry.path.length > 99 ? entry.path.slice(0, 99) : entry.path,
      type,
      size: type === 'File' || type === 'SparseFile' ? data.length : 0,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: new Date(1_700_000_000_000),
      ...(entry.linkpath ? { linkpath: entry.linkpath.slice(0, 99) } : {}),
      ...(entry.devmaj !== undefined ? { devmaj: entry.devmaj, devmin: entry.devmin ?? 0 } : {}),
    }).encode(header, 0);
    blocks.push(header);
    if (type === 'File' || type === 'SparseFile') blocks.push(padded(data));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
