/* container.h — the lifecycle: run, create, start, state, kill, delete, pause,
   resume, ps, exec; the state is kept under --root (default /run/ctrun). */
#ifndef CTRUN_CONTAINER_H
#define CTRUN_CONTAINER_H

#include <stdbool.h>

#include "error.h"

struct ctrun_context
{
  const char *state_root;  /* --root */
  const char *id;
  const char *bundle;      /* --bundle, default "." */
  const char *pid_file;    /* --pid-file */
  bool detach;             /* run --detach, exec --detach */
  const char *console_socket; /* --console-socket: where the pty master goes */
  bool no_pivot;           /* --no-pivot */
  int preserve_fds;        /* --preserve-fds */
};

/* Foreground run returns the container's exit status (128+signal if killed). */
int ctrun_container_run (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_create (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_start (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_state (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_kill (struct ctrun_context *ctx, const char *signal, bool all, ctrun_error_t *err);
int ctrun_container_delete (struct ctrun_context *ctx, bool force, ctrun_error_t *err);
int ctrun_container_pause (struct ctrun_context *ctx, bool pause, ctrun_error_t *err);
int ctrun_container_ps (struct ctrun_context *ctx, bool json, ctrun_error_t *err);

/* `exec`: PROCESS_FILE (runc's --process) or ARGS; returns the exit status in the
   foreground, 0 with --detach. */
int ctrun_container_exec (struct ctrun_context *ctx, const char *process_file, char **args, bool tty,
                          ctrun_error_t *err);

#endif
