// The model of a saved trace as the server sends it to the viewer (`cttrace view`): one binary
// response the page reads without parsing a line. A JSON part (the header, the syscall names,
// the lanes, the records the model keeps whole, the counts) and the span columns as raw typed
// arrays, each at an offset aligned for its type, so the page makes views on the one buffer
// it fetched and copies nothing. Written by the server, read by the viewer: no Node API here.

import type { SpanBatch } from '../../web/src/model/span-columns.js';

const MAGIC = 0x314d5443; // "CTM1", little-endian

/** The span columns: the viewer's SpanBatch, which the page takes as its columns. */
export type ServedColumns = SpanBatch;

/** Everything but the columns (JSON). */
export interface ServedSummary {
  readonly name: string;
  readonly header: unknown;
  /** the optional header fields the trace lacks */
  readonly missing: readonly string[];
  /** records read, and how long reading them took on the server (ms) */
  readonly records: number;
  readonly ms: number;
  /** one line on what --lenient skipped, or null */
  readonly skipped: string | null;
  /** the server's reader used its WebAssembly line scanner */
  readonly wasm: boolean;
  /** syscall names by id, lanes as they were made, and the records kept whole */
  readonly names: readonly string[];
  readonly lanes: readonly unknown[];
  readonly kept: readonly unknown[];
}

type Column = keyof Omit<ServedColumns, 'count'>;
/** In this order every column starts aligned for its type once the first is (8 bytes, then 4, 2, 1). */
const LAYOUT: readonly [Column, 1 | 2 | 4 | 8][] = [
  ['start', 8],
  ['dur', 8],
  ['lane', 4],
  ['seq', 4],
  ['name', 2],
  ['family', 1],
  ['flags', 1],
];

const align8 = (n: number) => (n + 7) & ~7;

/** The model as the parts of one response, the columns as views on their arrays (nothing copied). */
export function servedModelParts(summary: ServedSummary, columns: ServedColumns): Uint8Array[] {
  const json = new TextEncoder().encode(JSON.stringify(summary));
  const head = new Uint8Array(align8(12 + json.length));
  const view = new DataView(head.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, columns.count, true);
  view.setUint32(8, json.length, true);
  head.set(json, 12);
  return [head, ...LAYOUT.map(([column, size]) => new Uint8Array(columns[column].buffer, columns[column].byteOffset, columns.count * size))];
}

export class ServedModelError extends Error {}

/** The model from the server's bytes; the columns are views on `buffer` (little-endian, as every host running the viewer). */
export function decodeServedModel(buffer: ArrayBuffer): { summary: ServedSummary; columns: ServedColumns } {
  if (buffer.byteLength < 12) throw new ServedModelError('the server sent a model too short to read');
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC) throw new ServedModelError('the server sent something that is not a model (a cttrace of another version?)');
  const count = view.getUint32(4, true);
  const jsonLength = view.getUint32(8, true);
  let at = align8(12 + jsonLength);
  const needed = at + LAYOUT.reduce((sum, [, size]) => sum + size * count, 0);
  if (buffer.byteLength !== needed) throw new ServedModelError(`the server's model is cut or padded: ${buffer.byteLength} bytes, ${needed} expected`);
  const summary = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 12, jsonLength))) as ServedSummary;
  const make = { 8: Float64Array, 4: Uint32Array, 2: Uint16Array, 1: Uint8Array } as const;
  const columns: Record<string, unknown> = { count };
  for (const [column, size] of LAYOUT) {
    columns[column] = new make[size](buffer, at, count);
    at += size * count;
  }
  return { summary, columns: columns as unknown as ServedColumns };
}
