// A spill file for the trace text in the Origin Private File System: written and read with a
// sync access handle (dedicated workers only), so the parse worker reads a record back in
// microseconds. Each file is removed when its trace is closed; files a crashed tab left behind
// are removed when the next viewer starts reading.
import type { SpillFile } from './text-store.js';

/** The parts of the OPFS API used here (the sync handle is in the worker typings only). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  read(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}
interface SpillDirectory {
  getFileHandle(name: string, options: { create: boolean }): Promise<{ createSyncAccessHandle(): Promise<SyncAccessHandle> }>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}

const PREFIX = 'cttrace-text-';

async function directory(): Promise<SpillDirectory | null> {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<unknown> } } }).navigator?.storage;
  if (!storage?.getDirectory) return null;
  return (await storage.getDirectory()) as SpillDirectory;
}

let swept = false;

/** Removes the spill files no open trace uses (a tab that was killed leaves its file). */
async function sweep(dir: SpillDirectory, keep: string): Promise<void> {
  if (swept) return;
  swept = true;
  const stale: string[] = [];
  for await (const name of dir.keys()) if (name.startsWith(PREFIX) && name !== keep) stale.push(name);
  // a file still open in another tab cannot be removed: that is fine, it is that tab's
  await Promise.all(stale.map((name) => dir.removeEntry(name).catch(() => undefined)));
}

/** A new spill file, or null where the browser has no OPFS (e.g. a page opened from file://). */
export async function openOpfsSpill(): Promise<SpillFile | null> {
  let dir: SpillDirectory | null;
  try {
    dir = await directory();
  } catch {
    return null;
  }
  if (!dir) return null;
  const name = `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  let handle: SyncAccessHandle;
  try {
    handle = await (await dir.getFileHandle(name, { create: true })).createSyncAccessHandle();
  } catch {
    return null;
  }
  void sweep(dir, name);
  const owner = dir;
  return {
    write: (bytes, at) => {
      let done = 0;
      while (done < bytes.length) {
        const written = handle.write(bytes.subarray(done), { at: at + done });
        if (written <= 0) throw new Error('the disk is full');
        done += written;
      }
    },
    read: (into, at) => handle.read(into, { at }),
    close: () => {
      handle.close();
      void owner.removeEntry(name).catch(() => undefined);
    },
  };
}
