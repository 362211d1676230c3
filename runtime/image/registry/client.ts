// A client of one registry, after the OCI distribution spec: GET /v2/ to learn how it wants to
// be asked (its WWW-Authenticate challenge), Bearer tokens per repository scope from the
// challenge's realm (anonymous, or with Basic credentials, as Docker Hub, GHCR and Quay want),
// or Basic credentials on every request; manifests by tag or digest; blobs, by ranges to resume.
// Dropped connections, stalls, 429 and 5xx answers are retried with a growing pause.
import { createHash } from 'node:crypto';
import { DOCKER_HUB } from '../docker-reference.js';
import { MEDIA } from '../formats.js';
import type { Credentials } from './credentials.js';
import { describeFailure, RegistryError } from './errors.js';
import { httpRequest, type HttpResponse, isLoopback, PlainHttpError, readBody, TransientError } from './http.js';

const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');

/** The largest manifest or index taken (distribution's own limit is 4 MiB). */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;
const SMALL_LIMIT = 1024 * 1024;
const ATTEMPTS = 5;

export interface ClientOptions {
  /** From --creds; when absent, docker's config is asked (lookup). */
  readonly credentials?: Credentials | undefined;
  /** Looked up on the first 401, so that open registries never run a credential helper. */
  readonly lookupCredentials?: (domain: string) => Credentials | undefined;
  /** Hosts (host[:port]) where plain http and any certificate are accepted. */
  readonly insecureRegistries?: readonly string[];
  /** Milliseconds of the first pause between retries (doubled each time). */
  readonly retryPauseMs?: number;
}

interface Challenge {
  readonly scheme: 'bearer' | 'basic';
  readonly params: Record<string, string>;
}

export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme, params };
}

export interface Manifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly raw: Buffer;
  readonly data: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RegistryClient {
  /** The registry's name in messages. */
  readonly what: string;
  private readonly endpoint: string;
  private readonly insecure: boolean;
  private base: URL | undefined;
  private challenge: Challenge | undefined;
  private credentials: Credentials | undefined;
  private credentialsLooked = false;
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly domain: string,
    private readonly options: ClientOptions = {},
  ) {
    this.what = `registry ${domain}`;
    // Docker Hub's API is served at registry-1.docker.io; docker.io names it in references only.
    this.endpoint = domain === DOCKER_HUB ? 'registry-1.docker.io' : domain;
    this.insecure = isLoopback(domain) || (options.insecureRegistries ?? []).includes(domain);
    this.credentials = options.credentials;
    this.credentialsLooked = options.credentials !== undefined;
  }

  /** GET /v2/: which scheme answers, and the challenge to meet. */
  private async ping(): Promise<URL> {
    if (this.base) return this.base;
    const schemes = this.insecure ? ['https:', 'http:'] : ['https:'];
    let lastError: unknown;
    for (const scheme of schemes) {
      const base = new URL(`${scheme}//${this.endpoint}/v2/`);
      const fallback = scheme === 'https:' && schemes.length > 1;
      try {
        const attempt = () => httpRequest({ url: base, what: this.what, insecureTls: this.insecure });
        // With http to fall back to, a failed TLS hello is an answer, not a reason to retry.
        const response = fallback ? await attempt() : await this.retrying(attempt);
        response.body.resume();
        if (response.status !== 200 && response.status !== 401) {
          throw new RegistryError(`${this.what} does not speak the registry API: GET /v2/ answered HTTP ${response.status}`);
        }
        this.challenge = response.status === 401 ? parseChallenge(header(response, 'www-authenticate')) : undefined;
        this.base = base;
        return base;
      } catch (error) {
        lastError = error;
        // A plain-http registry answers a TLS hello with garbage: try http next (insecure only).
        if (!(error instanceof TransientError || error instanceof PlainHttpError) || !fallback) throw error;
      }
    }
    throw lastError;
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const pause = this.options.retryPauseMs ?? 500;
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof TransientError) || n >= ATTEMPTS) throw error;
        await sleep(pause * 2 ** (n - 1));
      }
    }
  }

  private lookedUpCredentials(): Credentials | undefined {
    if (!this.credentialsLooked) {
      this.credentialsLooked = true;
      this.credentials = this.options.lookupCredentials?.(this.domain);
    }
    return this.credentials;
  }

  private basic(credentials: Credentials): string {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }

  /** A Bearer token for `scope` from the challenge's realm. */
  private async token(challenge: Challenge, scope: string): Promise<string> {
    const cached = this.tokens.get(scope);
    if (cached) return cached;
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError(`${this.what} asks for a Bearer token but names no realm to get it from`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${this.what}: its token realm ${JSON.stringify(realm)} is not a URL`);
    }
    if (challenge.params['service']) url.searchParams.set('service', challenge.params['service']);
    url.searchParams.set('scope', scope);
    const credentials = this.lookedUpCredentials();
    const headers: Record<string, string> = credentials ? { authorization: this.basic(credentials) } : {};
    const what = `the token server of ${this.domain} (${url.host})`;
    const response = await this.retrying(() => httpRequest({ url, headers, what, insecureTls: this.insecure || isLoopback(url.host) }));
    const body = await readBody(response, SMALL_LIMIT, `${what}'s answer`);
    if (response.status === 401 || response.status === 403) {
      const who = credentials ? `refused the credentials from ${credentials.from} (wrong user or password?)` : 'wants credentials: pass --creds USER:PASSWORD or run docker login';
      throw new RegistryError(`${what} ${who}: ${describeFailure(response.status, body)}`);
    }
    if (response.status !== 200) throw new RegistryError(`${what} answered ${describeFailure(response.status, body)}`);
    let token: unknown;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new RegistryError(`${what} gave no token`);
    this.tokens.set(scope, token);
    return token;
  }

  private async authorization(scope: string): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'bearer') return `Bearer ${await this.token(challenge, scope)}`;
    const credentials = this.lookedUpCredentials();
    if (!credentials) throw new RegistryError(`${this.what} wants a login: pass --creds USER:PASSWORD or run docker login ${this.domain}`);
    return this.basic(credentials);
  }

  /** An authorised GET below /v2/; a 401 with a new challenge (another scope) is met once. */
  async get(path: string, repository: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const base = await this.ping();
    const scope = `repository:${repository}:pull`;
    const url = new URL(path, base);
    for (let round = 0; ; round++) {
      const authorization = await this.authorization(scope);
      const response = await this.retrying(async () => {
        const answer = await httpRequest({ url, what: this.what, insecureTls: this.insecure, headers: { ...headers, ...(authorization ? { authorization } : {}) } });
        if (answer.status === 429 || answer.status >= 500) {
          const body = await readBody(answer, SMALL_LIMIT, `${this.what}'s error`).catch(() => Buffer.alloc(0));
          throw new TransientError(`${this.what}: ${describeFailure(answer.status, body)}`);
        }
        return answer;
      });
      if (response.status !== 401 || round > 0) return response;
      const challenge = parseChallenge(header(response, 'www-authenticate'));
      if (!challenge) return response;
      response.body.resume();
      this.challenge = challenge;
      this.tokens.delete(scope);
    }
  }

  /** Throws the registry's own words for a failed answer. */
  async fail(response: HttpResponse, what: string): Promise<never> {
    const body = await readBody(response, SMALL_LIMIT, `${this.what}'s error`).catch(() => Buffer.alloc(0));
    const detail = describeFailure(response.status, body);
    if (response.status === 401 || response.status === 403) {
      const credentials = this.credentials;
      const hint = credentials ? `the credentials from ${credentials.from} were refused (wrong user or password?)` : 'pass --creds USER:PASSWORD or run docker login';
      throw new RegistryError(`${this.what}: ${what}: ${detail} (${hint})`);
    }
    throw new RegistryError(`${this.what}: ${what}: ${detail}`);
  }

  /** A manifest or index by tag or digest, its digest checked when the reference is one. */
  async manifest(repository: string, reference: string): Promise<Manifest> {
    const what = `${repository}:${reference}`.replace(/:(sha\d+:)/, '@$1');
    const response = await this.get(`${repository}/manifests/${reference}`, repository, { accept: MANIFEST_ACCEPT });
    if (response.status !== 200) return this.fail(response, `manifest ${what}`);
    const raw = await readBody(response, MANIFEST_LIMIT, `the manifest of ${what} from ${this.what}`);
    const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    // Pulled by digest: the bytes must hash to it, in its own algorithm.
    const asked = /^(sha256|sha384|sha512):[a-f0-9]+$/.exec(reference);
    if (asked && `${asked[1]}:${createHash(asked[1]!).update(raw).digest('hex')}` !== reference) {
      throw new RegistryError(`${this.what} sent a manifest for ${what} that does not match that digest: refused`);
    }
    const claimed = header(response, 'docker-content-digest');
    if (claimed?.startsWith('sha256:') && claimed !== digest) throw new RegistryError(`${this.what}: the manifest of ${what} is ${digest}, not ${claimed} as the registry says: refused`);
    let data: unknown;
    try {
      data = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RegistryError(`${this.what}: the manifest of ${what} is not JSON`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new RegistryError(`${this.what}: the manifest of ${what} is not a JSON object`);
    const record = data as Record<string, unknown>;
    const mediaType = (typeof record['mediaType'] === 'string' ? record['mediaType'] : undefined) ?? contentType(response) ?? '';
    return { mediaType, digest, raw, data: record };
  }

  /** A blob from `offset` on: status 206 when the registry honoured the range, 200 when it sent all. */
  async blob(repository: string, digest: string, offset = 0): Promise<HttpResponse> {
    const response = await this.get(`${repository}/blobs/${digest}`, repository, offset > 0 ? { range: `bytes=${offset}-` } : {});
    if (response.status !== 200 && response.status !== 206) return this.fail(response, `blob ${digest}`);
    return response;
  }
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentType(response: HttpResponse): string | undefined {
  return header(response, 'content-type')?.split(';')[0]?.trim();
}
