// Reading image metadata: OCI image layouts (index.json → [index →] manifest → config + layers)
// and `docker save` archives (manifest.json, in the legacy <id>/layer.tar form and in the
// OCI-layout form Docker 25+ writes). The result is a plan: the image config and, for each layer,
// where its bytes are and which digests they must have. Every JSON blob is checked against its
// digest here; layer bytes are checked while they are unpacked.
import { basename } from 'node:path';
import { type BlobSource, blobPath, type Digest, digestOf, parseDigest, readJson, safeRelative } from './blobs.js';
import { ImageError } from './errors.js';
import { choosePlatform, formatPlatform, hostPlatform, type Platform } from './platform.js';

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  labels: Record<string, string>;
  stopSignal?: string;
}

export interface LayerPlan {
  /** Digest of the uncompressed tar (config.rootfs.diff_ids): the cache key. */
  readonly diffId: Digest;
  /** Where the stored (maybe compressed) bytes are in the source. */
  readonly path: string;
  /** Digest of the stored bytes, when the format names it. */
  readonly digest?: Digest;
  /** Size of the stored bytes (from the descriptor, or the file). */
  readonly size: number;
}

export interface ImagePlan {
  readonly name: string;
  /** The config's digest: docker's image id. */
  readonly id: string;
  readonly config: ImageConfig;
  readonly layers: readonly LayerPlan[];
  readonly source: BlobSource;
  /** The manifest's digest, when the image came from one. */
  readonly manifestDigest?: string;
  /** The platform the image config names (os/arch[/variant]). */
  readonly platform?: string;
  /** Where the config blob is in the source. */
  readonly configPath: string;
}

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
};
export const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, MEDIA.dockerList]);
export const MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest]);
const LAYER_TYPE = /^application\/vnd\.(oci\.image\.layer(\.nondistributable)?\.v1\.tar(\+gzip|\+zstd)?|docker\.image\.rootfs(\.foreign)?\.diff\.tar(\.gzip)?)$/;
/** Layers registries do not serve (Windows base layers): their bytes live at the URLs the descriptor lists. */
export const FOREIGN_LAYER = /\.(nondistributable|foreign)\./;

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new ImageError(`${what} must be an array of strings`);
  return value;
}

/** The image config (the `config` object of an OCI/docker image config blob) and its layers' diff ids. */
export function parseImageConfig(data: unknown, what: string, wanted: Platform = hostPlatform()): { config: ImageConfig; diffIds: Digest[]; platform: string } {
  if (!isObject(data)) throw new ImageError(`${what} is not a JSON object`);
  const os = typeof data['os'] === 'string' ? data['os'] : 'linux';
  const architecture = typeof data['architecture'] === 'string' ? data['architecture'] : wanted.architecture;
  const variant = typeof data['variant'] === 'string' ? data['variant'] : undefined;
  if (os !== 'linux') throw new ImageError(`${what}: the image is for ${os}, not linux`);
  if (architecture !== wanted.architecture) {
    throw new ImageError(`${what}: the image is for ${architecture}; ${wanted === hostPlatform() ? `this host runs ${wanted.architecture} (export the ${wanted.architecture} variant)` : `--platform asked for ${formatPlatform(wanted)}`}`);
  }
  const rootfs = data['rootfs'];
  if (!isObject(rootfs) || !Array.isArray(rootfs['diff_ids'])) throw new ImageError(`${what} has no rootfs.diff_ids`);
  const diffIds = rootfs['diff_ids'].map((id, i) => parseDigest(id, `${what} rootfs.diff_ids[${i}]`));
  const inner = isObject(data['config']) ? data['config'] : {};
  const labels: Record<string, string> = {};
  if (isObject(inner['Labels'])) for (const [key, value] of Object.entries(inner['Labels'])) if (typeof value === 'string') labels[key] = value;
  const config: ImageConfig = {
    entrypoint: strings(inner['Entrypoint'], `${what} Entrypoint`),
    cmd: strings(inner['Cmd'], `${what} Cmd`),
    env: strings(inner['Env'], `${what} Env`),
    workingDir: typeof inner['WorkingDir'] === 'string' ? inner['WorkingDir'] : '',
    user: typeof inner['User'] === 'string' ? inner['User'] : '',
    labels,
    ...(typeof inner['StopSignal'] === 'string' ? { stopSignal: inner['StopSignal'] } : {}),
  };
  return { config, diffIds, platform: formatPlatform({ os, architecture, ...(variant ? { variant } : {}) }) };
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export function descriptor(value: unknown, what: string): Descriptor {
  if (!isObject(value)) throw new ImageError(`${what} is not a descriptor`);
  const digest = parseDigest(value['digest'], what);
  const size = value['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ImageError(`${what}: invalid size`);
  const annotations: Record<string, string> = {};
  if (isObject(value['annotations'])) for (const [key, val] of Object.entries(value['annotations'])) if (typeof val === 'string') annotations[key] = val;
  const result: Descriptor = { mediaType: typeof value['mediaType'] === 'string' ? value['mediaType'] : '', digest, size, annotations };
  if (isObject(value['platform'])) result.platform = value['platform'] as Descriptor['platform'] & object;
  return result;
}

/** Reads a JSON blob named by a descriptor and checks its size and digest. */
export function readBlobJson(source: BlobSource, desc: Descriptor, what: string): Json {
  const path = blobPath(desc.digest);
  const { data, raw } = readJson(source, path, what);
  if (raw.length !== desc.size) throw new ImageError(`${what} ${desc.digest.text} in ${source.label} is corrupt: ${raw.length} bytes, the descriptor says ${desc.size}`);
  const actual = digestOf(raw, desc.digest.algorithm);
  if (actual !== desc.digest.text) throw new ImageError(`${what} ${desc.digest.text} in ${source.label} is corrupt: its digest is ${actual}`);
  if (!isObject(data)) throw new ImageError(`${what} ${desc.digest.text} is not a JSON object`);
  return data;
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

/** Names a descriptor of index.json answers to: its ref name and, from docker, the full image name in its short forms. */
function namesOf(desc: Descriptor): string[] {
  const names: string[] = [];
  const ref = desc.annotations[REF_NAME];
  if (ref) names.push(ref);
  const full = desc.annotations[CONTAINERD_NAME];
  if (full) {
    names.push(full);
    for (const prefix of ['docker.io/library/', 'docker.io/']) if (full.startsWith(prefix)) names.push(full.slice(prefix.length));
  }
  return names;
}

function matches(names: string[], wanted: string): boolean {
  return names.includes(wanted) || (!wanted.includes(':') && names.includes(`${wanted}:latest`));
}

/** The manifest of an index for `wanted` (an entry with no platform is taken for any). */
export function selectPlatform(manifests: readonly Descriptor[], what: string, wanted: Platform = hostPlatform()): Descriptor {
  const unlabelled = manifests.find((m) => !m.platform);
  const platformOf = (m: Descriptor): Platform | undefined =>
    m.platform && typeof m.platform.architecture === 'string' ? { os: m.platform.os ?? 'linux', architecture: m.platform.architecture, ...(m.platform.variant ? { variant: m.platform.variant } : {}) } : undefined;
  if (!manifests.some((m) => platformOf(m) !== undefined) && unlabelled) return unlabelled;
  try {
    return choosePlatform(manifests, platformOf, wanted, what);
  } catch (error) {
    if (unlabelled) return unlabelled;
    throw error;
  }
}

/** An OCI image layout; `tag` picks a manifest of index.json by its ref name. */
export function readOciLayout(source: BlobSource, tag: string | undefined, name: string): ImagePlan {
  if (!source.has('oci-layout')) throw new ImageError(`${source.label} is not an OCI image layout (no oci-layout file)`);
  const { data: layout } = readJson(source, 'oci-layout', 'oci-layout');
  if (!isObject(layout) || typeof layout['imageLayoutVersion'] !== 'string') throw new ImageError(`${source.label}/oci-layout has no imageLayoutVersion`);
  const { data: index } = readJson(source, 'index.json', 'index.json');
  if (!isObject(index) || !Array.isArray(index['manifests'])) throw new ImageError(`${source.label}/index.json has no manifests`);
  const entries = index['manifests'].map((entry, i) => descriptor(entry, `index.json manifests[${i}]`));
  let chosen: Descriptor | undefined;
  if (tag !== undefined) {
    chosen = entries.find((entry) => matches(namesOf(entry), tag));
    if (!chosen) throw new ImageError(`${source.label} has no image tagged ${JSON.stringify(tag)} (tags: ${tagList(entries)})`);
  } else if (entries.length === 1) {
    chosen = entries[0];
  } else {
    const latest = entries.filter((entry) => matches(namesOf(entry), 'latest'));
    if (latest.length === 1) chosen = latest[0];
    else if (entries.length === 0) throw new ImageError(`${source.label}/index.json lists no images`);
    else throw new ImageError(`${source.label} holds ${entries.length} images: name one with :TAG (tags: ${tagList(entries)})`);
  }
  let desc = chosen!;
  for (let depth = 0; ; depth++) {
    if (depth > 4) throw new ImageError(`${source.label}: indexes nested too deep`);
    if (INDEX_TYPES.has(desc.mediaType)) {
      const nested = readBlobJson(source, desc, 'image index');
      if (!Array.isArray(nested['manifests'])) throw new ImageError(`image index ${desc.digest.text} has no manifests`);
      desc = selectPlatform(nested['manifests'].map((entry, i) => descriptor(entry, `image index manifests[${i}]`)), `${source.label}`);
      continue;
    }
    if (desc.mediaType !== '' && !MANIFEST_TYPES.has(desc.mediaType)) throw new ImageError(`${source.label}: unsupported manifest type ${desc.mediaType}`);
    break;
  }
  return planFromManifest(source, readBlobJson(source, desc, 'manifest'), desc.digest.text, name);
}

/** The plan of an image manifest (OCI or docker schema 2) whose config and layers are in `source`. */
export function planFromManifest(source: BlobSource, manifest: Json, manifestDigest: string, name: string, wanted?: Platform): ImagePlan {
  if (Array.isArray(manifest['manifests'])) throw new ImageError(`${source.label}: ${manifestDigest} is an index without a mediaType`);
  const configDesc = descriptor(manifest['config'], 'manifest config');
  const { config, diffIds, platform } = parseImageConfig(readBlobJson(source, configDesc, 'image config'), `image config ${configDesc.digest.text.slice(0, 19)}`, wanted);
  if (!Array.isArray(manifest['layers'])) throw new ImageError(`manifest ${manifestDigest} has no layers`);
  const layerDescs = manifest['layers'].map((layer, i) => descriptor(layer, `manifest layers[${i}]`));
  if (layerDescs.length !== diffIds.length) throw new ImageError(`manifest ${manifestDigest} lists ${layerDescs.length} layers, its config ${diffIds.length}`);
  const layers = layerDescs.map((layer, i): LayerPlan => {
    if (layer.mediaType !== '' && !LAYER_TYPE.test(layer.mediaType)) throw new ImageError(`${source.label}: layer ${i} has unsupported media type ${layer.mediaType}`);
    return { diffId: diffIds[i]!, path: blobPath(layer.digest), digest: layer.digest, size: layer.size };
  });
  return { name, id: configDesc.digest.text, config, layers, source, manifestDigest, platform, configPath: blobPath(configDesc.digest) };
}

function tagList(entries: Descriptor[]): string {
  const tags = entries.map((entry) => entry.annotations[REF_NAME] ?? entry.annotations[CONTAINERD_NAME] ?? entry.digest.text.slice(0, 19));
  return tags.join(', ') || 'none';
}

/** The digest a content-addressed path names (`blobs/sha256/<hex>`, `<hex>.json`, `<hex>/layer.tar`), if any. */
function digestInPath(path: string): Digest | undefined {
  const blob = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
  if (blob) return parseDigest(`${blob[1]}:${blob[2]}`, path);
  const json = /^([a-f0-9]{64})\.json$/.exec(basename(path));
  if (json && !path.includes('/')) return parseDigest(`sha256:${json[1]}`, path);
  return undefined;
}

/**
 * A `docker save` archive (or a folder holding one unpacked). `ref` picks an image by one of its
 * RepoTags (`busybox`, `busybox:1.36`) or by position (`@0`).
 */
export function readDockerArchive(source: BlobSource, ref: string | undefined, name: string): ImagePlan {
  if (!source.has('manifest.json')) {
    if (source.has('index.json') && source.has('oci-layout')) return readOciLayout(source, ref, name);
    throw new ImageError(`${source.label} is not a docker save archive (no manifest.json) nor an OCI layout`);
  }
  const { data } = readJson(source, 'manifest.json', 'manifest.json');
  if (!Array.isArray(data) || data.length === 0 || !data.every(isObject)) throw new ImageError(`${source.label}: manifest.json lists no images`);
  const images = data as Json[];
  const tagsOf = (image: Json) => strings(image['RepoTags'], 'manifest.json RepoTags');
  let image: Json | undefined;
  if (ref === undefined) {
    if (images.length > 1) throw new ImageError(`${source.label} holds ${images.length} images: name one with :REPO:TAG or :@N (${images.map(tagsOf).flat().join(', ')})`);
    image = images[0];
  } else if (/^@\d+$/.test(ref)) {
    image = images[Number(ref.slice(1))];
    if (!image) throw new ImageError(`${source.label} has no image ${ref} (it holds ${images.length})`);
  } else {
    const wanted = ref.includes(':') ? ref : `${ref}:latest`;
    image = images.find((candidate) => tagsOf(candidate).some((tag) => [tag, tag.replace(/^docker\.io\/(library\/)?/, '')].includes(wanted)));
    if (!image) throw new ImageError(`${source.label} has no image tagged ${ref} (tags: ${images.map(tagsOf).flat().join(', ') || 'none'})`);
  }
  const configPath = safeRelative(image['Config'], 'manifest.json Config');
  const { data: configData, raw } = readJson(source, configPath, 'image config');
  const configDigest = digestInPath(configPath);
  const actual = digestOf(raw, configDigest?.algorithm ?? 'sha256');
  if (configDigest && configDigest.text !== actual) throw new ImageError(`${source.label}: image config ${configPath} is corrupt: its digest is ${actual}`);
  const { config, diffIds, platform } = parseImageConfig(configData, `image config ${configPath}`);
  const layerPaths = strings(image['Layers'], 'manifest.json Layers').map((path) => safeRelative(path, 'manifest.json Layers'));
  if (layerPaths.length !== diffIds.length) throw new ImageError(`${source.label}: manifest.json lists ${layerPaths.length} layers, the config ${diffIds.length}`);
  const layers = layerPaths.map((path, i): LayerPlan => {
    const stored = digestInPath(path);
    return { diffId: diffIds[i]!, path, ...(stored ? { digest: stored } : {}), size: source.size(path) };
  });
  const tags = tagsOf(image);
  return { name: tags[0] ? `${name} (${tags[0]})` : name, id: actual, config, layers, source, platform, configPath };
}
