// A local registry for the image benchmark and the pull tests: Debian's docker-registry (the
// CNCF distribution registry) started on 127.0.0.1 with a config written here (filesystem
// storage under a given dir, a free port, optionally token authentication), OCI layouts
// written by hand, pushed with skopeo as a user would push theirs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface ImageSpec {
  readonly architecture: string;
  readonly variant?: string;
  /** Uncompressed layer tars, bottom first. */
  readonly layers: readonly Buffer[];
}

/** Writes an OCI layout with one tag: an image, or an index of several (one per platform). gzip layers. */
export function writeLayout(dir: string, tag: string, images: readonly ImageSpec[]): void {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const put = (data: Buffer, mediaType: string, extra: object = {}) => {
    const hex = sha256(data);
    writeFileSync(join(dir, 'blobs/sha256', hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length, ...extra };
  };
  const platforms = images.map((image) => ({ os: 'linux', architecture: image.architecture, ...(image.variant ? { variant: image.variant } : {}) }));
  const manifests = images.map((image) => {
    const config = Buffer.from(JSON.stringify({
      architecture: image.architecture,
      ...(image.variant ? { variant: image.variant } : {}),
      os: 'linux',
      config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: image.layers.map((layer) => `sha256:${sha256(layer)}`) },
    }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: put(config, 'application/vnd.oci.image.config.v1+json'),
      layers: image.layers.map((layer) => put(gzipSync(layer), 'application/vnd.oci.image.layer.v1.tar+gzip')),
    }));
    return put(manifest, 'application/vnd.oci.image.manifest.v1+json');
  });
  let top: object;
  if (manifests.length === 1) {
    top = manifests[0]!;
  } else {
    const entries = manifests.map((manifest, i) => ({ ...manifest, platform: platforms[i] }));
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    top = put(index, 'application/vnd.oci.image.index.v1+json');
  }
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }));
}

/** skopeo copy from a layout to the registry (plain http on loopback). Asynchronous: a token server in this process must answer it. */
export function push(layout: string, tag: string, destination: string, extra: string[] = []): Promise<void> {
  const child = spawn('skopeo', ['copy', '-q', '--all', '--dest-tls-verify=false', ...extra, `oci:${layout}:${tag}`, `docker://${destination}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve, reject) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      if (status === 0) resolve();
      else reject(new Error(`skopeo copy to ${destination} failed: ${errors.trim()}`));
    }),
  );
}

export interface Registry {
  readonly host: string;
  readonly accessLog: () => string[];
  stop(): Promise<void>;
}

export interface TokenAuth {
  /** The token server's URL (the realm). */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certFile: string;
}

/** Starts docker-registry with its storage and config under `dir`; resolves once /v2/ answers. */
export async function startRegistry(dir: string, auth?: TokenAuth): Promise<Registry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    ...(auth
      ? ['auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${auth.certFile}`]
      : []),
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), `${config}\n`);
  // The log goes to a file, read when asked: counting needs no event-loop turn.
  const logFile = join(dir, 'registry.log');
  const logFd = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const lines = () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`http://${host}/v2/`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200 || status === 401) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start on ${host}: ${lines().slice(-5).join(' | ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host,
    accessLog: () => lines().filter((line) => /"(GET|HEAD|PUT|POST|PATCH) \/v2\//.test(line)),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
