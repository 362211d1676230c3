// Which path each open file descriptor names, per process, from the open, dup and close calls seen:
// a write to fd 5 becomes a write to /sys/fs/cgroup/pids/ctr/pids.max.
import { posix } from 'node:path';

/** Below this, an fd is an index into an array (the default RLIMIT_NOFILE is 1024). */
const SMALL_FDS = 1024;

const isSmallFd = (fd: number) => fd >= 0 && fd < SMALL_FDS && Number.isInteger(fd);

/** One process's paths by fd. An array for the small fds nearly every call uses: a Map's
 *  set-then-delete of one key per open/close pair made it rehash, and cost ~8x an array slot.
 *  A Map for any other fd value, so any value works as before. */
class FdTable {
  private readonly small: (string | undefined)[] = [];
  private readonly large = new Map<number, string>();

  get(fd: number): string | undefined {
    return isSmallFd(fd) ? this.small[fd] : this.large.get(fd);
  }

  set(fd: number, path: string): void {
    if (isSmallFd(fd)) this.small[fd] = path;
    else this.large.set(fd, path);
  }

  delete(fd: number): void {
    if (isSmallFd(fd)) this.small[fd] = undefined;
    else this.large.delete(fd);
  }
}

export class FdPaths {
  /** path by fd, per process (tgid): tables of numbers, not "tgid:fd" strings to build and hash */
  private readonly pathsByProcess = new Map<number, FdTable>();
  private readonly tgidOf = new Map<number, number>();
  /** The last caller's table: a task's calls come in runs, so most lookups skip both maps. A
   *  table is never dropped, so only a change of a task's tgid makes this stale. */
  private lastTid = -1;
  private lastPaths = new FdTable();

  noteProcess(tid: number, tgid: number): void {
    this.tgidOf.set(tid, tgid);
    this.lastTid = -1;
  }

  private pathsOf(tid: number): FdTable {
    if (tid === this.lastTid) return this.lastPaths;
    const tgid = this.tgidOf.get(tid) ?? tid;
    let paths = this.pathsByProcess.get(tgid);
    if (!paths) {
      paths = new FdTable();
      this.pathsByProcess.set(tgid, paths);
    }
    this.lastTid = tid;
    this.lastPaths = paths;
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

  /** A call opened `fd` on `path` (relative to `dirfd` if that is a known fd). */
  opened(tid: number, fd: number, dirfd: unknown, path: string): void {
    this.pathsOf(tid).set(fd, this.resolve(tid, dirfd, path));
  }

  closed(tid: number, fd: number): void {
    this.pathsOf(tid).delete(fd);
  }

  /** dup/dup2/dup3 made `newFd` name what `oldFd` names: a shell's `echo 1 > cgroup.procs`. */
  duplicated(tid: number, oldFd: number, newFd: number): void {
    const paths = this.pathsOf(tid);
    const path = paths.get(oldFd);
    if (path === undefined) paths.delete(newFd);
    else paths.set(newFd, path);
  }
}
