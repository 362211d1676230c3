// A pull, as `docker pull` does it: the manifest by tag or digest (an index: the entry for the
// wanted platform), its config, then the layers the cache lacks, a few at a time, each written
// to the blob store and checked against its digest as it streams; every layer is unpacked as
// soon as it and those below it are in. A dropped connection resumes where it broke (a Range
// request); a blob that does not match its digest is refused and nothing of it is kept.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DirSource, parseDigest } from '../blobs.js';
import { hasBlob, IncomingBlob, putBlob } from '../blob-store.js';
import { type DockerReference, formatReference } from '../docker-reference.js';
import { descriptor, FOREIGN_LAYER, INDEX_TYPES, isObject, MANIFEST_TYPES, planFromManifest, selectPlatform } from '../formats.js';
import { type IdShift, unpackedLayerDir } from '../home.js';
import { layerRecords, unpackPlan } from '../layered.js';
import { formatPlatform, hostPlatform, type Platform } from '../platform.js';
import { formatBytes, type LayerProgress, type Progress } from '../progress.js';
import { recordImage } from '../records.js';
import type { Image } from '../store.js';
import { type Manifest, RegistryClient } from './client.js';
import { type Credentials, lookupCredentials } from './credentials.js';
import { RegistryError } from './errors.js';
import { readBody, StallError, TransientError } from './http.js';

/** The largest image config taken. */
const CONFIG_LIMIT = 16 * 1024 * 1024;
/** Layers downloaded at once, as docker's max-concurrent-downloads (3). */
const PARALLEL = 3;
const ATTEMPTS = 4;

export interface PullOptions {
  readonly home: string;
  readonly shift?: IdShift | undefined;
  /** Default: the host's. */
  readonly platform?: Platform | undefined;
  /** --creds; otherwise docker's config.json is asked when the registry wants a login. */
  readonly credentials?: Credentials | undefined;
  readonly insecureRegistries?: readonly string[] | undefined;
  readonly progress: Progress;
  /** Where the one summary line goes (stderr). */
  readonly report: (line: string) => void;
  /** Milliseconds of the first pause between retries (tests shorten it). */
  readonly retryPauseMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The image manifest for the wanted platform, through an index when the tag names one. */
async function resolveManifest(client: RegistryClient, ref: DockerReference, name: string, wanted: Platform): Promise<Manifest> {
  const top = await client.manifest(ref.path, ref.digest ?? ref.tag!);
  const isIndex = INDEX_TYPES.has(top.mediaType) || (top.mediaType === '' && Array.isArray(top.data['manifests']));
  if (!isIndex) return checkManifestType(top, name);
  const entries = Array.isArray(top.data['manifests']) ? top.data['manifests'].map((entry, i) => descriptor(entry, `${name}: index manifests[${i}]`)) : [];
  // Attestation manifests (BuildKit's "unknown/unknown") are not images to run.
  const images = entries.filter((entry) => entry.annotations['vnd.docker.reference.type'] !== 'attestation-manifest');
  const chosen = selectPlatform(images, name, wanted);
  const manifest = await client.manifest(ref.path, chosen.digest.text);
  if (manifest.digest !== chosen.digest.text) throw new RegistryError(`${client.what}: the manifest of ${name} for ${formatPlatform(wanted)} is ${manifest.digest}, the index says ${chosen.digest.text}: refused`);
  return checkManifestType(manifest, name);
}

function checkManifestType(manifest: Manifest, name: string): Manifest {
  if (manifest.data['schemaVersion'] === 1 || manifest.mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')) {
    throw new RegistryError(`${name} has a schema 1 manifest, which registries and docker no longer support: push it again with a current tool`);
  }
  if (manifest.mediaType !== '' && !MANIFEST_TYPES.has(manifest.mediaType)) throw new RegistryError(`${name}: unsupported manifest type ${manifest.mediaType}`);
  if (!isObject(manifest.data['config']) || !Array.isArray(manifest.data['layers'])) throw new RegistryError(`${name}: the manifest ${manifest.digest} has no config or layers`);
  return manifest;
}

/** Downloads one blob into the store, resuming after a dropped connection. */
async function downloadBlob(client: RegistryClient, repository: string, home: string, layer: { digest: string; size: number }, what: string, bar: LayerProgress, pauseMs: number): Promise<void> {
  const digest = parseDigest(layer.digest, what);
  const incoming = new IncomingBlob(home, digest, layer.size, what);
  try {
    for (let attempt = 1; ; attempt++) {
      bar.status('Downloading');
      bar.advance(incoming.offset);
      try {
        const response = await client.blob(repository, digest.text, incoming.offset);
        if (response.status === 200 && incoming.offset > 0) incoming.restart(); // the range was not honoured
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          incoming.append(chunk);
          bar.advance(chunk.length);
        }
      } catch (error) {
        if (error instanceof RegistryError && !(error instanceof TransientError || error instanceof StallError)) throw error;
        if (attempt >= ATTEMPTS) throw new RegistryError(`${what}: the download broke ${ATTEMPTS} times, at ${incoming.offset} of ${layer.size} bytes (${(error as Error).message}): nothing cached`);
      }
      if (incoming.offset >= layer.size || attempt >= ATTEMPTS) break;
      bar.status(`Retrying in ${(pauseMs * 2 ** (attempt - 1)) / 1000} s`);
      await sleep(pauseMs * 2 ** (attempt - 1));
    }
    bar.status('Verifying Checksum');
    incoming.commit();
    bar.status('Download complete');
  } catch (error) {
    incoming.discard();
    bar.status('Failed');
    throw error;
  }
}

/** Runs `jobs` with at most `limit` at once; each promise settles with its own job. */
function pool(jobs: ReadonlyArray<(() => Promise<void>) | undefined>, limit: number): Promise<void>[] {
  let running = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    running--;
    queue.shift()?.();
  };
  return jobs.map((job) => {
    if (!job) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      const start = () => {
        running++;
        job().then(resolve, reject).finally(next);
      };
      if (running < limit) start();
      else queue.push(start);
    });
    // A later layer may fail while an earlier one is still awaited: its failure is reported
    // when its turn comes (or by the unpack's allSettled), not as an unhandled rejection.
    done.catch(() => {});
    return done;
  });
}

/** Pulls an image from its registry into the cache and unpacks its layers. */
export async function pullFromRegistry(ref: DockerReference, reference: string, options: PullOptions): Promise<Image> {
  const started = performance.now();
  const { home, progress } = options;
  const wanted = options.platform ?? hostPlatform();
  const name = formatReference(ref);
  const pauseMs = options.retryPauseMs ?? 250;
  const client = new RegistryClient(ref.domain, { credentials: options.credentials, lookupCredentials, insecureRegistries: options.insecureRegistries ?? [], retryPauseMs: pauseMs });
  const manifest = await resolveManifest(client, ref, name, wanted);
  const manifestDigest = parseDigest(manifest.digest, `the manifest of ${name}`);
  const configDesc = descriptor(manifest.data['config'], `${name}: manifest config`);
  if (!hasBlob(home, configDesc.digest)) {
    const response = await client.blob(ref.path, configDesc.digest.text);
    const raw = await readBody(response, CONFIG_LIMIT, `the image config of ${name}`);
    putBlob(home, configDesc.digest, raw, `the image config of ${name} (${configDesc.digest.text})`);
  }
  const layerDescs = (manifest.data['layers'] as unknown[]).map((layer, i) => descriptor(layer, `${name}: manifest layers[${i}]`));
  for (const [i, layer] of layerDescs.entries()) {
    if (FOREIGN_LAYER.test(layer.mediaType)) {
      throw new RegistryError(`${name}: layer ${i + 1} is a foreign (non-distributable) layer (${layer.mediaType}), which registries do not serve: such images (Windows bases) cannot run here`);
    }
  }
  const plan = planFromManifest(new DirSource(home), manifest.data, manifest.digest, name, wanted);
  // The manifest goes in only once its config was read and checked: a record never names a manifest the store lacks.
  putBlob(home, manifestDigest, manifest.raw, `the manifest of ${name}`);
  const needed = plan.layers.map((layer) => !existsSync(unpackedLayerDir(home, options.shift, layer.diffId)) && layer.digest !== undefined && !hasBlob(home, layer.digest));
  progress.begin(`${ref.tag ?? ref.digest}: Pulling from ${ref.path} (${client.what}, ${plan.platform ?? formatPlatform(wanted)})`);
  const bars = plan.layers.map((layer, i) => progress.layer(layer.digest!.hex.slice(0, 12), layer.size, needed[i] ? 'Waiting' : 'Already exists'));
  let downloaded = 0;
  const ready = pool(
    plan.layers.map((layer, i) =>
      needed[i]
        ? async () => {
            await downloadBlob(client, ref.path, home, { digest: layer.digest!.text, size: layer.size }, `layer ${i + 1}/${plan.layers.length} (${layer.digest!.text.slice(0, 19)}) of ${name}`, bars[i]!, pauseMs);
            downloaded += layer.size;
          }
        : undefined,
    ),
    PARALLEL,
  );
  const image = await unpackPlan(plan, reference, home, options.shift, progress, { bars, ready });
  recordImage(home, {
    name,
    source: 'registry',
    id: plan.id,
    manifestDigest: manifest.digest,
    ...(plan.platform ? { platform: plan.platform } : {}),
    layers: layerRecords(plan, true),
    size: configDesc.size + plan.layers.reduce((sum, layer) => sum + layer.size, 0),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const fetched = needed.filter(Boolean).length;
  options.report(`pulled ${name} (${plan.platform}, ${manifest.digest.slice(0, 19)}…) from ${client.what}: ${fetched} of ${plan.layers.length} layers downloaded, ${formatBytes(downloaded)} in ${seconds} s`);
  return { ...image, name: `${name} (${manifest.digest.slice(0, 19)}…, from ${client.what})` };
}
