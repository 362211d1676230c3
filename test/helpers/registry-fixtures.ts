// What the pull tests need beside the local registry (tracer/bench/local-registry.ts): layers
// made of the host's busybox, a token server that signs JWTs with a key whose self-signed
// certificate is the registry's rootcertbundle, and a proxy that counts requests and breaks
// them on purpose.
import { execFileSync, spawnSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TokenAuth } from '../../tracer/bench/local-registry.js';
import { craftTar, type CraftedEntry } from './image-fixtures.js';

export { freePort, type ImageSpec, push, type Registry, startRegistry, type TokenAuth, writeLayout } from '../../tracer/bench/local-registry.js';

// ---- images ------------------------------------------------------------------------------------

/** A small runnable rootfs as tar entries: static busybox and a few applets, /etc, mount points. */
export function busyboxEntries(): CraftedEntry[] {
  const entries: CraftedEntry[] = ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'data'].map((dir) => ({ path: `${dir}/`, type: 'Directory' as const, mode: dir === 'tmp' ? 0o1777 : 0o755 }));
  entries.push({ path: 'bin/busybox', data: readFileSync('/bin/busybox'), mode: 0o755 });
  for (const applet of ['sh', 'cat', 'ls', 'echo', 'true']) entries.push({ path: `bin/${applet}`, type: 'SymbolicLink', linkpath: 'busybox' });
  entries.push({ path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' }, { path: 'etc/group', data: 'root:x:0:\n' });
  return entries;
}

export const tarOf = craftTar;

// ---- the registry ------------------------------------------------------------------------------

// ---- the token server ----------------------------------------------------------------------------

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export interface TokenServer extends TokenAuth {
  /** Requests it answered: [scope, user or "anonymous", granted]. */
  readonly requests: Array<{ scope: string; user: string; granted: boolean }>;
  stop(): Promise<void>;
}

/**
 * A token server as Docker Hub's: GET ?service=&scope= with optional Basic credentials; only
 * `user`/`password` may pull, anonymous callers get a token with no access (the registry then
 * answers 401), a wrong password gets 401 here. Tokens are RS256 JWTs with the certificate in x5c.
 */
export async function startTokenServer(dir: string, user: string, password: string): Promise<TokenServer> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=cttrace-test-token'], { stdio: 'ignore' });
  chmodSync(keyFile, 0o600);
  const key = readFileSync(keyFile, 'utf8');
  const certDer = Buffer.from(readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const service = 'cttrace-test-registry';
  const issuer = 'cttrace-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope') ?? '';
    const header = req.headers.authorization ?? '';
    let who = 'anonymous';
    if (header.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (name !== user || rest.join(':') !== password) {
        requests.push({ scope, user: name ?? '', granted: false });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
        return;
      }
      who = name;
    }
    const [type, name, actions] = scope.split(':');
    const access = who === user && type && name ? [{ type, name, actions: (actions ?? '').split(',') }] : [];
    requests.push({ scope, user: who, granted: access.length > 0 });
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: who, aud: service, exp: now + 600, nbf: now - 10, iat: now, jti: String(Math.random()), access }));
    const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(key);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${head}.${claims}.${b64url(signature)}`, expires_in: 600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function hasRegistryTools(): boolean {
  return ['docker-registry', 'skopeo', 'openssl'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
}


// ---- a proxy that counts and misbehaves on request --------------------------------------------

/** What the proxy does with one request: forward it, or answer in its own way. */
export type ProxyBehaviour =
  | { kind: 'forward' }
  /** Forward, but cut the body after `bytes` bytes (the connection is destroyed). */
  | { kind: 'cut'; bytes: number; onCut?: () => void }
  /** Forward, but change one byte of the body. */
  | { kind: 'corrupt' }
  /** Forward the first `bytes` bytes, then send nothing more (hold the connection). */
  | { kind: 'stall'; bytes: number; onStall?: () => void }
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: Buffer };

export interface Proxy {
  readonly host: string;
  /** Requests seen: "METHOD path" (with "range=..." when one was asked). */
  readonly seen: string[];
  /** Chooses the behaviour per request (default: forward). */
  behave: (method: string, path: string, headers: http.IncomingHttpHeaders) => ProxyBehaviour;
  stop(): Promise<void>;
}

export async function startProxy(target: string, bind = '127.0.0.1'): Promise<Proxy> {
  const held = new Set<http.ServerResponse>();
  const proxy: Proxy = {
    host: '',
    seen: [],
    behave: () => ({ kind: 'forward' }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    proxy.seen.push(`${req.method} ${path}${req.headers.range ? ` range=${req.headers.range}` : ''}`);
    const behaviour = proxy.behave(req.method ?? 'GET', path, req.headers);
    if (behaviour.kind === 'answer') {
      res.writeHead(behaviour.status, behaviour.headers);
      res.end(behaviour.body);
      return;
    }
    const headers = { ...req.headers, host: target };
    const upstream = http.request(`http://${target}${path}`, { method: req.method, headers }, (answer) => {
      const outHeaders = { ...answer.headers };
      if (typeof outHeaders['www-authenticate'] === 'string') outHeaders['www-authenticate'] = outHeaders['www-authenticate'].replace(target, proxy.host);
      if (typeof outHeaders.location === 'string') outHeaders.location = outHeaders.location.replace(target, proxy.host);
      res.writeHead(answer.statusCode ?? 502, outHeaders);
      let sent = 0;
      let flipped = false;
      answer.on('data', (chunk: Buffer) => {
        if (behaviour.kind === 'cut' || behaviour.kind === 'stall') {
          const room = behaviour.bytes - sent;
          if (room <= 0) return;
          const part = chunk.subarray(0, room);
          sent += part.length;
          res.write(part);
          if (sent >= behaviour.bytes) {
            answer.destroy();
            if (behaviour.kind === 'cut') {
              // cut once the part is on its way, so that the client has it to resume from
              res.write('', () => setTimeout(() => {
                behaviour.onCut?.();
                res.destroy();
              }, 50));
            } else {
              held.add(res);
              behaviour.onStall?.();
            }
          }
          return;
        }
        if (behaviour.kind === 'corrupt' && !flipped && chunk.length > 0) {
          const copy = Buffer.from(chunk);
          copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
          flipped = true;
          res.write(copy);
          return;
        }
        res.write(chunk);
      });
      answer.on('end', () => {
        if (behaviour.kind === 'forward' || behaviour.kind === 'corrupt') res.end();
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, bind, resolve));
  (proxy as { host: string }).host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
