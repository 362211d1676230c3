// Images in a running dockerd, through its Engine API on a unix socket ($DOCKER_HOST
// unix://PATH, or /var/run/docker.sock): GET /images/{name}/json says whether it has one,
// GET /images/{name}/get streams it as a `docker save` tar, read by the docker-archive reader.
import { createWriteStream, existsSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImageError } from './errors.js';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** The daemon's unix socket, or why there is none to use. */
export function dockerSocket(): { path: string } | { why: string } {
  const host = process.env['DOCKER_HOST'];
  if (host === undefined || host === '') return { path: DEFAULT_DOCKER_SOCKET };
  if (host.startsWith('unix://')) return { path: host.slice('unix://'.length) };
  return { why: `DOCKER_HOST=${host} is not a unix socket (cttrace talks to dockerd over unix:// only)` };
}

interface DaemonAnswer {
  status: number;
  body: http.IncomingMessage;
}

function ask(socketPath: string, path: string): Promise<DaemonAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath, path, method: 'GET', headers: { host: 'docker' } }, (body) => resolve({ status: body.statusCode ?? 0, body }));
    request.setTimeout(30_000, () => request.destroy(new ImageError(`dockerd (${socketPath}) did not answer within 30 s`)));
    request.on('error', reject);
    request.end();
  });
}

async function text(answer: DaemonAnswer): Promise<string> {
  let out = '';
  for await (const chunk of answer.body) out += chunk;
  try {
    const message = (JSON.parse(out) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON
  }
  return out.trim().slice(0, 200);
}

/**
 * Whether the daemon has the image: true, false, or undefined when there is no daemon to ask
 * (no socket, nobody listening): a bare name then goes to the registry.
 */
export async function daemonHasImage(name: string): Promise<boolean | undefined> {
  const socket = dockerSocket();
  if ('why' in socket || !existsSync(socket.path)) return undefined;
  let answer: DaemonAnswer;
  try {
    answer = await ask(socket.path, `/images/${encodeURIComponent(name)}/json`);
  } catch {
    return undefined;
  }
  answer.body.resume();
  return answer.status === 200;
}

/** Saves the daemon's image `name` into `dir`/image.tar (a docker save archive); returns its path. */
export async function saveDaemonImage(name: string, dir: string): Promise<string> {
  const socket = dockerSocket();
  if ('why' in socket) throw new ImageError(`cannot ask dockerd for ${name}: ${socket.why}`);
  if (!existsSync(socket.path)) throw new ImageError(`cannot ask dockerd for ${name}: no ${socket.path} (is dockerd running? set DOCKER_HOST=unix://PATH for another socket)`);
  let answer: DaemonAnswer;
  try {
    answer = await ask(socket.path, `/images/${encodeURIComponent(name)}/get`);
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError(`cannot ask dockerd for ${name} at ${socket.path}: ${(error as Error).message}`);
  }
  if (answer.status === 404) throw new ImageError(`dockerd has no image ${name}: ${await text(answer)}`);
  if (answer.status !== 200) throw new ImageError(`dockerd could not save ${name}: HTTP ${answer.status}: ${await text(answer)}`);
  const file = join(dir, 'image.tar');
  try {
    await pipeline(answer.body, createWriteStream(file));
  } catch (error) {
    throw new ImageError(`dockerd's save stream of ${name} broke: ${(error as Error).message}`);
  }
  return file;
}
