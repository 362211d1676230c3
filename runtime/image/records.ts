// The images the cache holds, one small JSON file each under images/ (named by a hash of the
// image's name): what `cttrace images` lists, what `--pull missing` finds without asking a
// registry, what rmi and prune keep or drop. Written whole to a temp file and renamed, so a
// crash leaves the old record or the new one, never half of one.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir } from './home.js';

export type ImageSource = 'registry' | 'docker-daemon' | 'oci' | 'oci-archive' | 'docker-archive' | 'archive';

export interface LayerRecord {
  /** The uncompressed tar's digest: the unpacked layer's folder. */
  readonly diffId: string;
  /** The stored blob's digest, when the blob is kept in blobs/. */
  readonly digest?: string;
  readonly size: number;
}

export interface ImageRecord {
  /** The full name (docker.io/library/alpine:latest, host:5000/app@sha256:..., oci:/path:tag). */
  readonly name: string;
  readonly source: ImageSource;
  /** The config digest: docker's image id. */
  readonly id: string;
  readonly manifestDigest?: string;
  readonly platform?: string;
  readonly layers: readonly LayerRecord[];
  /** Bytes as stored: config and layers. */
  readonly size: number;
  readonly pulled: string;
  readonly lastUsed: string;
}

function recordsDir(home: string): string {
  ensureDir(home);
  return ensureDir(join(home, 'images'));
}

function recordFile(home: string, name: string): string {
  return join(recordsDir(home), `${createHash('sha256').update(name).digest('hex').slice(0, 32)}.json`);
}

function isRecord(value: unknown): value is ImageRecord {
  const record = value as ImageRecord;
  return typeof record === 'object' && record !== null && typeof record.name === 'string' && typeof record.id === 'string' && Array.isArray(record.layers);
}

export function readRecord(home: string, name: string): ImageRecord | undefined {
  const file = recordFile(home, name);
  try {
    const record: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(record) && record.name === name ? record : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(home: string, record: ImageRecord): void {
  const file = recordFile(home, record.name);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record, null, 1)}\n`);
  renameSync(temp, file);
}

/** Records an image fetched or imported now; `pulled` stays when the name already held this image. */
export function recordImage(home: string, image: Omit<ImageRecord, 'pulled' | 'lastUsed'>): void {
  const now = new Date().toISOString();
  const previous = readRecord(home, image.name);
  writeRecord(home, { ...image, pulled: previous?.id === image.id ? previous.pulled : now, lastUsed: now });
}

/** Marks an image used now (for `cttrace images`). */
export function touchRecord(home: string, record: ImageRecord): ImageRecord {
  const touched = { ...record, lastUsed: new Date().toISOString() };
  writeRecord(home, touched);
  return touched;
}

export function removeRecord(home: string, name: string): boolean {
  const file = recordFile(home, name);
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}

export function listRecords(home: string): ImageRecord[] {
  const dir = join(home, 'images');
  if (!existsSync(dir)) return [];
  const records: ImageRecord[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const record: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      if (isRecord(record)) records.push(record);
    } catch {
      // a record being replaced: the rename makes it whole again
    }
  }
  return records.sort((a, b) => a.name.localeCompare(b.name));
}
