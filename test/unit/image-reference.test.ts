// Image references: docker's reference grammar (distribution/reference's cases and names people
// type every day) and the transports beside it. No root, no network.
import { describe, expect, it } from 'vitest';
import { familiarName, formatReference, parseDockerReference } from '../../runtime/image/docker-reference.js';
import { parseReference } from '../../runtime/image/reference.js';

const HEX64 = 'f'.repeat(64);
const SHA256 = `sha256:${HEX64}`;

/** domain/path[:tag][@digest] as docker normalises it, or the error message. */
function normalised(text: string): string {
  try {
    return formatReference(parseDockerReference(text));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("docker's reference grammar", () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['library/alpine', 'docker.io/library/alpine:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['docker.io/library/alpine:edge', 'docker.io/library/alpine:edge'],
    ['index.docker.io/library/debian', 'docker.io/library/debian:latest'],
    ['index.docker.io/debian', 'docker.io/library/debian:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['containous/traefik:v2.10', 'docker.io/containous/traefik:v2.10'],
    ['ghcr.io/org/app:tag', 'ghcr.io/org/app:tag'],
    ['quay.io/prometheus/node-exporter:v1.8.1', 'quay.io/prometheus/node-exporter:v1.8.1'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['gcr.io/distroless/static-debian12:nonroot', 'gcr.io/distroless/static-debian12:nonroot'],
    ['mcr.microsoft.com/dotnet/runtime:8.0', 'mcr.microsoft.com/dotnet/runtime:8.0'],
    ['public.ecr.aws/docker/library/busybox:1.36', 'public.ecr.aws/docker/library/busybox:1.36'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['127.0.0.1:5000/x/app:1', '127.0.0.1:5000/x/app:1'],
    [`127.0.0.1:5000/x/app@${SHA256}`, `127.0.0.1:5000/x/app@${SHA256}`],
    [`host:5000/path/app:1.0@${SHA256}`, `host:5000/path/app:1.0@${SHA256}`],
    [`alpine@${SHA256}`, `docker.io/library/alpine@${SHA256}`],
    [`alpine:3.20@${SHA256}`, `docker.io/library/alpine:3.20@${SHA256}`],
    ['test_com', 'docker.io/library/test_com:latest'],
    ['test.com:tag', 'docker.io/library/test.com:tag'], // no slash: never a registry
    ['test.com:5000', 'docker.io/library/test.com:5000'], // ... so 5000 is a tag
    ['test.com/repo:tag', 'test.com/repo:tag'],
    ['test:5000/repo', 'test:5000/repo:latest'],
    ['test_com/foo', 'docker.io/test_com/foo:latest'], // _ is no domain marker
    ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag'],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com'],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
    ['192.168.1.1', 'docker.io/library/192.168.1.1:latest'],
    ['192.168.1.1/repo', '192.168.1.1/repo:latest'],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo:5050'],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo:tag'],
    ['[::1]:5000/repo', '[::1]:5000/repo:latest'],
    ['Uppercase/lowercase:tag', 'Uppercase/lowercase:tag'], // capitals make the first part a registry, as in docker
    ['lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase'],
    ['a__b/c--d/e.f:g', 'docker.io/a__b/c--d/e.f:g'],
    [`a:${'t'.repeat(128)}`, `docker.io/library/a:${'t'.repeat(128)}`],
    [`xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`, `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`],
  ])('%s -> %s', (text, expected) => {
    expect(normalised(text)).toBe(expected);
  });

  it.each([
    ['', /it is empty/],
    [':justtag', /no repository name/],
    [`@${SHA256}`, /no repository name/],
    ['Uppercase:tag', /repository name "library\/Uppercase" must be lowercase/],
    ['Alpine', /must be lowercase/],
    ['test:5000/Uppercase/lowercase:tag', /repository name "Uppercase\/lowercase" must be lowercase/],
    [`a:${'t'.repeat(129)}`, /a tag is at most 128 characters/],
    ['alpine:-bad', /invalid tag "-bad"/],
    ['alpine:.bad', /invalid tag ".bad"/],
    ['aa/asdf$$^/aa', /a repository name is lowercase letters/],
    ['a/b//c', /a repository name is lowercase letters/],
    ['a-/b', /a repository name is lowercase letters/],
    ['a/_b', /a repository name is lowercase letters/],
    ['a/b___c', /a repository name is lowercase letters/],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', /a sha256 digest is 64 lowercase hex digits/],
    [`validname@invaliddigest:${HEX64}`, /unsupported digest algorithm invaliddigest/],
    [`repo@sha256:${'F'.repeat(64)}`, /a sha256 digest is 64 lowercase hex digits/],
    ['repo@sha256', /invalid digest "sha256"/],
    [HEX64, /image id, not a repository name/],
    [`${'a/'.repeat(128)}a:tag`, /the repository name is 267 characters, at most 255/],
    ['[2001:db8::1]:tag', /a repository name is lowercase letters/],
    ['[fe80::1%eth0]:5000/repo', /is not a registry host\[:port\]/],
    ['-host.com/app', /is not a registry host\[:port\]/],
    ['host.com:port/app', /is not a registry host\[:port\]/],
  ])('%s is refused', (text, message) => {
    const result = normalised(text);
    expect(result).toMatch(/^error: invalid image reference /);
    expect(result).toMatch(message);
    expect(result).not.toContain('\n');
  });

  it('a name just at the length limit is taken', () => {
    // 255 characters as written, but normalised it is docker.io/ + 255: over the limit, as in docker
    expect(normalised(`${'a/'.repeat(127)}a:tag-puts-this-over-max`)).toMatch(/the repository name is 265 characters, at most 255/);
    const exact = `example.com/${'a'.repeat(255 - 'example.com/'.length)}`;
    expect(normalised(exact)).toBe(`${exact}:latest`);
    expect(normalised(`${exact}b`)).toMatch(/256 characters, at most 255/);
  });

  it('familiar names as docker prints them', () => {
    expect(familiarName(parseDockerReference('alpine'))).toBe('alpine:latest');
    expect(familiarName(parseDockerReference('docker.io/library/alpine:3.20'))).toBe('alpine:3.20');
    expect(familiarName(parseDockerReference('user/app:1'))).toBe('user/app:1');
    expect(familiarName(parseDockerReference('docker.io/library/a/b'))).toBe('library/a/b:latest');
    expect(familiarName(parseDockerReference('ghcr.io/org/app'))).toBe('ghcr.io/org/app:latest');
  });
});

describe('image transports', () => {
  it('a bare name is a registry image, looked for in the local dockerd first', () => {
    expect(parseReference('alpine')).toEqual({ kind: 'registry', ref: { domain: 'docker.io', path: 'library/alpine', tag: 'latest' }, daemonFirst: true });
    expect(parseReference('127.0.0.1:5000/x/app:1')).toMatchObject({ kind: 'registry', ref: { domain: '127.0.0.1:5000', path: 'x/app', tag: '1' } });
    expect(parseReference('localhost:5000/app')).toMatchObject({ kind: 'registry', ref: { domain: 'localhost:5000', path: 'app' } });
  });

  it('docker:// is the registry only; docker-daemon: the local dockerd only', () => {
    expect(parseReference('docker://alpine:3.20')).toEqual({ kind: 'registry', ref: { domain: 'docker.io', path: 'library/alpine', tag: '3.20' }, daemonFirst: false });
    expect(parseReference('docker-daemon:bbox:bars')).toEqual({ kind: 'docker-daemon', ref: { domain: 'docker.io', path: 'library/bbox', tag: 'bars' } });
    expect(parseReference('docker-daemon:myorg/app')).toMatchObject({ kind: 'docker-daemon', ref: { path: 'myorg/app', tag: 'latest' } });
    expect(() => parseReference('docker:alpine')).toThrow(/docker: takes a registry reference after two slashes: docker:\/\/alpine/);
    expect(() => parseReference('docker-daemon:')).toThrow(/docker-daemon:NAME\[:TAG\]/);
    expect(() => parseReference('docker://Alpine')).toThrow(/must be lowercase/);
  });

  it('busybox stays the built-in image; the file transports are unchanged', () => {
    expect(parseReference('busybox')).toEqual({ kind: 'busybox' });
    expect(parseReference('busybox:latest')).toEqual({ kind: 'busybox' });
    expect(parseReference('busybox:1.36')).toMatchObject({ kind: 'registry', ref: { path: 'library/busybox', tag: '1.36' } });
    expect(parseReference('oci:/some/layout:v1')).toEqual({ kind: 'oci', path: '/some/layout', tag: 'v1' });
    expect(parseReference('docker-archive:/x.tar')).toEqual({ kind: 'docker-archive', path: '/x.tar' });
    expect(parseReference('/x/image.tar')).toEqual({ kind: 'archive', path: '/x/image.tar' });
    expect(parseReference('dir:/rootfs')).toEqual({ kind: 'dir', path: '/rootfs' });
  });

  it('a missing path is named as a missing file, a bad name by its grammar', () => {
    expect(() => parseReference('/no/such/thing')).toThrow(/^unknown image "\/no\/such\/thing": no such file; use a registry image/);
    expect(() => parseReference('what?')).toThrow(/^invalid image reference "what\?": a repository name is/);
  });
});
