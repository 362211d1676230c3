// The registry client's pure parts: platforms in Go's names, WWW-Authenticate challenges, the
// registry's error documents, docker's credential lookup. No root, no network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePlatform, formatPlatform, parsePlatform, platformMatches } from '../../runtime/image/platform.js';
import { parseChallenge } from '../../runtime/image/registry/client.js';
import { lookupCredentials, parseCreds } from '../../runtime/image/registry/credentials.js';
import { describeFailure } from '../../runtime/image/registry/errors.js';
import { isLoopback } from '../../runtime/image/registry/http.js';
import { progressLine } from '../../runtime/image/progress.js';

describe('platforms', () => {
  it('parses and normalises as containerd does', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(formatPlatform(parsePlatform('linux/arm/v7'))).toBe('linux/arm/v7');
    expect(() => parsePlatform('linux')).toThrow(/invalid platform "linux": use OS\/ARCH\[\/VARIANT\]/);
    expect(() => parsePlatform('linux/amd64/v2/x')).toThrow(/invalid platform/);
  });

  it('matches variants: arm v7 runs v6 and v5, not v8', () => {
    expect(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false);
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' })).toBe(false);
  });

  it('chooses the exact variant first, else the best that runs; lists what there is when nothing does', () => {
    const entries = [
      { os: 'linux', architecture: 'arm', variant: 'v6' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'linux', architecture: 'amd64' },
      { os: 'unknown', architecture: 'unknown' },
    ];
    expect(choosePlatform(entries, (e) => e, parsePlatform('linux/arm/v7'), 'x')).toBe(entries[1]);
    expect(choosePlatform(entries.slice(0, 1), (e) => e, parsePlatform('linux/arm/v7'), 'x')).toBe(entries[0]);
    expect(() => choosePlatform(entries, (e) => e, parsePlatform('linux/s390x'), 'alpine:3.20')).toThrow('alpine:3.20 has no linux/s390x image; it offers linux/arm/v6, linux/arm/v7, linux/amd64 (choose one with --platform)');
  });
});

describe('the registry protocol', () => {
  it('reads WWW-Authenticate challenges as Docker Hub, GHCR and the distribution registry send them', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/app:pull"')?.params['service']).toBe('ghcr.io');
    expect(parseChallenge('Basic realm="basic-realm"')).toEqual({ scheme: 'basic', params: { realm: 'basic-realm' } });
    expect(parseChallenge('bearer realm=http://x/token, service=s')?.params).toEqual({ realm: 'http://x/token', service: 's' });
    expect(parseChallenge('Negotiate')).toBeUndefined();
    expect(parseChallenge(undefined)).toBeUndefined();
  });

  it("shows the registry's own error code and message, else the status", () => {
    expect(describeFailure(404, Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"2"}}]}'))).toBe('MANIFEST_UNKNOWN manifest unknown');
    expect(describeFailure(401, Buffer.from('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"},{"code":"DENIED","message":"no"}]}'))).toBe('UNAUTHORIZED authentication required; DENIED no');
    expect(describeFailure(502, Buffer.from('<html>bad gateway</html>'))).toBe('HTTP 502');
    expect(describeFailure(418, Buffer.from('teapot\nmore'))).toBe('HTTP 418: teapot');
  });

  it('a download shows its bar as docker pull does', () => {
    expect(progressLine({ id: 'dad0e3572c86', total: 1_050_000, done: 210_000, status: 'Downloading' }, 10)).toBe('dad0e3572c86: Downloading [==>       ] 210.0kB/1.05MB');
    expect(progressLine({ id: 'dad0e3572c86', total: 1_050_000, done: 1_050_000, status: 'Download complete' })).toBe('dad0e3572c86: Download complete');
  });

  it('plain http is for loopback only', () => {
    for (const host of ['localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000']) expect(isLoopback(host)).toBe(true);
    for (const host of ['docker.io', '10.0.0.1:5000', 'localhost.example.com']) expect(isLoopback(host)).toBe(false);
  });
});

describe("docker's credentials", () => {
  it('--creds USER:PASSWORD keeps colons in the password', () => {
    expect(parseCreds('me:a:b')).toEqual({ username: 'me', password: 'a:b', from: '--creds' });
    expect(() => parseCreds('nobody')).toThrow('--creds takes USER:PASSWORD');
  });

  it('auths entries by host, Docker Hub under https://index.docker.io/v1/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cttrace-docker-config-'));
    const saved = process.env['DOCKER_CONFIG'];
    process.env['DOCKER_CONFIG'] = dir;
    try {
      const auth = (text: string) => Buffer.from(text).toString('base64');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: auth('hub:secret') }, 'ghcr.io': { auth: auth('gh:token:x') } } }));
      expect(lookupCredentials('docker.io')).toMatchObject({ username: 'hub', password: 'secret' });
      expect(lookupCredentials('ghcr.io')).toMatchObject({ username: 'gh', password: 'token:x' });
      expect(lookupCredentials('quay.io')).toBeUndefined();
      writeFileSync(join(dir, 'config.json'), '{not json');
      expect(() => lookupCredentials('ghcr.io')).toThrow(/config.json is not valid JSON/);
    } finally {
      if (saved === undefined) delete process.env['DOCKER_CONFIG'];
      else process.env['DOCKER_CONFIG'] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
