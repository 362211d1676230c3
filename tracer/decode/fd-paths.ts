// Which path each open file descriptor names, per process, from the open and close calls seen:
// a write to fd 5 becomes a write to /sys/fs/cgroup/pids/ctr/pids.max.
import { posix } from 'node:path';

const OPENING_CALLS = new Set(['open', 'openat', 'openat2', 'creat', 'open_tree', 'fspick']);

export class FdPaths {
  private readonly paths = new Map<string, string>();
  private readonly tgidOf = new Map<number, number>();

  noteProcess(tid: number, tgid: number): void {
    this.tgidOf.set(tid, tgid);
  }

  private key(tid: number, fd: number): string {
    return `${this.tgidOf.get(tid) ?? tid}:${fd}`;
  }

  pathOf(tid: number, fd: number): string | null {
    return this.paths.get(this.key(tid, fd)) ?? null;
  }

  /** Resolve a path given to an *at call against its dirfd, when the dirfd is known. */
  resolve(tid: number, dirfd: unknown, path: string): string {
    if (path.startsWith('/') || typeof dirfd !== 'number') return path;
    const base = this.pathOf(tid, dirfd);
    return base ? posix.join(base, path) : path;
  }

  /** Follow a finished call; returns the resolved path for opening calls. */
  observe(tid: number, name: string, args: Readonly<Record<string, unknown>>, ret: number | null): void {
    if (ret === null || ret < 0) return;
    if (OPENING_CALLS.has(name)) {
      const path = args.pathname ?? args.filename ?? args.path;
      if (typeof path === 'string') this.paths.set(this.key(tid, ret), this.resolve(tid, args.dirfd, path));
    } else if (name === 'close' && typeof args.fd === 'number') {
      this.paths.delete(this.key(tid, args.fd));
    }
  }
}
