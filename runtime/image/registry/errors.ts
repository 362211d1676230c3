// What a registry said, or why it could not be asked: one line for the user.
import { ImageError } from '../errors.js';

export class RegistryError extends ImageError {
  override name = 'RegistryError';
}

interface ErrorDocument {
  errors?: Array<{ code?: unknown; message?: unknown; detail?: unknown }>;
}

/**
 * The registry's own words for a failed request (the distribution spec's `{"errors": [{code,
 * message, detail}]}`), or the HTTP status when it gave none.
 */
export function describeFailure(status: number, body: Buffer): string {
  let parsed: ErrorDocument | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8')) as ErrorDocument;
  } catch {
    parsed = undefined;
  }
  const errors = Array.isArray(parsed?.errors) ? parsed.errors : [];
  const words = errors
    .map((error) => [error.code, error.message].filter((part) => typeof part === 'string' && part !== '').join(' '))
    .filter((text) => text !== '');
  if (words.length > 0) return words.join('; ');
  const text = body.toString('utf8').trim().split('\n')[0]!.slice(0, 200);
  return `HTTP ${status}${text && !text.startsWith('<') ? `: ${text}` : ''}`;
}
