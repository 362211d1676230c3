// The parse worker's text store: past its threshold the text goes to a spill file and is read
// back the same, multi-byte characters included; with no spill file it stays in memory up to
// LIMITS.maxTextBytes; a full disk keeps the rest in memory. A plain file stands in for OPFS.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TraceTextStore, type SpillFile } from '../web/src/load/text-store.js';
import { TraceReader } from '../web/src/load/trace-reader.js';
import { TraceOpenError } from '../web/src/load/trace-limits.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A spill file in a temp dir; `failAfter` bytes written, writes fail (a full disk). */
function fileSpill(failAfter = Infinity): { open: () => Promise<SpillFile>; closed: () => boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'cttrace-spill-'));
  dirs.push(dir);
  let closed = false;
  let written = 0;
  return {
    closed: () => closed,
    open: async () => {
      const fd = openSync(join(dir, 'text'), 'w+');
      return {
        write(bytes, at) {
          if (written + bytes.length > failAfter) throw new Error('the disk is full');
          written += bytes.length;
          writeSync(fd, bytes, 0, bytes.length, at);
        },
        read: (into, at) => readSync(fd, into, 0, into.length, at),
        close() {
          closed = true;
          closeSync(fd);
        },
      };
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the trace text store', () => {
  it('keeps small text in memory and spills past its threshold, reading every chunk back the same', async () => {
    const spill = fileSpill();
    const store = new TraceTextStore('t.cttrace', spill.open, 10);
    const chunks = ['{"a":"ünïcödé"}\n', '{"b":"日本語 🙂"}\n', 'plain\n', '{"c":1}\n'];
    store.push(chunks[0]!);
    expect(store.spilled).toBe(false);
    store.push(chunks[1]!);
    expect(store.settling).toBe(true);
    await store.settled();
    expect(store.spilled).toBe(true);
    store.push(chunks[2]!);
    store.push(chunks[3]!);
    for (const order of [[0, 1, 2, 3], [3, 1, 0, 2]]) for (const chunk of order) expect(store.text(chunk)).toBe(chunks[chunk]);
    store.close();
    expect(spill.closed()).toBe(true);
  });

  it('keeps the text in memory where there is no spill file', async () => {
    const store = new TraceTextStore('t.cttrace', async () => null, 1);
    store.push('one\n');
    await store.settled();
    store.push('two\n');
    expect(store.spilled).toBe(false);
    expect([store.text(0), store.text(1)]).toEqual(['one\n', 'two\n']);
  });

  it('keeps what the disk refuses in memory and reads the rest from the file', async () => {
    const spill = fileSpill(6);
    const store = new TraceTextStore('t.cttrace', spill.open, 1);
    store.push('abcd\n');
    await store.settled();
    store.push('efgh\n');
    store.push('ijkl\n');
    expect([0, 1, 2].map((chunk) => store.text(chunk))).toEqual(['abcd\n', 'efgh\n', 'ijkl\n']);
  });

  it('gives a session the same records and search matches spilled as in memory', async () => {
    const header = JSON.stringify({ format: 'cttrace', version: 1 });
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ type: 'syscall', t: i * 10, pid: 7, name: i % 3 ? 'read' : 'openat', nr: 0, args: { pathname: `/data/ä-${i}` }, ret: 3, err: null, dur: 5, raw: [], family: 'files' }));
    const text = `${header}\n${lines.join('\n')}\n`;
    const open = async (store?: TraceTextStore) => {
      const session = new TraceReader('t.cttrace', { header: () => undefined, batch: () => undefined }, false, store);
      for (let at = 0; at < text.length; at += 997) {
        session.acceptText(text.slice(at, at + 997));
        await settle();
      }
      session.finish();
      await session.textSettled();
      return session;
    };
    const memory = await open();
    const disk = await open(new TraceTextStore('t.cttrace', fileSpill().open, 100));
    expect(disk.spilled).toBe(true);
    expect(disk.recordCount).toBe(memory.recordCount);
    for (const seq of [0, 1, 150, 299]) expect(disk.recordAt(seq)).toEqual(memory.recordAt(seq));
    expect([...disk.search('ä-1')]).toEqual([...memory.search('ä-1')]);
    expect(disk.search('ä-1').length).toBeGreaterThan(10);
  });

  it('refuses text beyond the limit when it cannot spill', () => {
    const store = new TraceTextStore('big.cttrace', null);
    const piece = 'x'.repeat(64 * 1024 * 1024);
    expect(() => {
      for (let i = 0; i < 40; i++) store.push(piece);
    }).toThrow(TraceOpenError);
    expect(() => store.push(piece)).toThrow(/big\.cttrace is too big to open here: more than \d+ MiB once decompressed/);
  });
});
