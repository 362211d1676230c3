// Which path each open file descriptor names, per process, from the open, dup and close calls seen:
// a write to fd 5 becomes a write to /sys/fs/cgroup/pids/ctr/pids.max.
import { posix } from 'node:path';

const OPENING_CALLS = new Set(['open', 'openat', 'openat2', 'creat', 'open_tree', 'fspick']);
/** the fd they return names what their oldfd names: `echo 1 > cgroup.procs` in a shell is a dup2 */
const DUPLICATING_CALLS = new Set(['dup', 'dup2', 'dup3']);

export class FdPaths {
  /** path by fd, per process (tgid): maps of numbers, not "tgid:fd" strings to build and hash */
  private readonly pathsByProcess = new Map<number, Map<number, string>>();
  private readonly tgidOf = new Map<number, number>();

  noteProcess(tid: number, tgid: number): void {
    this.tgidOf.set(tid, tgid);
  }

  private pathsOf(tid: number): Map<number, string> {
    const tgid = this.tgidOf.get(tid) ?? tid;
    let paths = this.pathsByProcess.get(tgid);
    if (!paths) {
      paths = new Map();
      this.pathsByProcess.set(tgid, paths);
    }
    return paths;
  }

  pathOf(tid: number, fd: number): string | null {
    return this.pathsOf(tid).get(fd) ?? null;
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
      if (typeof path === 'string') this.pathsOf(tid).set(ret, this.resolve(tid, args.dirfd, path));
    } else if (DUPLICATING_CALLS.has(name) && typeof args.oldfd === 'number') {
      const path = this.pathOf(tid, args.oldfd);
      if (path === null) this.pathsOf(tid).delete(ret);
      else this.pathsOf(tid).set(ret, path);
    } else if (name === 'close' && typeof args.fd === 'number') {
      this.pathsOf(tid).delete(args.fd);
    }
  }
}
