// A live trace's older text kept deflated in the loader (web/src/load/packed-text.ts): every
// record still opens whole and search finds the same records, packed or not.
import { describe, expect, it } from 'vitest';
import { PACK_CHARS } from '../../web/src/load/packed-text.js';
import { TraceReader } from '../../web/src/load/trace-reader.js';
import { syntheticHeader } from '../../tracer/bench/viewer-synthetic-trace.js';

/** A live stream as the socket brings it: messages of whole lines, ~12 MB of records in all. */
function liveMessages(): string[] {
  const messages: string[] = [JSON.stringify(syntheticHeader(0))];
  const process = { type: 'process', t: 0, pid: 7, tgid: 7, ppid: 1, nspid: [7], comm: 'daemon', ns: {}, uid: 0, gid: 0, reason: 'new' };
  let lines: string[] = [JSON.stringify(process)];
  let chars = 0;
  for (let i = 0; chars < 3 * PACK_CHARS; i++) {
    const line = JSON.stringify({ type: 'syscall', t: 1000 + i * 50, pid: 7, name: i % 5 ? 'getppid' : 'close', nr: i % 5 ? 110 : 3, args: i % 5 ? {} : { fd: 1_000_000_000 + i }, ret: i % 5 ? 1 : -9, err: i % 5 ? null : 'EBADF', dur: 20, raw: ['0x1'], family: i % 5 ? 'other' : 'files' });
    lines.push(line);
    chars += line.length + 1;
    if (lines.length === 700) {
      messages.push(lines.join('\n'));
      lines = [];
    }
  }
  messages.push(lines.join('\n'));
  return messages;
}

describe('packed text of a live trace', () => {
  it('opens every record whole and searches the same, with most of the text deflated', async () => {
    const messages = liveMessages();
    const plain = new TraceReader('live', { header: () => undefined, batch: () => undefined });
    const packed = new TraceReader('live', { header: () => undefined, batch: () => undefined });
    packed.packWith();
    for (const message of messages) {
      plain.acceptText(`${message}\n`);
      packed.acceptText(`${message}\n`);
    }
    await expect.poll(() => packed.packedBytes, { timeout: 10_000 }).toBeGreaterThan(0);
    // two groups of PACK_CHARS are packed, each deflated to a small part of its size
    await expect.poll(() => packed.packedBytes, { timeout: 10_000 }).toBeGreaterThan(1000);
    expect(packed.packedBytes).toBeLessThan((2 * PACK_CHARS) / 5);
    expect(() => packed.recordAt(5)).toThrow(/packed/);
    expect(packed.recordCount).toBe(plain.recordCount);
    for (let seq = 0; seq < plain.recordCount; seq += 997) expect(await packed.recordWhole(seq)).toEqual(plain.recordAt(seq));
    expect(await packed.recordWhole(plain.recordCount - 1)).toEqual(plain.recordAt(plain.recordCount - 1));
    const query = '1000000125';
    expect(Array.from(await packed.searchAll(query))).toEqual(Array.from(plain.search(query)));
    expect(plain.search(query).length).toBe(1);
    expect((await packed.searchAll('EBADF')).length).toBe(plain.search('EBADF').length);
  }, 30_000);
});
