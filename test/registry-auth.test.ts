// Pulls from a registry with token authentication, as Docker Hub works: docker-registry started
// here with auth.token pointing at a token server this test runs (its self-signed certificate
// is the registry's rootcertbundle; it signs RS256 JWTs). Credentials from --creds, from
// ~/.docker/config.json auths, and from a credential helper run as docker runs them.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, runCliAsync } from './helpers/cli.js';
import { busyboxEntries, hasRegistryTools, push, type Registry, startRegistry, startTokenServer, tarOf, type TokenServer, writeLayout } from './helpers/registry-fixtures.js';

const ready = isRoot && hasRegistryTools();
if (!ready) console.warn('registry auth: skipped, needs root and docker-registry, skopeo, openssl');

const USER = 'learner';
const PASSWORD = 'pa:ss word';
let work = '';
let registry: Registry;
let tokens: TokenServer;
let homes = 0;
const freshHome = () => join(work, `home-${++homes}`);

/** The built CLI with a fresh cache and no docker config unless a test gives one. */
const cli = (args: string[], env: Record<string, string> = {}) => runCliAsync(args, { CTTRACE_HOME: freshHome(), DOCKER_CONFIG: join(work, 'no-docker-config'), ...env });

beforeAll(async () => {
  if (!ready) return;
  work = mkdtempSync(join(tmpdir(), 'cttrace-registry-auth-'));
  tokens = await startTokenServer(work, USER, PASSWORD);
  registry = await startRegistry(join(work, 'registry'), tokens);
  const layout = join(work, 'layout');
  writeLayout(layout, '1', [{ architecture: 'amd64', layers: [tarOf([...busyboxEntries(), { path: 'marker', data: 'private\n' }])] }]);
  await push(layout, '1', `${registry.host}/team/private:1`, ['--dest-creds', `${USER}:${PASSWORD}`]);
}, 120_000);

afterAll(async () => {
  if (!ready) return;
  await registry?.stop();
  await tokens?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!ready)('token authentication (root, docker-registry, a token server)', () => {
  it('with --creds: a Bearer token for the repository scope, then the image runs', async () => {
    const result = await cli(['run', '-q', '-o', join(work, 'a.cttrace'), '--creds', `${USER}:${PASSWORD}`, '--', `${registry.host}/team/private:1`, 'cat', '/marker']);
    expect(result.stderr).toMatch(/pulled .*team\/private:1/);
    expect(result.stdout).toBe('private\n');
    expect(tokens.requests.some((request) => request.scope === 'repository:team/private:pull' && request.user === USER && request.granted)).toBe(true);
  });

  it('anonymous: the registry refuses, with its code, and says how to log in', async () => {
    const result = await cli(['pull', `${registry.host}/team/private:1`]);
    expect(result.stderr).toBe(`cttrace: registry ${registry.host}: manifest team/private:1: UNAUTHORIZED authentication required (pass --creds USER:PASSWORD or run docker login)\n`);
    expect(result.status).not.toBe(0);
  });

  it('a wrong password: the token server refuses, one line', async () => {
    const result = await cli(['pull', '--creds', `${USER}:wrong`, `${registry.host}/team/private:1`]);
    expect(result.stderr).toMatch(/^cttrace: the token server of 127\.0\.0\.1:\d+ \(127\.0\.0\.1:\d+\) refused the credentials from --creds \(wrong user or password\?\): UNAUTHORIZED incorrect username or password\n$/);
    expect(result.status).not.toBe(0);
  });

  it('credentials from ~/.docker/config.json: auths, then a credential helper given the server on stdin', async () => {
    const config = join(work, 'docker-config');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [`http://${registry.host}`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const fromAuths = await cli(['pull', `${registry.host}/team/private:1`], { DOCKER_CONFIG: config });
    expect(fromAuths.stderr).toMatch(/pulled .*team\/private:1/);

    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const asked = join(work, 'helper-asked');
    const helper = join(bin, 'docker-credential-cttrace-test');
    writeFileSync(helper, `#!/bin/sh\n[ "$1" = get ] || exit 1\ncat > ${asked}\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$(cat ${asked})"\n`);
    chmodSync(helper, 0o755);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'cttrace-test' } }));
    const fromHelper = await cli(['pull', `${registry.host}/team/private:1`], { DOCKER_CONFIG: config, PATH: `${bin}:${process.env['PATH']}` });
    expect(fromHelper.stderr).toMatch(/pulled .*team\/private:1/);
    expect(readFileSync(asked, 'utf8')).toBe(registry.host);

    writeFileSync(join(config, 'config.json'), JSON.stringify({ credsStore: 'not-installed' }));
    const missing = await cli(['pull', `${registry.host}/team/private:1`], { DOCKER_CONFIG: config });
    expect(missing.stderr).toBe(`cttrace: ${join(config, 'config.json')} names the credential helper not-installed, but docker-credential-not-installed is not installed\n`);
  });
});
