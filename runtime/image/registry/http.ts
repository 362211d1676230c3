// One HTTP request to a registry or a token server, with node:http/https (fetch cannot skip TLS
// verification for an --insecure-registry, nor bound the wait for the first byte apart from the
// wait between bytes). Redirects are followed (registries send blob downloads to storage
// URLs); a connection that stalls longer than the timeout ends with a one-line error.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { RegistryError } from './errors.js';

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
  insecure: new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false }),
};

/** Seconds without a byte before a request is abandoned: $CTTRACE_REGISTRY_TIMEOUT, default 30. */
export function registryTimeoutMs(): number {
  const value = Number(process.env['CTTRACE_REGISTRY_TIMEOUT']);
  return Number.isFinite(value) && value > 0 ? value * 1000 : 30_000;
}

export interface HttpRequest {
  readonly url: URL;
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Record<string, string>;
  /** Accept any certificate (an --insecure-registry). */
  readonly insecureTls?: boolean;
  /** Who answers, for messages ("registry 127.0.0.1:5000"). */
  readonly what: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body; each chunk resets the stall timer, and a stall destroys it with a RegistryError. */
  readonly body: Readable;
  /** The URL that answered (after redirects). */
  readonly url: URL;
}

/** Network failures a retry may cure (a dropped connection, a reset). */
export class TransientError extends RegistryError {
  override name = 'TransientError';
}

/** An https request answered by a plain-http server. */
export class PlainHttpError extends RegistryError {
  override name = 'PlainHttpError';
}

/**
 * No byte for the timeout's length. Not retried as a whole request (a registry that does not
 * answer would keep the user waiting several timeouts), but a download that stalls midway
 * resumes from where it stopped.
 */
export class StallError extends RegistryError {
  override name = 'StallError';
}

function networkError(error: NodeJS.ErrnoException, what: string, url: URL): RegistryError {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return new RegistryError(`cannot reach ${what}: connection refused at ${url.host} (is it running? is the port right?)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RegistryError(`cannot reach ${what}: ${url.hostname} does not resolve (${code}); check the name and the network`);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return new RegistryError(`${what}: its TLS certificate is not trusted (${code}); for a registry you trust, --insecure-registry ${url.host}`);
  // A TLS hello answered in plain http: retrying cannot help, the user must allow http.
  if (url.protocol === 'https:' && (code === 'EPROTO' || /wrong version number|packet length too long/i.test(error.message))) {
    return new PlainHttpError(`${what} does not speak https at ${url.host}: if it serves plain http and you trust the network, pass --insecure-registry ${url.host}`);
  }
  return new TransientError(`${what}: ${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`);
}

export function httpRequest(request: HttpRequest, redirects = 0): Promise<HttpResponse> {
  const { url } = request;
  const timeout = registryTimeoutMs();
  const secure = url.protocol === 'https:';
  const module = secure ? https : http;
  const agent = secure ? (request.insecureTls ? agents.insecure : agents.https) : agents.http;
  return new Promise((resolve, reject) => {
    const req = module.request(url, { method: request.method ?? 'GET', headers: { 'user-agent': 'cttrace', ...request.headers }, agent });
    const stalled = () => new StallError(`${request.what} did not answer within ${timeout / 1000} s (${url.host}); check that it is up, or set CTTRACE_REGISTRY_TIMEOUT=SECONDS`);
    req.setTimeout(timeout, () => req.destroy(stalled()));
    req.on('error', (error: NodeJS.ErrnoException) => reject(error instanceof RegistryError ? error : networkError(error, request.what, url)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (redirects >= 5) return reject(new RegistryError(`${request.what}: too many redirects (last to ${location})`));
        const next = new URL(location, url);
        // Storage redirects carry their own credentials in the URL; the registry's must not follow.
        const headers = { ...request.headers };
        if (next.host !== url.host) delete headers['authorization'];
        return resolve(httpRequest({ ...request, url: next, headers }, redirects + 1));
      }
      res.setTimeout(timeout, () => res.destroy(stalled()));
      res.on('error', () => {}); // reported to whoever reads the body
      resolve({ status, headers: res.headers, body: res, url });
    });
    req.end();
  });
}

/** The whole body, refusing more than `limit` bytes (a manifest, a token, an error document). */
export async function readBody(response: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw new RegistryError(`${what} is too large: ${declared} bytes, the limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        response.body.destroy();
        throw new RegistryError(`${what} is too large: over ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new TransientError(`${what}: the connection broke (${(error as Error).message})`);
  }
  return Buffer.concat(chunks);
}

/** Loopback addresses, where plain http is allowed without --insecure-registry (as docker does). */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
}
