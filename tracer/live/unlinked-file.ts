// A scratch file with no name: made in the temp folder and unlinked at once, so that nothing is
// left behind however the process ends (the kernel frees it with the last descriptor). The
// server keeps the text of the trace it reads for the page here: on a small VM, writing 150 MB
// into the page cache took 25 ms where copying it into fresh process memory took 480 ms.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpillFile } from '../../web/src/load/text-store.js';

export function openUnlinkedFile(): SpillFile {
  const path = join(tmpdir(), `cttrace-text-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  let open = true;
  return {
    write(bytes, at) {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, at + done);
    },
    read(into, at) {
      let done = 0;
      for (let got = -1; done < into.length && got !== 0; done += got) got = readSync(fd, into, done, into.length - done, at + done);
      return done;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
