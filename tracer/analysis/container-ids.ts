// Container ids as people read them. Pure: the CLI's summary and errors and the viewer's list.
import type { Container } from './containers.js';

/** Hex ids (docker's) as short as docker shows them (12 characters), longer where two would read
 *  the same; other ids (cttrace-…, pidns-…) whole. */
export function shortIds(containers: readonly Pick<Container, 'id'>[]): string[] {
  return containers.map(({ id }) => {
    let length = /^[0-9a-f]+$/.test(id) ? Math.min(12, id.length) : id.length;
    while (length < id.length && containers.some((other) => other.id !== id && other.id.startsWith(id.slice(0, length)))) length++;
    return id.slice(0, length);
  });
}
