// Old text of a live trace, deflated: a live session runs for as long as the tracer does, and the
// text it keeps (to give a record whole to the details panel, and to search) would otherwise grow
// by the size of every record (~250 bytes each at 20,000 a second: 300 MB a minute). Groups of
// chunks are deflated in the background (CompressionStream); reading one inflates its group again,
// the last group read kept at hand.
import type { PackReply, PackRequest } from './worker-protocol.js';

/** A group is packed once this much text (characters) waits unpacked. */
export const PACK_CHARS = 4 * 1024 * 1024;

interface PackedGroup {
  /** the chunks [first, first + lengths.length) */
  readonly first: number;
  readonly lengths: readonly number[];
  readonly bytes: Uint8Array;
}

/** Who deflates: this thread, or another worker (deflating costs about twice the parsing of the same text). */
export interface TextCodec {
  deflate(text: string): Promise<Uint8Array>;
  inflate(bytes: Uint8Array): Promise<string>;
}

export const localCodec: TextCodec = {
  async deflate(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  },
  inflate(bytes) {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).text();
  },
};

/** The codec of another worker, over a port (the inflate worker's pack service). */
export function remoteCodec(port: MessagePort): TextCodec {
  let nextId = 1;
  const waiting = new Map<number, { resolve(reply: PackReply): void }>();
  port.onmessage = (event: MessageEvent<PackReply>) => {
    const entry = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    entry?.resolve(event.data);
  };
  const ask = (request: PackRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never, transfer: Transferable[] = []) =>
    new Promise<PackReply>((resolve) => {
      const id = nextId++;
      waiting.set(id, { resolve });
      port.postMessage({ ...request, id } as PackRequest, transfer);
    }).then((reply) => {
      if (reply.error !== undefined) throw new Error(reply.error);
      return reply;
    });
  return {
    deflate: (text) => ask({ op: 'deflate', text }).then((reply) => reply.bytes!),
    // a copy goes: the group stays packed here
    inflate: (bytes) => ask({ op: 'inflate', bytes: bytes.slice() }).then((reply) => reply.text!),
  };
}

export class PackedText {
  private readonly groups: PackedGroup[] = [];
  /** chunks before this one are packed or being packed */
  private packedUpTo = 0;
  private waiting = 0;
  private recent: { group: PackedGroup; texts: string[] } | null = null;
  /** bytes of deflated text held */
  packedBytes = 0;

  constructor(private readonly codec: TextCodec = localCodec) {}

  /**
   * A chunk was added to `chunks`: once enough waits, the waiting chunks are deflated and, when
   * done, dropped from `chunks` (set to null). Returns the packing under way, if one started.
   */
  added(chunks: (string | null)[]): Promise<void> | null {
    this.waiting += chunks[chunks.length - 1]!.length;
    if (this.waiting < PACK_CHARS) return null;
    const first = this.packedUpTo;
    const last = chunks.length;
    this.packedUpTo = last;
    this.waiting = 0;
    const texts = chunks.slice(first, last) as string[];
    return this.codec.deflate(texts.join('')).then((bytes) => {
      const group = { first, lengths: texts.map((text) => text.length), bytes };
      // packings may finish out of order: keep the groups sorted for the search in groupOf
      let at = this.groups.length;
      while (at > 0 && this.groups[at - 1]!.first > first) at--;
      this.groups.splice(at, 0, group);
      this.packedBytes += bytes.length;
      for (let chunk = first; chunk < last; chunk++) chunks[chunk] = null;
    });
  }

  /** The text of a chunk that was packed. */
  async chunk(index: number): Promise<string> {
    const group = this.groupOf(index);
    if (!group) throw new Error(`chunk ${index} was never packed`);
    if (this.recent?.group !== group) {
      const text = await this.codec.inflate(group.bytes);
      const texts: string[] = [];
      let at = 0;
      for (const length of group.lengths) {
        texts.push(text.slice(at, at + length));
        at += length;
      }
      this.recent = { group, texts };
    }
    return this.recent.texts[index - group.first]!;
  }

  /** Whether the chunk was packed (its text is then only read through chunk()). */
  holds(index: number): boolean {
    return this.groupOf(index) !== undefined;
  }

  private groupOf(index: number): PackedGroup | undefined {
    let low = 0;
    let high = this.groups.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const group = this.groups[middle]!;
      if (index < group.first) high = middle - 1;
      else if (index >= group.first + group.lengths.length) low = middle + 1;
      else return group;
    }
    return undefined;
  }
}
