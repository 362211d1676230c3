/* process.h — the container process: clone3 into new namespaces (and, on pure
   cgroup v2, straight into its cgroup), then the init sequence up to execve. */
#ifndef CTRUN_PROCESS_H
#define CTRUN_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroups.h"
#include "config.h"
#include "error.h"
#include "namespaces.h"
#include "seccomp.h"

/* Messages on the sync socket (SOCK_SEQPACKET, one message a packet). */
#define SYNC_GO 'G'    /* parent → init: cgroup joined, maps written; go on */
#define SYNC_READY 'R' /* init → parent: set up, waiting on exec.fifo (create) */
#define SYNC_ERROR 'E' /* init → parent: 'E', exit status, message */
#define SYNC_SECCOMP 'S' /* init → parent: the seccomp notify fd (SCM_RIGHTS); the parent answers SYNC_GO */
#define SYNC_HOOKS 'H'   /* init → parent: run prestart and createRuntime; the parent answers with the init's pid */
#define SYNC_CONSOLE 'C' /* init → parent: the pty master (SCM_RIGHTS), for --console-socket */

struct ctrun_spawn
{
  const struct ctrun_config *config;
  const struct ctrun_cgroup *cgroup;
  struct ctrun_ns_fds ns;
  int sync_fd;          /* the init's end of the socketpair */
  int sync_parent_fd;   /* the parent's end, closed in the init */
  int fifo_fd;          /* O_PATH exec.fifo (create), else -1 */
  bool wait_for_go;     /* the parent has work to do before the init may go on */
  bool new_userns;
  /* an unprivileged parent must deny setgroups before it may write gid_map */
  bool setgroups_denied;
  int last_cap;
  ctrun_seccomp_filter seccomp; /* built by the parent, loaded by the init; NULL: none */
  const char *id;       /* for the hooks' state */
  pid_t host_pid;       /* the init's pid as the runtime sees it (sent with the hooks' go) */
  bool no_pivot;        /* --no-pivot: MS_MOVE the rootfs onto / and chroot */
  int preserve_fds;     /* --preserve-fds: 3 .. 3+N-1 stay open in the container */
  sigset_t saved_mask;
};

/* The sync socketpair (SOCK_SEQPACKET, close-on-exec) into s->sync_fd / s->sync_parent_fd. */
int ctrun_spawn_sync_pair (struct ctrun_spawn *s, ctrun_error_t *err);

/* clone3 with the namespace flags (+ CLONE_INTO_CGROUP when cgroup->v2_fd >= 0).
   Returns the child's pid in the parent; the child runs the init and never returns. */
pid_t ctrun_spawn_init (struct ctrun_spawn *s, ctrun_error_t *err);

/* `exec`: a plain clone3 (into the v2 cgroup when cgroup->v2_fd >= 0); the child waits for
   SYNC_GO, setns()es into s->ns, then runs the same end as the init. */
pid_t ctrun_spawn_exec (struct ctrun_spawn *s, ctrun_error_t *err);

#endif
