/* container.h — the lifecycle: run, create, start, state, kill, delete,
   and the state kept under --root (default /run/ctrun). */
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
  bool detach;             /* run --detach */
};

/* Foreground run returns the container's exit status (128+signal if killed). */
int ctrun_container_run (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_create (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_start (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_state (struct ctrun_context *ctx, ctrun_error_t *err);
int ctrun_container_kill (struct ctrun_context *ctx, const char *signal, ctrun_error_t *err);
int ctrun_container_delete (struct ctrun_context *ctx, bool force, ctrun_error_t *err);

#endif
