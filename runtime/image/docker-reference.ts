// Registry image references, parsed by the grammar of distribution/reference (what `docker pull`
// accepts), and normalised as docker normalises them:
//
//   reference  := name [":" tag] ["@" digest]
//   name       := [domain "/"] path-component ["/" path-component]*
//   domain     := host [":" port]      host: DNS-like labels, an IPv4 address, or [IPv6]
//   path-component := [a-z0-9]+ (([._]|__|-+) [a-z0-9]+)*
//   tag        := [\w][\w.-]{0,127}
//   digest     := algorithm ":" hex   (sha256: 64 hex digits, sha384: 96, sha512: 128)
//
// The first component is a registry when it holds "." or ":", is "localhost", or has capitals;
// otherwise the registry is docker.io and a one-component path gets "library/" before it
// (`alpine` -> docker.io/library/alpine:latest). The name (domain/path) is at most 255 characters.
import { ImageError } from './errors.js';

export const DOCKER_HUB = 'docker.io';
const LEGACY_HUB = 'index.docker.io';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN}$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const NAME_MAX = 255;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface DockerReference {
  /** The registry host[:port] (docker.io for Docker Hub). */
  readonly domain: string;
  /** The repository path on it (library/alpine). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** `docker.io/library/alpine:latest`, `host:5000/app@sha256:...`: the full form docker shows. */
export function formatReference(ref: DockerReference): string {
  return `${ref.domain}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form docker prints (`alpine:latest`, `user/app:1`), registry kept when it is not Docker Hub. */
export function familiarName(ref: DockerReference): string {
  let name = `${ref.domain}/${ref.path}`;
  if (ref.domain === DOCKER_HUB) {
    name = ref.path;
    const rest = name.startsWith('library/') ? name.slice('library/'.length) : undefined;
    if (rest !== undefined && !rest.includes('/')) name = rest;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

function invalid(text: string, why: string): ImageError {
  return new ImageError(`invalid image reference ${JSON.stringify(text)}: ${why}`);
}

function checkDigest(text: string, digest: string): void {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) throw invalid(text, `unsupported digest algorithm ${algorithm} (use sha256, sha384 or sha512)`);
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) throw invalid(text, `a ${algorithm} digest is ${length} lowercase hex digits`);
}

/** Why `text` does not match the grammar, for the one-line error. */
function explain(text: string): string {
  const at = text.indexOf('@');
  const nameAndTag = at >= 0 ? text.slice(0, at) : text;
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : undefined;
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag;
  if (name === '') return 'no repository name before the tag or digest';
  if (tag !== undefined && tag.length > 128) return 'a tag is at most 128 characters';
  if (tag !== undefined && !new RegExp(`^${TAG}$`).test(tag)) return `invalid tag ${JSON.stringify(tag)}: letters, digits, _ . - (not first . or -), at most 128`;
  if (at >= 0 && !new RegExp(`^${DIGEST}$`).test(text.slice(at + 1))) return `invalid digest ${JSON.stringify(text.slice(at + 1))}: ALGORITHM:HEX, e.g. sha256: and 64 hex digits`;
  return 'a repository name is lowercase letters, digits and separators (. _ __ -), in components joined by /, after an optional registry host[:port]/';
}

/**
 * Parses a registry reference as `docker pull` does (distribution/reference's
 * ParseNormalizedNamed). The tag is "latest" when neither a tag nor a digest is given.
 */
export function parseDockerReference(text: string): DockerReference {
  if (text === '') throw invalid(text, 'it is empty');
  if (IDENTIFIER.test(text)) throw invalid(text, 'a 64-hex-digit string is an image id, not a repository name');
  // Which part is the registry: docker's splitDockerDomain.
  let domain = DOCKER_HUB;
  let remainder = text;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const first = text.slice(0, slash);
    if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
      domain = first === LEGACY_HUB ? DOCKER_HUB : first;
      remainder = text.slice(slash + 1);
    }
  }
  if (domain !== DOCKER_HUB && !ANCHORED_DOMAIN.test(domain)) throw invalid(text, `${JSON.stringify(domain)} is not a registry host[:port]`);
  if (domain === DOCKER_HUB && !/^[^:@]*\//.test(remainder)) remainder = `library/${remainder}`;
  const repository = remainder.split(/[:@]/, 1)[0]!;
  if (repository.toLowerCase() !== repository) throw invalid(text, `repository name ${JSON.stringify(repository)} must be lowercase`);
  const match = REFERENCE.exec(`${domain}/${remainder}`);
  if (!match) throw invalid(text, explain(text));
  const name = match[1]!;
  if (name.length > NAME_MAX) throw invalid(text, `the repository name is ${name.length} characters, at most ${NAME_MAX}`);
  const path = name.slice(domain.length + 1);
  const tag = match[2];
  const digest = match[3];
  if (digest !== undefined) checkDigest(text, digest);
  return { domain, path, ...(tag !== undefined ? { tag } : digest === undefined ? { tag: 'latest' } : {}), ...(digest !== undefined ? { digest } : {}) };
}
