// Pulls from a real registry (Debian's docker-registry, started here on 127.0.0.1), images pushed
// with skopeo: a multi-platform index (amd64 and arm64, each with its own /marker), a zstd layer,
// three layers with whiteouts. Runs the built CLI as a user would. Needs root (cttrace run,
// overlay mounts, whiteout device nodes).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImage } from '../runtime/image/store.js';
import { cliPath, isRoot, runCliAsync } from './helpers/cli.js';
import { busyboxEntries, hasRegistryTools, type Proxy, push, type Registry, startProxy, startRegistry, tarOf, writeLayout } from './helpers/registry-fixtures.js';

const ready = isRoot && hasRegistryTools();
if (!ready) console.warn('registry pulls: skipped, needs root and docker-registry, skopeo, openssl (apt-get install docker-registry skopeo openssl)');

let work = '';
let registry: Registry;
let proxy: Proxy;
let homes = 0;
const freshHome = () => join(work, `home-${++homes}`);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The built CLI with its own cache (asynchronous: the proxy answers from this process). */
const cli = (args: string[], home: string, env: Record<string, string> = {}) => runCliAsync(args, { CTTRACE_HOME: home, ...env });

const blobGets = () => registry.accessLog().filter((line) => /"GET \/v2\/[^ ]+\/blobs\//.test(line)).length;
const blobsIn = (home: string) => (existsSync(join(home, 'blobs/sha256')) ? readdirSync(join(home, 'blobs/sha256')) : []);

/** The amd64 manifest's digest in the multi-platform layout (what a pull by digest names). */
let amd64Digest = '';
let whiteoutTop: Buffer;
let amd64Manifest: { config: object; layers: Array<Record<string, unknown>> };
const layers: Record<string, Buffer> = {};

beforeAll(async () => {
  if (!ready) return;
  work = mkdtempSync(join(tmpdir(), 'cttrace-registry-'));
  registry = await startRegistry(join(work, 'registry'));
  proxy = await startProxy(registry.host);
  const base = busyboxEntries();
  layers['amd64'] = tarOf([...base, { path: 'marker', data: 'amd64 marker\n' }]);
  layers['arm64'] = tarOf([{ path: 'marker', data: 'arm64 marker\n' }]);
  const multi = join(work, 'multi');
  writeLayout(multi, '1', [
    { architecture: 'amd64', layers: [layers['amd64']] },
    { architecture: 'arm64', variant: 'v8', layers: [layers['arm64']] },
  ]);
  await push(multi, '1', `${registry.host}/x/app:1`);
  const index = JSON.parse(readFileSync(join(multi, 'index.json'), 'utf8'));
  const nested = JSON.parse(readFileSync(join(multi, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
  amd64Digest = nested.manifests.find((m: { platform: { architecture: string } }) => m.platform.architecture === 'amd64').digest;
  amd64Manifest = JSON.parse(readFileSync(join(multi, 'blobs/sha256', amd64Digest.slice(7)), 'utf8'));

  const zstd = join(work, 'zstd');
  writeLayout(zstd, '1', [{ architecture: 'amd64', layers: [tarOf([...base, { path: 'marker', data: 'zstd marker\n' }])] }]);
  await push(zstd, '1', `${registry.host}/x/zstd:1`, ['--dest-compress-format', 'zstd']);

  const whiteouts = join(work, 'whiteouts');
  const lower = [
    tarOf([...base, { path: 'etc/deleteme', data: 'bye\n' }, { path: 'data/old1', data: '1\n' }, { path: 'data/old2', data: '2\n' }]),
    tarOf([{ path: 'etc/', type: 'Directory' }, { path: 'etc/.wh.deleteme' }]),
  ];
  whiteoutTop = tarOf([{ path: 'data/', type: 'Directory' }, { path: 'data/.wh..wh..opq' }, { path: 'data/new', data: 'new\n' }]);
  writeLayout(whiteouts, '1', [{ architecture: 'amd64', layers: [...lower, whiteoutTop] }]);
  await push(whiteouts, '1', `${registry.host}/x/layers:1`);
  // the same two lower layers under another name: shared blobs
  const sibling = join(work, 'sibling');
  writeLayout(sibling, '1', [{ architecture: 'amd64', layers: [...lower, tarOf([{ path: 'sibling', data: 'yes\n' }])] }]);
  await push(sibling, '1', `${registry.host}/y/sibling:1`);
}, 180_000);

afterAll(async () => {
  if (!ready) return;
  await proxy?.stop();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!ready)('registry pulls (root, docker-registry, skopeo)', () => {
  it('runs the amd64 image of a multi-platform index; the second run asks for no blob', async () => {
    const home = freshHome();
    const trace = join(work, 'a.cttrace');
    const before = blobGets();
    const first = await cli(['run', '-q', '-o', trace, '--', `${registry.host}/x/app:1`, 'cat', '/marker'], home);
    expect(first.stderr).toMatch(new RegExp(`pulled ${registry.host}/x/app:1 \\(linux/amd64, sha256:[a-f0-9]{12}…\\) from registry ${registry.host}: 1 of 1 layers downloaded`));
    expect(first.stdout).toBe('amd64 marker\n');
    expect(first.status).toBe(0);
    expect(blobGets() - before).toBe(2); // the config and the one layer
    const log = registry.accessLog().length;
    const second = await cli(['run', '-q', '-o', trace, '--', `${registry.host}/x/app:1`, 'cat', '/marker'], home);
    expect(second.stdout).toBe('amd64 marker\n');
    expect(second.stderr).not.toMatch(/pulled/);
    expect(registry.accessLog().length).toBe(log); // not even the manifest: --pull missing found it in the cache
    const header = JSON.parse(gunzipSync(readFileSync(trace)).toString('utf8').split('\n')[0]!);
    expect(header.image).toMatch(new RegExp(`^${registry.host}/x/app:1 = ${registry.host}/x/app:1 \\(sha256:[a-f0-9]{12}…, from registry ${registry.host}\\)$`));
    // --pull always asks again (the manifest), but the blobs it has are not fetched again
    const blobsBefore = blobGets();
    const third = await cli(['run', '-q', '-o', trace, '--pull', 'always', '--', `${registry.host}/x/app:1`, 'true'], home);
    expect(third.status).toBe(0);
    expect(third.stderr).toMatch(/0 of 1 layers downloaded/);
    expect(blobGets()).toBe(blobsBefore);
  });

  it('--platform picks the other manifest; a pull by digest; a platform the index lacks is named with those it has', async () => {
    const home = freshHome();
    const report: string[] = [];
    const arm = await resolveImage(`${registry.host}/x/app:1`, { home, progress: false, platform: 'linux/arm64', report: (line) => report.push(line) });
    expect(readFileSync(join(arm.layers[0]!, 'marker'), 'utf8')).toBe('arm64 marker\n');
    expect(report.join('\n')).toMatch(/\(linux\/arm64\/v8, /);
    const byDigest = await resolveImage(`${registry.host}/x/app@${amd64Digest}`, { home, progress: false, report: () => {} });
    expect(readFileSync(join(byDigest.layers[0]!, 'marker'), 'utf8')).toBe('amd64 marker\n');
    // the same image for a rootless container: unpacked again from the cached blob, owned by the shifted ids, nothing fetched
    const seen = registry.accessLog().length;
    const rootless = await resolveImage(`${registry.host}/x/app@${amd64Digest}`, { home, progress: false, rootless: true, report: () => {} });
    expect(rootless.layers[0]).toContain('/remapped/100000.100000/layers/');
    expect(statSync(join(rootless.layers[0]!, 'marker')).uid).toBe(100000);
    expect(registry.accessLog().length).toBe(seen);
    const missing = await cli(['pull', '--platform', 'linux/s390x', `${registry.host}/x/app:1`], home);
    expect(missing.stderr).toBe(`cttrace: ${registry.host}/x/app:1 has no linux/s390x image; it offers linux/amd64, linux/arm64/v8 (choose one with --platform)\n`);
    expect(missing.status).not.toBe(0);
  });

  it('a zstd layer', async () => {
    const home = freshHome();
    const result = await cli(['run', '-q', '-o', join(work, 'z.cttrace'), '--', `${registry.host}/x/zstd:1`, 'cat', '/marker'], home);
    expect(result.stderr).toMatch(/pulled .*x\/zstd:1/);
    expect(result.stdout).toBe('zstd marker\n');
    const manifestTypes = readdirSync(join(home, 'blobs/sha256')).map((hex) => readFileSync(join(home, 'blobs/sha256', hex)).subarray(0, 4).toString('hex'));
    expect(manifestTypes).toContain('28b52ffd'); // the layer blob as stored is zstd
  });

  it('three layers with whiteouts, through the overlay', async () => {
    const home = freshHome();
    const result = await cli(['run', '-q', '-o', join(work, 'w.cttrace'), '--', `${registry.host}/x/layers:1`, 'sh', '-c', 'ls /data; test -e /etc/deleteme || echo deleteme-gone'], home);
    expect(result.stdout).toBe('new\ndeleteme-gone\n');
    expect(result.stderr).toMatch(/3 of 3 layers downloaded/);
  });

  it('images sharing layers share blobs; images lists them; rmi frees what only it used; prune the rest', async () => {
    const home = freshHome();
    expect((await cli(['pull', `${registry.host}/x/layers:1`], home)).stderr).toMatch(/3 of 3 layers downloaded/);
    const before = blobGets();
    expect((await cli(['pull', `${registry.host}/y/sibling:1`], home)).stderr).toMatch(/1 of 3 layers downloaded/);
    expect(blobGets() - before).toBe(2); // its config and its own top layer
    const listed = await cli(['images'], home);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REFERENCE +DIGEST +PLATFORM +SIZE +LAST USED$/);
    expect(lines.slice(1).map((line) => line.split(/ {3,}/)[0])).toEqual([`${registry.host}/x/layers:1`, `${registry.host}/y/sibling:1`]);
    expect(lines[1]).toMatch(/ sha256:[a-f0-9]{12} +linux\/amd64 +\d+(\.\d+)?[kM]B +(just now|\d+ seconds ago)$/);
    const json = (await cli(['images', '--json'], home)).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(json.map((image) => image.source)).toEqual(['registry', 'registry']);
    const blobsBefore = blobsIn(home).length;
    expect(blobsBefore).toBe(2 * 2 + 4); // two manifests and configs, four layers
    const rmi = await cli(['rmi', `${registry.host}/x/layers:1`], home);
    expect(rmi.stdout).toMatch(new RegExp(`^Untagged: ${registry.host}/x/layers:1\nDeleted: sha256:[a-f0-9]{64} \\(1 layers, 3 blobs, `));
    expect(blobsIn(home).length).toBe(blobsBefore - 3);
    expect((await cli(['run', '-q', '-o', join(work, 's.cttrace'), '--pull', 'never', '--', `${registry.host}/y/sibling:1`, 'cat', '/sibling'], home)).stdout).toBe('yes\n');
    expect((await cli(['rmi', `${registry.host}/x/layers:1`], home)).stderr).toBe(`cttrace: no image ${registry.host}/x/layers:1 in the cache (${registry.host}/x/layers:1); \`cttrace images\` lists them\n`);
    expect((await cli(['prune'], home)).stdout).toBe('removed 0 unpacked layers, 0 blobs (0B) and 0B of unfinished downloads\n');
    const id = json[1].id.slice(7, 19);
    expect((await cli(['rmi', id], home)).stdout).toMatch(/^Untagged: .*y\/sibling:1\nDeleted: .*\(3 layers, 5 blobs, /);
    expect(blobsIn(home)).toEqual([]);
    expect(readdirSync(join(home, 'layers/sha256'))).toEqual([]);
    expect((await cli(['images'], home)).stdout).toBe('REFERENCE   DIGEST   PLATFORM   SIZE   LAST USED\n');
  });

  it('bad inputs: one line each, a non-zero exit, nothing cached', async () => {
    const home = freshHome();
    const unknown = await cli(['pull', `${registry.host}/x/nope:1`], home);
    // distribution 2.8 says MANIFEST_UNKNOWN for a repository it does not know; later ones NAME_UNKNOWN
    expect(unknown.stderr).toMatch(new RegExp(`^cttrace: registry ${registry.host}: manifest x/nope:1: (NAME_UNKNOWN repository name not known to registry|MANIFEST_UNKNOWN manifest unknown)\n$`));
    expect(unknown.status).not.toBe(0);
    const tag = await cli(['pull', `${registry.host}/x/app:2`], home);
    expect(tag.stderr).toBe(`cttrace: registry ${registry.host}: manifest x/app:2: MANIFEST_UNKNOWN manifest unknown\n`);

    // a registry that accepts the connection and never answers
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const timeout = await cli(['pull', `127.0.0.1:${port}/x/app:1`], home, { CTTRACE_REGISTRY_TIMEOUT: '1' });
      expect(timeout.stderr).toMatch(new RegExp(`^cttrace: registry 127\\.0\\.0\\.1:${port} did not answer within 1 s \\(127\\.0\\.0\\.1:${port}\\); check that it is up, or set CTTRACE_REGISTRY_TIMEOUT=SECONDS\\n$`));
      expect(timeout.status).not.toBe(0);
    } finally {
      silent.close();
    }

    // a layer whose bytes do not match its digest
    proxy.behave = (_method, path) => (/\/blobs\/sha256:/.test(path) && !path.includes(sha256(Buffer.alloc(0))) ? { kind: 'corrupt' } : { kind: 'forward' });
    const corruptHome = freshHome();
    const corrupt = await cli(['pull', `${proxy.host}/x/layers:1`], corruptHome);
    proxy.behave = () => ({ kind: 'forward' });
    expect(corrupt.stderr).toMatch(/^cttrace: (the image config of .* is corrupt: its digest is sha256:[a-f0-9]{64}, not sha256:[a-f0-9]{64}|layer \d\/3 \(sha256:[a-f0-9]{12}\) of .* does not match its digest: the bytes hash to sha256:[a-f0-9]{64}): refused, nothing cached\n$/);
    expect(corrupt.status).not.toBe(0);
    expect(blobsIn(corruptHome).filter((hex) => readFileSync(join(corruptHome, 'blobs/sha256', hex)).subarray(0, 2).toString('hex') === '1f8b')).toEqual([]);
    if (existsSync(join(corruptHome, 'blobs/incoming'))) expect(readdirSync(join(corruptHome, 'blobs/incoming'))).toEqual([]);

    // the top layer is missing on the registry while the lower ones still download: its own line, no crash
    const top = sha256(gzipSync(whiteoutTop));
    proxy.behave = (_method, path) =>
      path.endsWith(`/blobs/sha256:${top}`) ? { kind: 'answer', status: 404, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}') } : { kind: 'forward' };
    const lost = await cli(['pull', `${proxy.host}/x/layers:1`], freshHome());
    proxy.behave = () => ({ kind: 'forward' });
    expect(lost.stderr).toBe(`cttrace: registry ${proxy.host}: blob sha256:${top}: BLOB_UNKNOWN blob unknown to registry\n`);
    expect(lost.status).toBe(1);

    // a manifest over the limit
    proxy.behave = (_method, path) =>
      path.endsWith('/manifests/huge') ? { kind: 'answer', status: 200, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: Buffer.alloc(5 * 1024 * 1024, 0x20) } : { kind: 'forward' };
    const huge = await cli(['pull', `${proxy.host}/x/app:huge`], home);
    proxy.behave = () => ({ kind: 'forward' });
    expect(huge.stderr).toBe(`cttrace: the manifest of x/app:huge from registry ${proxy.host} is too large: over 4194304 bytes\n`);
    expect(huge.status).not.toBe(0);

    // a foreign (non-distributable) layer, as Windows base images have
    const foreign = Buffer.from(JSON.stringify({ ...amd64Manifest, layers: amd64Manifest.layers.map((layer) => ({ ...layer, mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', urls: ['https://example.invalid/layer'] })) }));
    proxy.behave = (_method, path) => (path.endsWith('/manifests/foreign') ? { kind: 'answer', status: 200, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: foreign } : { kind: 'forward' });
    const refused = await cli(['pull', `${proxy.host}/x/app:foreign`], home);
    proxy.behave = () => ({ kind: 'forward' });
    expect(refused.stderr).toBe(`cttrace: ${proxy.host}/x/app:foreign: layer 1 is a foreign (non-distributable) layer (application/vnd.oci.image.layer.nondistributable.v1.tar+gzip), which registries do not serve: such images (Windows bases) cannot run here\n`);
    expect(refused.status).not.toBe(0);

    // a --pull never for an image the cache lacks
    const never = await cli(['run', '--pull', 'never', '--', `${registry.host}/x/app:1`, 'true'], freshHome());
    expect(never.stderr).toBe(`cttrace: ${registry.host}/x/app:1 is not in the cache and --pull never forbids fetching it: run \`cttrace pull ${registry.host}/x/app:1\` first\n`);
    expect(never.status).not.toBe(0);
  });

  it('a registry that wants Basic credentials: refused without, pulled with --creds', async () => {
    const expected = `Basic ${Buffer.from('me:secret').toString('base64')}`;
    proxy.behave = (_method, _path, headers) =>
      headers.authorization === expected
        ? { kind: 'forward' }
        : { kind: 'answer', status: 401, headers: { 'www-authenticate': 'Basic realm="cttrace-test"', 'content-type': 'application/json' }, body: Buffer.from('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}') };
    try {
      const anonymous = await cli(['pull', `${proxy.host}/x/app:1`], freshHome(), { DOCKER_CONFIG: join(work, 'no-docker-config') });
      expect(anonymous.stderr).toBe(`cttrace: registry ${proxy.host} wants a login: pass --creds USER:PASSWORD or run docker login ${proxy.host}\n`);
      const wrong = await cli(['pull', '--creds', 'me:wrong', `${proxy.host}/x/app:1`], freshHome());
      expect(wrong.stderr).toBe(`cttrace: registry ${proxy.host}: manifest x/app:1: UNAUTHORIZED authentication required (the credentials from --creds were refused (wrong user or password?))\n`);
      const right = await cli(['pull', '--creds', 'me:secret', `${proxy.host}/x/app:1`], freshHome());
      expect(right.stderr).toMatch(/pulled .* 1 of 1 layers downloaded/);
    } finally {
      proxy.behave = () => ({ kind: 'forward' });
    }
  });

  it('plain http only for loopback, or a host named by --insecure-registry', async () => {
    // the proxy, reached through this machine's own non-loopback address
    const address = Object.values(networkInterfaces()).flat().find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;
    expect(address, 'a non-loopback IPv4 address on this machine').toBeDefined();
    const outside = await startProxy(registry.host, '0.0.0.0');
    try {
      const host = `${address}:${outside.host.split(':')[1]}`;
      const refused = await cli(['pull', `${host}/x/app:1`], freshHome());
      expect(refused.stderr).toBe(`cttrace: registry ${host} does not speak https at ${host}: if it serves plain http and you trust the network, pass --insecure-registry ${host}\n`);
      expect(refused.status).not.toBe(0);
      const allowed = await cli(['pull', '--insecure-registry', host, `${host}/x/app:1`], freshHome());
      expect(allowed.stderr).toMatch(/pulled .* 1 of 1 layers downloaded/);
    } finally {
      await outside.stop();
    }
  });

  it('a 503 is retried; a connection cut mid-layer resumes with a range; one cut every time fails as truncated, nothing cached', async () => {
    let cuts = 0;
    let busy = 0;
    proxy.behave = (_method, path) => {
      if (path.endsWith('/manifests/1') && busy++ === 0) return { kind: 'answer', status: 503, headers: {}, body: Buffer.from('{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}') };
      return /\/blobs\//.test(path) && cuts++ === 1 ? { kind: 'cut', bytes: 4096 } : { kind: 'forward' };
    };
    const home = freshHome();
    const resumed = await cli(['pull', `${proxy.host}/x/app:1`], home);
    expect(resumed.stderr).toMatch(/pulled .* 1 of 1 layers downloaded/);
    expect(resumed.status).toBe(0);
    expect(proxy.seen.some((line) => /blobs\/sha256:[a-f0-9]+ range=bytes=4096-$/.test(line))).toBe(true);
    expect(proxy.seen.filter((line) => line === 'GET /v2/x/app/manifests/1').length).toBeGreaterThanOrEqual(2);

    proxy.behave = (_method, path) => (/\/blobs\//.test(path) && !/manifests/.test(path) ? { kind: 'cut', bytes: 100 } : { kind: 'forward' });
    const broken = freshHome();
    const truncated = await cli(['pull', `${proxy.host}/x/layers:1`], broken);
    proxy.behave = () => ({ kind: 'forward' });
    expect(truncated.stderr).toMatch(/^cttrace: (the image config|layer).* (broke|too large|is truncated|connection broke)/);
    expect(truncated.stderr.split('\n')).toHaveLength(2);
    expect(truncated.status).not.toBe(0);
    expect(blobsIn(broken).length).toBeLessThanOrEqual(1); // the manifest at most: never a layer or config cut short
  });

  /** Starts `cttrace pull` of x/app:1 through the proxy and SIGKILLs it once its layer download hangs halfway. */
  async function killedMidPull(home: string): Promise<void> {
    let stalled!: () => void;
    const atStall = new Promise<void>((resolve) => (stalled = resolve));
    proxy.behave = (_method, path) => (/\/blobs\//.test(path) && path.includes(sha256(gzipSync(layers['amd64']!))) ? { kind: 'stall', bytes: 200_000, onStall: () => stalled() } : { kind: 'forward' });
    const child = spawn(process.execPath, [cliPath, 'pull', `${proxy.host}/x/app:1`], { env: { ...process.env, CTTRACE_HOME: home }, stdio: 'ignore' });
    try {
      await atStall;
      await new Promise((resolve) => setTimeout(resolve, 200)); // let it write what it received
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      proxy.behave = () => ({ kind: 'forward' });
    }
  }

  it('SIGKILL mid-pull leaves no partial blob taken as whole; the next pull resumes it, or prune removes it', async () => {
    const home = freshHome();
    await killedMidPull(home);
    const partial = readdirSync(join(home, 'blobs/incoming'));
    expect(partial).toHaveLength(1);
    expect(blobsIn(home)).not.toContain(partial[0]!.split('.')[0]);
    const again = await cli(['run', '-q', '-o', join(work, 'k.cttrace'), '--', `${proxy.host}/x/app:1`, 'cat', '/marker'], home);
    expect(again.stdout).toBe('amd64 marker\n');
    expect(proxy.seen.some((line) => /range=bytes=\d+-$/.test(line))).toBe(true);
    expect(readdirSync(join(home, 'blobs/incoming'))).toEqual([]);

    const other = freshHome();
    await killedMidPull(other);
    const pruned = await cli(['prune'], other);
    // the manifest and config it had stored belong to no image: they go too
    expect(pruned.stdout).toMatch(/^removed 0 unpacked layers, 2 blobs \(\d+B\) and 200\.0kB of unfinished downloads\n$/);
    expect(blobsIn(other)).toEqual([]);
    expect(readdirSync(join(other, 'blobs/incoming'))).toEqual([]);

    // cleanup removes the partial download too (and keeps the cache, which prune's job is)
    const third = freshHome();
    await killedMidPull(third);
    const cleaned = await cli(['cleanup'], third);
    expect(cleaned.stderr).toMatch(/^cttrace: removed what crashed runs left behind: 1 partial download of killed pulls \(200\.0kB\)\n$/);
    expect(readdirSync(join(third, 'blobs/incoming'))).toEqual([]);
    expect(blobsIn(third)).toHaveLength(2);
  });
});
