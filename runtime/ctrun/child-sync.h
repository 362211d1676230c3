/* child-sync.h — the parent's side of the sync socket with the container's init (or an
   exec'd process): it answers what the child asks on the way (the seccomp notify fd
   to pass on, the hooks to run, the pty master for --console-socket) until the child
   exec's (EOF), is ready (create), or reports an error. And the foreground wait. */
#ifndef CTRUN_CHILD_SYNC_H
#define CTRUN_CHILD_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

struct ctrun_child_sync
{
  int fd;
  pid_t pid;
  const struct ctrun_config *config;
  const char *id;
  const char *console_socket; /* --console-socket, or NULL: the pty master is kept in console_master */
  int console_master;         /* out: the pty master when there is no console socket, else -1 */
  bool until_ready;           /* create: SYNC_READY ends it, EOF is a failure */
};

int ctrun_child_sync_wait (struct ctrun_child_sync *cs, ctrun_error_t *err);

/* Forwards the usual signals to PID until it exits; *exit_status is its status, or
   128+signal. The signals must be blocked (saved_mask is what to restore). */
int ctrun_wait_foreground (pid_t pid, const sigset_t *saved_mask, int *exit_status, ctrun_error_t *err);

/* The signals a foreground parent forwards (blocked between clone and exec). */
void ctrun_block_forwarded_signals (sigset_t *saved_mask);

#endif
