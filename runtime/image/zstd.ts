// zstd decompression as a stream. Node grows zlib.createZstdDecompress in 22.15 (and 23.8);
// cttrace supports Node 20, which has none, so there it is fzstd: a maintained pure-JS decoder
// (no native build, no download at install), streaming, and it handles the several frames a
// layer compressed in chunks holds.
import { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';

export function createZstdDecompress(): Transform {
  const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (native) return native();
  let pending: Buffer[] = [];
  const decoder = new Decompress((data) => {
    pending.push(Buffer.from(data));
  });
  const flush = (stream: Transform) => {
    for (const chunk of pending) stream.push(chunk);
    pending = [];
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
      } catch (error) {
        return callback(new Error(`zstd: ${(error as Error).message}`));
      }
      flush(this);
      callback();
    },
    final(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
      } catch (error) {
        return callback(new Error(`zstd: ${(error as Error).message}`));
      }
      flush(this);
      callback();
    },
  });
}
