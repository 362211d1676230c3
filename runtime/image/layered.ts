// Images with layers: OCI layouts, docker save archives and OCI archives, each layer unpacked
// once, by its uncompressed digest, into a temp folder that is renamed into place only when the
// unpack finished and both digests (the stored blob's and the uncompressed tar's) matched.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, pipeline, Transform, type Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { DirSource, TarSource } from './blobs.js';
import { ImageError } from './errors.js';
import { type ImagePlan, type LayerPlan, readDockerArchive, readOciLayout } from './formats.js';
import { type IdShift, layerRoot, makeTempDir, unpackedLayerDir } from './home.js';
import type { LayerProgress, Progress } from './progress.js';
import type { ImageReference } from './reference.js';
import { extractLayer } from './safe-extract.js';
import type { Image } from './store.js';
import { createZstdDecompress } from './zstd.js';
import { type ImageSource, type LayerRecord, recordImage } from './records.js';

const GZIP = Buffer.from([0x1f, 0x8b]);
const ZSTD = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

type Compression = 'gzip' | 'zstd' | 'none';

function compressionOf(head: Buffer): Compression {
  if (head.subarray(0, 2).equals(GZIP)) return 'gzip';
  if (head.subarray(0, 4).equals(ZSTD)) return 'zstd';
  return 'none';
}

function decompressor(compression: Compression): Transform {
  if (compression === 'gzip') return zlib.createGunzip();
  if (compression === 'zstd') return createZstdDecompress();
  return new PassThrough();
}

function tap(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback(null, chunk);
    },
  });
}

/** Unpacks one layer into the store unless it is there; returns its folder. */
async function ensureLayer(plan: ImagePlan, layer: LayerPlan, index: number, store: string, home: string, shift: IdShift | undefined, progress: LayerProgress): Promise<string> {
  const dir = join(store, layer.diffId.algorithm, layer.diffId.hex);
  if (existsSync(dir)) {
    progress.status('Already exists');
    return dir;
  }
  const what = `layer ${index + 1}/${plan.layers.length} (${(layer.digest ?? layer.diffId).text.slice(0, 19)}) of ${plan.name}`;
  const source = plan.source;
  const temp = makeTempDir(home, 'layer');
  try {
    const compression = compressionOf(source.head(layer.path, 4));
    const stored = createHash(layer.digest?.algorithm ?? 'sha256');
    const uncompressed = createHash(layer.diffId.algorithm);
    let storedBytes = 0;
    progress.status('Extracting');
    const input: Readable = source.open(layer.path);
    const tail = pipeline(
      input,
      tap((chunk) => {
        stored.update(chunk);
        storedBytes += chunk.length;
        progress.advance(chunk.length);
      }),
      decompressor(compression),
      tap((chunk) => uncompressed.update(chunk)),
      () => {}, // errors reach extractLayer through the last stream
    );
    try {
      await extractLayer(tail, temp, { shift });
    } catch (error) {
      // A decompressor's or the tar parser's complaint is about the layer's bytes, not a bug here.
      throw new ImageError(`${what}: ${(error as Error).message}`);
    }
    if (layer.digest) {
      const actual = `${layer.digest.algorithm}:${stored.digest('hex')}`;
      if (actual !== layer.digest.text) throw new ImageError(`${what} is corrupt: its digest is ${actual} (${storedBytes} bytes)`);
    }
    const diffId = `${layer.diffId.algorithm}:${uncompressed.digest('hex')}`;
    if (diffId !== layer.diffId.text) throw new ImageError(`${what} is corrupt: its content digest is ${diffId}, the config says ${layer.diffId.text}`);
    mkdirSync(join(store, layer.diffId.algorithm), { recursive: true, mode: 0o711 });
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error; // a concurrent unpack of the same layer won
      rmSync(temp, { recursive: true, force: true });
    }
    progress.status('Pull complete');
    return dir;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    progress.status('Failed');
    throw error;
  }
}

/** Layers being fetched (a pull): each layer's progress line, and when its blob is in the store. */
export interface Fetching {
  readonly bars: readonly LayerProgress[];
  readonly ready: readonly Promise<void>[];
}

/** Whether every layer of the plan is unpacked already. */
export function planUnpacked(plan: Pick<ImagePlan, 'layers'>, home: string, shift: IdShift | undefined): boolean {
  return plan.layers.every((layer) => existsSync(unpackedLayerDir(home, shift, layer.diffId)));
}

/** Unpacks the plan's missing layers in order; with `fetching`, each once its download is done (downloads go on meanwhile). */
export async function unpackPlan(plan: ImagePlan, reference: string, home: string, shift: IdShift | undefined, progress: Progress, fetching?: Fetching): Promise<Image> {
  const store = layerRoot(home, shift);
  const missing = fetching !== undefined || !planUnpacked(plan, home, shift);
  if (missing && !fetching) progress.begin(`Importing ${plan.name}`);
  const bars =
    fetching?.bars ??
    plan.layers.map((layer) => {
      if (!missing) return { advance() {}, status() {} } satisfies LayerProgress;
      return progress.layer((layer.digest ?? layer.diffId).hex.slice(0, 12), layer.size);
    });
  const layers: string[] = [];
  try {
    for (const [i, layer] of plan.layers.entries()) {
      await fetching?.ready[i];
      layers.push(await ensureLayer(plan, layer, i, store, home, shift, bars[i]!));
    }
  } finally {
    // Every download settles before the pull reports, so none writes after its failure is shown.
    if (fetching) await Promise.allSettled(fetching.ready);
    progress.end();
  }
  return { reference, name: plan.name, id: plan.id, layers, config: plan.config, ...(shift ? { shift } : {}), external: false };
}

export function layerRecords(plan: ImagePlan, keepsBlobs: boolean): LayerRecord[] {
  return plan.layers.map((layer) => ({ diffId: layer.diffId.text, ...(keepsBlobs && layer.digest ? { digest: layer.digest.text } : {}), size: layer.size }));
}

/** Notes an image read from a file in the image records (the file stays the source: no blobs are kept). */
function recordLocalImage(plan: ImagePlan, name: string, source: ImageSource, home: string): void {
  recordImage(home, {
    name,
    source,
    id: plan.id,
    ...(plan.manifestDigest ? { manifestDigest: plan.manifestDigest } : {}),
    ...(plan.platform ? { platform: plan.platform } : {}),
    layers: layerRecords(plan, false),
    size: plan.layers.reduce((sum, layer) => sum + layer.size, 0),
  });
}

/** An archive file as a blob source; a gzip'd one is first unpacked to a temp file (returned for removal). */
async function openArchive(path: string, home: string): Promise<{ source: TarSource; temp?: string }> {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new ImageError(`image archive ${path} does not exist`);
  }
  if (!stat.isFile()) throw new ImageError(`image archive ${path} is not a file`);
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (compressionOf(head) === 'none') return { source: new TarSource(path) };
  const temp = makeTempDir(home, 'archive');
  try {
    const file = join(temp, 'archive.tar');
    await pipelineAsync(createReadStream(path), decompressor(compressionOf(head)), createWriteStream(file));
    return { source: new TarSource(file), temp };
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error instanceof ImageError ? error : new ImageError(`cannot decompress ${path}: ${(error as Error).message}`);
  }
}

/** An image with layers, its layers unpacked into the cache where missing. */
export async function resolveLayeredImage(
  ref: Exclude<ImageReference, { kind: 'busybox' | 'dir' | 'registry' | 'docker-daemon' }>,
  reference: string,
  home: string,
  shift: IdShift | undefined,
  progress: Progress,
): Promise<Image> {
  switch (ref.kind) {
    case 'oci': {
      if (!existsSync(ref.path)) throw new ImageError(`OCI layout ${ref.path} does not exist`);
      const name = `oci:${ref.path}${ref.tag ? `:${ref.tag}` : ''}`;
      const plan = readOciLayout(new DirSource(ref.path), ref.tag, name);
      const image = await unpackPlan(plan, reference, home, shift, progress);
      recordLocalImage(plan, name, 'oci', home);
      return image;
    }
    case 'oci-archive':
    case 'docker-archive':
    case 'archive': {
      const { source, temp } = await openArchive(ref.path, home);
      try {
        const selector = ref.kind === 'oci-archive' ? ref.tag : ref.kind === 'docker-archive' ? ref.ref : undefined;
        const name = `${ref.kind === 'archive' ? '' : `${ref.kind}:`}${ref.path}${selector ? `:${selector}` : ''}`;
        const plan =
          ref.kind === 'oci-archive' || (ref.kind === 'archive' && !source.has('manifest.json') && source.has('oci-layout'))
            ? readOciLayout(source, selector, `${ref.kind === 'archive' ? '' : 'oci-archive:'}${ref.path}`)
            : readDockerArchive(source, selector, `${ref.kind === 'archive' ? '' : 'docker-archive:'}${ref.path}`);
        const image = await unpackPlan(plan, reference, home, shift, progress);
        recordLocalImage(plan, name, ref.kind, home);
        return image;
      } finally {
        if (temp) rmSync(temp, { recursive: true, force: true });
      }
    }
  }
}
