// Registry credentials as docker finds them: --creds USER:PASS first, else ~/.docker/config.json
// ($DOCKER_CONFIG/config.json): `credHelpers[host]`, else `credsStore`, each run as
// `docker-credential-NAME get` with the server on stdin; else `auths[host].auth` (base64 of
// USER:PASS). Docker Hub's entry is named https://index.docker.io/v1/.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from '../docker-reference.js';
import { RegistryError } from './errors.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Where they came from, for messages (never the secret). */
  readonly from: string;
}

const HUB_SERVER = 'https://index.docker.io/v1/';

/** USER:PASS as given to --creds (the password may hold colons). */
export function parseCreds(text: string): Credentials {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new RegistryError('--creds takes USER:PASSWORD');
  return { username: text.slice(0, colon), password: text.slice(colon + 1), from: '--creds' };
}

function configPath(): string {
  return join(process.env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json');
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The host an `auths` key names: docker strips the scheme and the path. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').split('/')[0]!;
}

function runHelper(helper: string, server: string, path: string): Credentials | undefined {
  const program = `docker-credential-${helper}`;
  const result = spawnSync(program, ['get'], { input: server, encoding: 'utf8', timeout: 30_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new RegistryError(code === 'ENOENT' ? `${path} names the credential helper ${helper}, but ${program} is not installed` : `${program} failed: ${result.error.message}`);
  }
  // Docker treats "credentials not found" as no credentials: anonymous access.
  if (result.status !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
    throw new RegistryError(`${program} get failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    throw new RegistryError(`${program} get did not print JSON`);
  }
  if (typeof answer.Username !== 'string' || typeof answer.Secret !== 'string') throw new RegistryError(`${program} get printed no Username and Secret`);
  if (answer.Username === '<token>') throw new RegistryError(`${program} holds an identity token for ${server}, which cttrace cannot use: pass --creds USER:PASSWORD`);
  return { username: answer.Username, password: answer.Secret, from: program };
}

/** Credentials for a registry host (docker.io for Docker Hub), or undefined for anonymous access. */
export function lookupCredentials(domain: string): Credentials | undefined {
  const path = configPath();
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfig;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const server = domain === DOCKER_HUB ? HUB_SERVER : domain;
  const hosts = domain === DOCKER_HUB ? ['index.docker.io', 'docker.io', 'registry-1.docker.io'] : [domain];
  const helper = config.credHelpers?.[server] ?? config.credHelpers?.[domain] ?? config.credsStore;
  if (helper) {
    const found = runHelper(helper, server, path);
    if (found) return found;
  }
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!hosts.includes(hostOf(key))) continue;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password, from: path };
    if (!entry.auth) continue;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new RegistryError(`${path}: the auth of ${key} is not base64 of USER:PASSWORD`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: path };
  }
  return undefined;
}
