// Registry and dockerd images: where a name is looked for, in docker's order, and when the
// network is asked at all (--pull):
//   1. the cache's record of the name (missing, never): no request at all when its layers are there;
//   2. for a bare name, the local dockerd, if it runs and has the image (missing, never);
//   3. the registry (missing when 1 and 2 found nothing; always).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { blobPath, DirSource, digestOf, parseDigest, TarSource } from './blobs.js';
import { blobFile, hasBlob, putBlob } from './blob-store.js';
import { type DockerReference, familiarName, formatReference } from './docker-reference.js';
import { daemonHasImage, saveDaemonImage } from './docker-daemon.js';
import { ImageError } from './errors.js';
import { type ImagePlan, type LayerPlan, parseImageConfig, readDockerArchive } from './formats.js';
import { type IdShift, makeTempDir, unpackedLayerDir } from './home.js';
import { layerRecords, unpackPlan } from './layered.js';
import { formatPlatform, hostPlatform, parsePlatform, platformMatches, type Platform } from './platform.js';
import type { Progress } from './progress.js';
import type { PullPolicy } from './pull-policy.js';
import { type ImageRecord, readRecord, recordImage, touchRecord } from './records.js';
import type { ImageReference } from './reference.js';
import type { Image } from './store.js';

export interface RemoteOptions {
  readonly pull?: PullPolicy | undefined;
  /** --platform os/arch[/variant]; default the host's. */
  readonly platform?: string | undefined;
  /** --creds USER:PASSWORD. */
  readonly creds?: string | undefined;
  readonly insecureRegistries?: readonly string[] | undefined;
  /** One line on what was used or fetched (stderr). */
  readonly report?: ((line: string) => void) | undefined;
  readonly retryPauseMs?: number | undefined;
}

const daemonName = (ref: DockerReference) => `docker-daemon:${formatReference(ref)}`;

/** The image a record describes, when its config and every layer (unpacked, or as a blob) are in the cache. */
function planFromRecord(record: ImageRecord, home: string, shift: IdShift | undefined): ImagePlan | undefined {
  const id = parseDigest(record.id, `the record of ${record.name}`);
  if (!hasBlob(home, id)) return undefined;
  const raw = readFileSync(blobFile(home, id));
  if (digestOf(raw, id.algorithm) !== id.text) return undefined; // damaged: fetch again
  let parsed: ReturnType<typeof parseImageConfig>;
  try {
    parsed = parseImageConfig(JSON.parse(raw.toString('utf8')), `image config ${id.text.slice(0, 19)}`, parsePlatform(record.platform ?? formatPlatform(hostPlatform())));
  } catch {
    return undefined; // a record this version cannot read: fetch again
  }
  const { config, diffIds, platform } = parsed;
  if (diffIds.length !== record.layers.length || diffIds.some((diffId, i) => diffId.text !== record.layers[i]!.diffId)) return undefined;
  const layers: LayerPlan[] = [];
  for (const [i, layer] of record.layers.entries()) {
    const digest = layer.digest ? parseDigest(layer.digest, record.name) : undefined;
    if (!existsSync(unpackedLayerDir(home, shift, diffIds[i]!)) && !(digest && hasBlob(home, digest))) return undefined;
    layers.push({ diffId: diffIds[i]!, path: digest ? blobPath(digest) : '', ...(digest ? { digest } : {}), size: layer.size });
  }
  return { name: record.name, id: record.id, config, layers, source: new DirSource(home), ...(record.manifestDigest ? { manifestDigest: record.manifestDigest } : {}), platform, configPath: blobPath(id) };
}

function describe(record: ImageRecord): string {
  return `${record.name} (${(record.manifestDigest ?? record.id).slice(0, 19)}…, from ${record.source === 'registry' ? `registry ${record.name.split('/')[0]}` : 'the local dockerd'})`;
}

async function fromRecord(record: ImageRecord | undefined, wanted: Platform | undefined, reference: string, home: string, shift: IdShift | undefined, progress: Progress): Promise<Image | undefined> {
  if (!record) return undefined;
  if (record.platform && !platformMatches(wanted ?? hostPlatform(), parsePlatform(record.platform))) return undefined;
  const plan = planFromRecord(record, home, shift);
  if (!plan) return undefined;
  const image = await unpackPlan(plan, reference, home, shift, progress);
  touchRecord(home, record);
  return { ...image, name: describe(record) };
}

/** Imports the dockerd's image through a docker save stream. */
async function importFromDaemon(ref: DockerReference, reference: string, home: string, shift: IdShift | undefined, progress: Progress, report: (line: string) => void): Promise<Image> {
  const name = familiarName(ref);
  const temp = makeTempDir(home, 'docker-save');
  try {
    const file = await saveDaemonImage(name, temp);
    const source = new TarSource(file);
    const plan = readDockerArchive(source, undefined, `docker-daemon:${name}`);
    putBlob(home, parseDigest(plan.id, name), source.read(plan.configPath), `the image config of ${name}`);
    const image = await unpackPlan(plan, reference, home, shift, progress);
    recordImage(home, {
      name: daemonName(ref),
      source: 'docker-daemon',
      id: plan.id,
      ...(plan.platform ? { platform: plan.platform } : {}),
      layers: layerRecords(plan, false),
      size: plan.layers.reduce((sum, layer) => sum + layer.size, 0),
    });
    report(`using ${name} from the local dockerd (${plan.id.slice(0, 19)}…)`);
    return { ...image, name: describe(readRecord(home, daemonName(ref))!) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

export async function resolveRemoteImage(
  ref: Extract<ImageReference, { kind: 'registry' | 'docker-daemon' }>,
  reference: string,
  home: string,
  shift: IdShift | undefined,
  progress: Progress,
  options: RemoteOptions,
): Promise<Image> {
  const policy = options.pull ?? 'missing';
  const wanted = options.platform !== undefined ? parsePlatform(options.platform) : undefined;
  const report = options.report ?? ((line: string) => process.stderr.write(`cttrace: ${line}\n`));
  if (ref.kind === 'docker-daemon') {
    if (policy !== 'always') {
      const cached = await fromRecord(readRecord(home, daemonName(ref.ref)), wanted, reference, home, shift, progress);
      if (cached) return cached;
    }
    return importFromDaemon(ref.ref, reference, home, shift, progress, report);
  }
  const name = formatReference(ref.ref);
  if (policy !== 'always') {
    const cached =
      (await fromRecord(readRecord(home, name), wanted, reference, home, shift, progress)) ??
      (ref.daemonFirst ? await fromRecord(readRecord(home, daemonName(ref.ref)), wanted, reference, home, shift, progress) : undefined);
    if (cached) return cached;
    if (ref.daemonFirst && wanted === undefined && (await daemonHasImage(familiarName(ref.ref)))) {
      return importFromDaemon(ref.ref, reference, home, shift, progress, report);
    }
    if (policy === 'never') throw new ImageError(`${name} is not in the cache and --pull never forbids fetching it: run \`cttrace pull ${reference}\` first`);
  }
  const { pullFromRegistry } = await import('./registry/pull.js');
  const { parseCreds } = await import('./registry/credentials.js');
  return pullFromRegistry(ref.ref, reference, {
    home,
    shift,
    platform: wanted,
    credentials: options.creds !== undefined ? parseCreds(options.creds) : undefined,
    insecureRegistries: options.insecureRegistries,
    progress,
    report,
    ...(options.retryPauseMs !== undefined ? { retryPauseMs: options.retryPauseMs } : {}),
  });
}
