/* state.h — what ctrun keeps of a container under --root: ROOT/ID/state.json (pid, its
   start time, bundle, cgroups) and, between create and start, ROOT/ID/exec.fifo. The
   status is derived, never stored: pid gone → stopped; fifo present → created; frozen →
   paused; else running. */
#ifndef CTRUN_STATE_H
#define CTRUN_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroups.h"
#include "config.h"
#include "error.h"

#define CTRUN_OCI_VERSION "1.0.2"

struct ctrun_state
{
  const char *root, *id;
  json_t *json;
  pid_t pid;
  unsigned long long starttime;
  const char *bundle;   /* in json */
  struct ctrun_cgroup cg;
};

int ctrun_validate_id (const char *id, ctrun_error_t *err);

/* ROOT/@seccomp: compiled seccomp filters, by profile ('@' is no container id's). */
char *ctrun_state_seccomp_cache (const char *root);
char *ctrun_state_dir (const char *root, const char *id);
void ctrun_state_remove_dir (const char *dir);

int ctrun_state_write (const char *dir, const char *id, const struct ctrun_config *c, pid_t pid,
                       const struct ctrun_cgroup *cg, ctrun_error_t *err);
int ctrun_state_load (const char *root, const char *id, struct ctrun_state *st, ctrun_error_t *err);
void ctrun_state_release (struct ctrun_state *st);
#define cleanup_state __attribute__ ((cleanup (ctrun_state_release)))

bool ctrun_state_init_alive (const struct ctrun_state *st);
const char *ctrun_state_status (const struct ctrun_state *st);

/* The spec's state (what hooks read on stdin and seccomp listeners receive). */
json_t *ctrun_spec_state (const char *id, const char *status, pid_t pid, const char *bundle, json_t *annotations);

#endif
