// Managing the cache: which blobs and unpacked layers the recorded images use, removing an
// image (rmi) and what nothing uses any more (prune). A layer some overlay mount stacks (a
// container running right now) is never removed, recorded or not.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeOrphanDownloads } from './blob-store.js';
import { familiarName, formatReference } from './docker-reference.js';
import { ImageError } from './errors.js';
import { removeStaleTempDirs } from './home.js';
import { type ImageRecord, listRecords, removeRecord } from './records.js';
import { parseReference } from './reference.js';

/** The record name a reference is kept under, and the shorter names it is also known by. */
export function recordNameOf(reference: string): string {
  const ref = parseReference(reference);
  switch (ref.kind) {
    case 'registry':
      return formatReference(ref.ref);
    case 'docker-daemon':
      return `docker-daemon:${formatReference(ref.ref)}`;
    case 'oci':
      return `oci:${ref.path}${ref.tag ? `:${ref.tag}` : ''}`;
    case 'oci-archive':
      return `oci-archive:${ref.path}${ref.tag ? `:${ref.tag}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${ref.path}${ref.ref ? `:${ref.ref}` : ''}`;
    case 'archive':
      return ref.path;
    case 'busybox':
    case 'dir':
      throw new ImageError(`${reference} is not kept in the cache (busybox is made from the host's binary, dir: is your folder)`);
  }
}

/** How `cttrace images` names a record: docker's familiar form for registry names. */
export function displayName(record: ImageRecord): string {
  if (record.source !== 'registry') return record.name.replace(/^docker-daemon:(.*)$/, (_, name: string) => `docker-daemon:${familiarName(parseDockerName(name))}`);
  return familiarName(parseDockerName(record.name));
}

function parseDockerName(name: string) {
  const ref = parseReference(`docker://${name}`);
  if (ref.kind !== 'registry') throw new ImageError(`bad record name ${name}`);
  return ref.ref;
}

/** Layer folders some overlay mount uses as a lower dir. */
function mountedLayers(): Set<string> {
  const used = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const dash = line.indexOf(' - overlay ');
    if (dash < 0) continue;
    const lower = /(?:^|,)lowerdir=([^,]*)/.exec(line.slice(dash).split(' ')[3] ?? '');
    for (const dir of lower?.[1]?.split(':') ?? []) used.add(dir.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))));
  }
  return used;
}

/** Every layer store: layers/ and the remapped ones of rootless containers. */
function layerStores(home: string): string[] {
  const stores = [join(home, 'layers')];
  const remapped = join(home, 'remapped');
  if (existsSync(remapped)) for (const shift of readdirSync(remapped)) stores.push(join(remapped, shift, 'layers'));
  return stores.filter((store) => existsSync(store));
}

export interface Freed {
  layers: number;
  blobs: number;
  bytes: number;
  partial: number;
  /** Unpacks killed midway, removed. */
  temps: number;
}

/** Removes blobs and unpacked layers that no record keeps (of `candidates` only, when given). */
function sweep(home: string, candidates?: { blobs: Set<string>; diffIds: Set<string> }): Freed {
  const records = listRecords(home);
  const keptBlobs = new Set<string>();
  const keptLayers = new Set<string>();
  for (const record of records) {
    keptBlobs.add(record.id);
    if (record.manifestDigest) keptBlobs.add(record.manifestDigest);
    for (const layer of record.layers) {
      keptLayers.add(layer.diffId);
      if (layer.digest) keptBlobs.add(layer.digest);
    }
  }
  const mounted = mountedLayers();
  const freed: Freed = { layers: 0, blobs: 0, bytes: 0, partial: 0, temps: 0 };
  for (const algorithm of ['sha256', 'sha512']) {
    const dir = join(home, 'blobs', algorithm);
    if (!existsSync(dir)) continue;
    for (const hex of readdirSync(dir)) {
      const digest = `${algorithm}:${hex}`;
      if (keptBlobs.has(digest) || (candidates && !candidates.blobs.has(digest))) continue;
      const file = join(dir, hex);
      freed.bytes += statSync(file).size;
      rmSync(file, { force: true });
      freed.blobs++;
    }
  }
  for (const store of layerStores(home)) {
    for (const algorithm of ['sha256', 'sha512']) {
      const dir = join(store, algorithm);
      if (!existsSync(dir)) continue;
      for (const hex of readdirSync(dir)) {
        const diffId = `${algorithm}:${hex}`;
        const path = join(dir, hex);
        if (keptLayers.has(diffId) || mounted.has(path) || (candidates && !candidates.diffIds.has(diffId))) continue;
        rmSync(path, { recursive: true, force: true });
        freed.layers++;
      }
    }
  }
  if (!candidates) {
    freed.partial = removeOrphanDownloads(home).bytes;
    freed.temps = removeStaleTempDirs(home);
  }
  return freed;
}

/** Removes an image's record, and its blobs and layers when no other image uses them. */
export function removeImage(home: string, reference: string): { record: ImageRecord; freed: Freed } {
  const records = listRecords(home);
  let record: ImageRecord | undefined;
  const byId = /^(sha256:)?([a-f0-9]{12,64})$/.exec(reference);
  if (byId) {
    const matches = records.filter((candidate) => candidate.id.startsWith(`sha256:${byId[2]}`) || candidate.manifestDigest?.startsWith(`sha256:${byId[2]}`));
    if (matches.length > 1) throw new ImageError(`${reference} names ${matches.length} images (${matches.map(displayName).join(', ')}): name one by its reference`);
    record = matches[0];
  }
  if (!record) {
    const name = recordNameOf(reference);
    record = records.find((candidate) => candidate.name === name);
    if (!record) throw new ImageError(`no image ${reference} in the cache (${name}); \`cttrace images\` lists them`);
  }
  removeRecord(home, record.name);
  const blobs = new Set([record.id, ...(record.manifestDigest ? [record.manifestDigest] : []), ...record.layers.flatMap((layer) => (layer.digest ? [layer.digest] : []))]);
  const diffIds = new Set(record.layers.map((layer) => layer.diffId));
  return { record, freed: sweep(home, { blobs, diffIds }) };
}

/** Removes every blob and layer no recorded image uses, and downloads nobody is finishing. */
export function pruneCache(home: string): Freed {
  return sweep(home);
}
